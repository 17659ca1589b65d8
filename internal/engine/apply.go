package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmdoc"
	"github.com/patchready/patchready/internal/terminal"
	"github.com/patchready/patchready/internal/unmanaged"
)

// ApplyInput is everything an apply needs besides the account.
type ApplyInput struct {
	Plan plan.Plan
	// PlanFile is recorded in the journal so a resumed run can find it.
	PlanFile string
	// RunID names the run and its journal. Required.
	RunID string
	// StateDir is where the journal lives. Required.
	StateDir string

	// How the work is done: SSM's rate controls, the agent version to
	// install ("" for the latest), whether to keep one-shot resources, and
	// the maintenance window's settings for that strategy.
	MaxConcurrency, MaxErrors string
	AgentVersion              string
	Keep                      bool
	Window                    remedy.WindowOptions

	// How it is watched: the poll schedule, the deadline, the drain
	// channel (closed by the first interrupt) and a progress hook.
	PollInterval, MaxPollInterval, Timeout time.Duration
	// OfflineGrace is how long a node may stay unreachable mid-update
	// (converge's default when zero).
	OfflineGrace time.Duration
	Drain        <-chan struct{}
	OnProgress   func(converge.Progress)

	// Scan ends the run with Patch Manager's own scan (AWS-RunPatchBaseline,
	// Operation=Scan): a node is verified only if its scan succeeded.
	Scan ScanMode
	// NoWait returns once the work has been started.
	NoWait bool
	// MaxTargets refuses a plan touching more nodes (0 = no cap).
	MaxTargets int
	// Fresh says the plan was made moments ago in this process, so the
	// staleness check (one more read of every targeted node) is skipped.
	Fresh bool
	// Resume continues the run whose journal is RunID's: nodes it already
	// settled are not watched again and nothing is created twice.
	Resume bool
	// Estate are the EC2 and IAM clients a plan that brings unmanaged
	// instances under management needs (see register.go).
	Estate *Estate
	Clock  clock.Clock
	Logger *zap.Logger
}

// CheckAndSetDefaults refuses an input missing what nothing can stand in
// for and fills the rest.
func (in *ApplyInput) CheckAndSetDefaults() error {
	if in.RunID == "" {
		return errors.New("apply: no run ID")
	}
	if in.StateDir == "" {
		return errors.New("apply: no state directory for the run's journal")
	}
	if _, err := remedy.LookupStrategy(in.Plan.Strategy.String()); err != nil {
		return fmt.Errorf("the plan's strategy: %w", err)
	}
	if in.Clock == nil {
		in.Clock = clock.Real{}
	}
	if in.Logger == nil {
		in.Logger = zap.NewNop()
	}
	return nil
}

// ApplyResult is what an apply did.
type ApplyResult struct {
	RunID       string
	JournalPath string
	Targets     int
	Report      converge.Report
	// NoWait is true when --no-wait returned before watching.
	NoWait bool
}

// ErrTooManyTargets is wrapped by Apply when the blast-radius cap refuses.
var ErrTooManyTargets = errors.New("plan touches more nodes than --max-targets allows")

// Stage names in converge.
const (
	stageFix  = "fix"
	stageScan = "scan"
)

// ScanMode says which nodes an apply scans with AWS-RunPatchBaseline.
type ScanMode string

// Scan modes.
const (
	// ScanNone scans nothing.
	ScanNone ScanMode = ""
	// ScanFixed scans the nodes the run fixes, after their last fix.
	ScanFixed ScanMode = "fixed"
	// ScanAll also scans the nodes that were compliant already.
	ScanAll ScanMode = "all"
)

// ParseScanMode reads the --scan flag's value.
func ParseScanMode(s string) (ScanMode, error) {
	switch ScanMode(s) {
	case ScanNone, ScanFixed, ScanAll:
		return ScanMode(s), nil
	}
	return "", fmt.Errorf("--scan=%s: use --scan (the nodes this run fixes) or --scan=all (every node SSM can reach, compliant ones too)", s)
}

// Apply carries out p's actions and watches until every targeted node
// settles. The returned report says where each node ended; the error is for
// what stopped the run itself (stale plan, API failure, hard interruption).
// After the first interrupt (Drain) it returns as soon as the round in
// progress ends, with the nodes not settled marked interrupted or
// not-started and their work left running in SSM, for --resume.
func Apply(ctx context.Context, api *ssm.Client, in ApplyInput) (ApplyResult, error) {
	if err := in.CheckAndSetDefaults(); err != nil {
		return ApplyResult{}, err
	}
	if in.NoWait && in.Scan != ScanNone {
		return ApplyResult{}, errors.New("apply: a scan runs after the fixes are read back, which --no-wait does not wait for")
	}
	log := in.Logger
	p := in.Plan
	targets := targetsOf(p, in.Scan)
	res := ApplyResult{RunID: in.RunID, Targets: len(targets)}
	if len(targets) == 0 {
		return res, nil
	}
	// The blast-radius cap counts the nodes the run changes: a scan alone
	// installs nothing.
	if changed := changedTargets(targets); in.MaxTargets > 0 && changed > in.MaxTargets {
		return res, fmt.Errorf("%w: %d nodes targeted, cap is %d; narrow the selection or raise --max-targets", ErrTooManyTargets, changed, in.MaxTargets)
	}
	if !in.Fresh {
		if err := checkFresh(ctx, api, in.Estate, p, log); err != nil {
			return res, err
		}
	}

	j, err := remedy.OpenJournal(in.StateDir, in.RunID, in.Clock.Now)
	if err != nil {
		return res, err
	}
	defer j.Close()
	res.JournalPath = j.Path()
	var prior remedy.RunState
	if in.Resume {
		if prior, err = remedy.ReadJournal(j.Path()); err != nil {
			return res, err
		}
	} else if err := j.Append(remedy.Entry{Kind: remedy.EntryRunStarted, RunID: in.RunID, PlanFile: in.PlanFile, Fingerprint: p.Fingerprint, Strategy: p.Strategy.String()}); err != nil {
		return res, err
	}

	ropts := remedy.Options{
		RunID: in.RunID, MaxConcurrency: in.MaxConcurrency, MaxErrors: in.MaxErrors, AgentVersion: in.AgentVersion,
		Keep: in.Keep, Resume: in.Resume, Resumed: prior.Live, Window: in.Window, Journal: j, Logger: log, Clock: in.Clock,
	}
	deps := converge.Deps{
		ReadBack: func(ctx context.Context, ids []string) (map[string]fleet.Node, error) {
			nodes, err := fleet.ReadBack(ctx, api, ids, fleetSize(p), log)
			if awsclient.IsAccessDenied(err) {
				err = terminal.Error(err)
			}
			return nodes, err
		},
		Stages: map[string]converge.Stage{},
	}

	agentBatches := batchesOf(p, true)
	if in.Resume && !agentWorkLeft(agentBatches, prior) {
		// Every node the agent update was for has an outcome already:
		// its association or window has done its work (and may have been
		// removed), so nothing is started or looked up again.
		agentBatches = nil
	}
	strategy, _ := remedy.LookupStrategy(p.Strategy.String()) // checked above
	if len(agentBatches) > 0 {
		up, err := strategy.New(api, ropts)
		if err != nil {
			return res, err
		}
		// The plan's batches are used unchanged, even on resume, so that
		// every resource gets the same deterministic name as before and is
		// found instead of created again.
		if err := up.Start(ctx, agentBatches); err != nil {
			return res, err
		}
		deps.Agent = up
	}
	regs := registerTargets(p)
	fixes := fixTargets(p)
	fix := &fixStage{make: func(ctx context.Context) (*remedy.Fix, error) {
		return newFixStage(ctx, api, p, fixes, ropts, prior, in.Clock, log)
	}}
	if len(fixes) > 0 || (len(regs) > 0 && hasFixCommands(prior)) {
		// At once: the plan's fixes, or a resumed run's late fixes to
		// adopt, are followed from the first round.
		if _, err := fix.get(ctx); err != nil {
			return res, err
		}
	}
	if len(fixes) > 0 || len(regs) > 0 {
		deps.Stages[stageFix] = fix
	}
	var scan *remedy.Scan
	if in.Scan != ScanNone {
		if scan, err = remedy.NewScan(api, scanNodes(p, targets), ropts); err != nil {
			return res, err
		}
		scan.SetDrain(in.Drain)
		for _, r := range prior.Live {
			if r.Type == remedy.ResourceCommand && r.Action == "scan" {
				scan.Adopt(r.ID, r.InstanceIDs)
			}
		}
		deps.Stages[stageScan] = scan
	}
	var reg *remedy.Register
	if len(regs) > 0 {
		// Nodes brought under management get their agent update from the
		// plan's strategy too, later in the run.
		agents := &agentUpdaters{strategy: strategy, api: api, opts: ropts}
		if deps.Agent != nil {
			agents.add(deps.Agent)
		}
		deps.Agent = agents
		var check *checkStage
		if reg, check, err = startRegistration(ctx, api, in, regs, agents, fix, scan, ropts, j); err != nil {
			return res, err
		}
		deps.Stages[stageRegister], deps.Stages[stageCheck] = reg, check
	}
	targets = markSent(withoutSettled(targets, prior), prior)
	if scan != nil {
		// Nodes the interrupted part of a resumed run settled are not
		// watched again: their scans are not waited for.
		for id := range prior.Nodes {
			if _, ok := settledEarlier(prior, id); ok {
				scan.Done(id)
			}
		}
	}
	if in.NoWait {
		// Without waiting, only work that need not wait can start: the
		// fixes of nodes whose agent is already fine, and the fixes that
		// bring unmanaged instances under management. A node that also
		// needs the agent update gets its fix from a later apply (or
		// heal), once the new agent has been read back; an instance
		// brought under management is checked by the next plan.
		res.NoWait = true
		if reg != nil {
			if err := reg.Send(ctx, registerIDs(regs)); err != nil {
				return res, err
			}
		}
		return res, sendFixesNow(ctx, deps.Stages[stageFix], targets)
	}

	wopts := converge.Options{
		Clock: in.Clock, PollInterval: in.PollInterval, MaxPollInterval: in.MaxPollInterval, Timeout: in.Timeout, OfflineGrace: in.OfflineGrace,
		MinAgentVersion: minAgentVersion(p, in.AgentVersion), Drain: in.Drain, Logger: log, OnProgress: in.OnProgress,
		OnOutcome: func(o converge.Outcome) {
			if err := j.NodeDetail(o.InstanceID, string(o.State), o.Reason, o.Detail, o.PatchState); err != nil {
				log.Error("journal write", zap.Error(err))
			}
			if scan != nil {
				// A node that settled before its scan will not come to it.
				scan.Done(o.InstanceID)
			}
		},
	}
	report, err := converge.Watch(ctx, targets, deps, wopts)
	res.Report = mergeSettled(report, prior, p)
	if err != nil {
		return res, err
	}
	if report.Resumable() > 0 {
		// Interrupted: the run is not over, its journal must stay
		// resumable (apply --resume refuses a finished run), and what SSM
		// runs is left running, unless the strategy says otherwise.
		if deps.Agent != nil {
			if err := deps.Agent.Interrupt(ctx); err != nil {
				return res, err
			}
		}
		log.Info("run interrupted; resume it to follow the work left running", zap.Int("resumable_nodes", report.Resumable()))
		return res, nil
	}
	if deps.Agent != nil {
		if err := deps.Agent.Finish(ctx); err != nil {
			return res, err
		}
	}
	if len(agentBatches) == 0 && in.Resume && !in.Keep {
		// No updater of the plan's batches ran in this part of the run,
		// so none removed what the earlier part created for them.
		if err := removeLeftovers(ctx, api, prior, j, log); err != nil {
			return res, err
		}
	}
	code := 0
	if !res.Report.AllVerified() {
		code = 3
	}
	if err := j.Append(remedy.Entry{Kind: remedy.EntryRunFinished, ExitCode: &code}); err != nil {
		log.Error("journal write", zap.Error(err))
	}
	return res, nil
}

// newFixStage makes the fix document current and returns the stage that
// runs it, adopting the fix commands a resumed run's earlier part sent.
func newFixStage(ctx context.Context, api *ssm.Client, p plan.Plan, fixes []remedy.FixTarget, ropts remedy.Options,
	prior remedy.RunState, c clock.Clock, log *zap.Logger) (*remedy.Fix, error) {
	v, err := ssmdoc.Ensure(ctx, api, documents.FixDocumentName, documents.FixYAML, managedTags(ropts.RunID, "fix"), ssmdoc.Options{Clock: c, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("fix document: %w", err)
	}
	fix, err := remedy.NewFix(api, p.Rules, fixes, ropts)
	if err != nil {
		return nil, err
	}
	fix.SetDocumentVersion(v)
	for _, r := range prior.Live {
		if isFixCommand(r) {
			fix.Adopt(r.ID, r.InstanceIDs)
		}
	}
	return fix, nil
}

func isFixCommand(r remedy.Resource) bool {
	return r.Type == remedy.ResourceCommand && len(r.Action) > 4 && r.Action[:4] == "fix:"
}

// hasFixCommands reports whether a resumed run's earlier part sent a fix.
func hasFixCommands(prior remedy.RunState) bool {
	for _, r := range prior.Live {
		if isFixCommand(r) {
			return true
		}
	}
	return false
}

// HasWork reports whether applying p with scan does anything: p has
// changes, or scan is ScanAll and p has compliant nodes to scan. A run
// that only scans is work too: "nothing to do" must not skip the scan of
// a compliant fleet that --scan=all asks for.
func HasWork(p plan.Plan, scan ScanMode) bool {
	return p.HasChanges() || len(targetsOf(p, scan)) > 0
}

// targetsOf returns the nodes the run works on: those with actions, those
// a fix brings under management (registered, then checked), and with
// ScanAll the compliant ones too, to be scanned.
func targetsOf(p plan.Plan, scan ScanMode) []converge.Target {
	var out []converge.Target
	for _, np := range p.Nodes {
		switch {
		case np.Registers():
			out = append(out, converge.Target{InstanceID: np.Node.InstanceID, Stages: []string{stageRegister, stageCheck},
				Wait: unmanaged.Wait(np.Unmanaged.Fixes)})
			continue
		case len(np.Actions) > 0:
		case scan == ScanAll && np.Verdict == plan.Compliant:
			out = append(out, converge.Target{InstanceID: np.Node.InstanceID, AgentBefore: np.Node.AgentVersion, Stages: []string{stageScan}})
			continue
		default:
			continue
		}
		t := converge.Target{
			InstanceID:  np.Node.InstanceID,
			NeedsAgent:  np.HasAction(prereq.UpdateAgent),
			AgentBefore: np.Node.AgentVersion,
		}
		if hasFix(np) {
			t.Stages = append(t.Stages, stageFix)
		}
		if scan != ScanNone {
			t.Stages = append(t.Stages, stageScan)
		}
		out = append(out, t)
	}
	return out
}

// changedTargets counts the targets the run changes (not those it only
// scans).
func changedTargets(ts []converge.Target) int {
	n := 0
	for _, t := range ts {
		if t.NeedsAgent || len(t.Stages) > 1 || (len(t.Stages) == 1 && t.Stages[0] != stageScan) {
			n++
		}
	}
	return n
}

// scanNodes are the plan's nodes among the targets that are scanned.
func scanNodes(p plan.Plan, ts []converge.Target) []fleet.Node {
	scanned := map[string]bool{}
	for _, t := range ts {
		if slices.Contains(t.Stages, stageScan) {
			scanned[t.InstanceID] = true
		}
	}
	var out []fleet.Node
	for _, np := range p.Nodes {
		if scanned[np.Node.InstanceID] {
			out = append(out, np.Node)
		}
	}
	return out
}

// hasFix reports whether np has an action the fix document carries out.
func hasFix(np plan.NodePlan) bool {
	for _, a := range np.Actions {
		if a != prereq.UpdateAgent {
			return true
		}
	}
	return false
}

// fixTargets are the nodes with fix actions, with those actions.
func fixTargets(p plan.Plan) []remedy.FixTarget {
	var out []remedy.FixTarget
	for _, np := range p.Nodes {
		var acts []prereq.ActionKind
		for _, a := range np.Actions {
			if a != prereq.UpdateAgent {
				acts = append(acts, a)
			}
		}
		if len(acts) > 0 {
			out = append(out, remedy.FixTarget{Node: np.Node, Actions: acts})
		}
	}
	return out
}

// batchesOf returns the plan's update-agent batches (agent true) or its
// fix batches.
func batchesOf(p plan.Plan, agent bool) [][]string {
	var out [][]string
	for _, b := range p.Batches {
		if b.IsAgentUpdate() == agent {
			out = append(out, b.InstanceIDs)
		}
	}
	return out
}

// minAgentVersion is what a node's agent must read back as: the plan's
// floor, or the pinned version when it is higher.
func minAgentVersion(p plan.Plan, pinned string) string {
	if pinned != "" {
		return pinned
	}
	return p.Rules.MinAgentVersion
}

// settledEarlier reports whether a resumed run's journal gives the node a
// final outcome. Not-started and interrupted are final for one watch but
// are exactly what resuming is for; failed and timed-out are kept
// (resuming continues a run, it does not retry it: a new plan and apply do
// that).
func settledEarlier(prior remedy.RunState, id string) (remedy.NodeRecord, bool) {
	rec, ok := prior.Nodes[id]
	if !ok || converge.State(rec.State).Resumable() {
		return rec, false
	}
	return rec, converge.State(rec.State).Final()
}

// sendFixesNow starts the fix on the targets that need nothing else and
// have not had it sent yet.
func sendFixesNow(ctx context.Context, fix converge.Stage, ts []converge.Target) error {
	if fix == nil {
		return nil
	}
	var ids []string
	for _, t := range ts {
		if len(t.Stages) > 0 && t.Stages[0] == stageFix && !t.NeedsAgent && !t.Sent[stageFix] {
			ids = append(ids, t.InstanceID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return fix.Send(ctx, ids)
}
