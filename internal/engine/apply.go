package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmdoc"
)

// ApplyInput is everything an apply needs besides the account.
type ApplyInput struct {
	Plan plan.Plan
	// PlanFile is recorded in the journal so a resumed run can find it.
	PlanFile string
	RunID    string
	StateDir string
	// Remedy carries the rate controls, agent version and keep flag;
	// RunID, Journal, Logger and Clock are filled in.
	Remedy remedy.Options
	Window remedy.WindowOptions
	// Watch carries the poll schedule, timeout, drain channel and progress
	// hook; MinAgentVersion, Clock, Logger and OnOutcome are filled in.
	Watch converge.Options
	// NoWait returns once the work has been started.
	NoWait bool
	// MaxTargets refuses a plan touching more nodes (0 = no cap).
	MaxTargets int
	// Fresh says the plan was made moments ago in this process, so the
	// staleness check (one more read of every targeted node) is skipped.
	Fresh bool
	// Resume continues the run whose journal is RunID's: nodes it already
	// verified are not watched again and nothing is created twice.
	Resume bool
	Logger *zap.Logger
}

// ApplyResult is what an apply did.
type ApplyResult struct {
	RunID       string
	JournalPath string
	Targets     int
	Report      converge.Report
	// Started is true when --no-wait returned before watching.
	NoWait bool
}

// ErrTooManyTargets is wrapped by Apply when the blast-radius cap refuses.
var ErrTooManyTargets = errors.New("plan touches more nodes than --max-targets allows")

// Apply carries out p's actions and watches until every targeted node
// settles. The returned report says where each node ended; the error is for
// what stopped the run itself (stale plan, API failure, interruption).
func Apply(ctx context.Context, api *ssm.Client, in ApplyInput) (ApplyResult, error) {
	log := in.Logger
	if log == nil {
		log = zap.NewNop()
	}
	p := in.Plan
	targets := targetsOf(p)
	res := ApplyResult{RunID: in.RunID, Targets: len(targets)}
	if len(targets) == 0 {
		return res, nil
	}
	if in.MaxTargets > 0 && len(targets) > in.MaxTargets {
		return res, fmt.Errorf("%w: %d nodes targeted, cap is %d; narrow the selection or raise --max-targets", ErrTooManyTargets, len(targets), in.MaxTargets)
	}
	if in.Watch.Clock == nil {
		in.Watch.Clock = clock.Real{}
	}
	if !in.Fresh {
		if err := checkFresh(ctx, api, p, log); err != nil {
			return res, err
		}
	}

	j, err := remedy.OpenJournal(in.StateDir, in.RunID, in.Watch.Clock.Now)
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

	ropts := in.Remedy
	ropts.RunID, ropts.Journal, ropts.Logger, ropts.Clock = in.RunID, j, log, in.Watch.Clock
	ropts.Resumed = prior.Live
	deps := converge.Deps{ReadBack: func(ctx context.Context, ids []string) (map[string]fleet.Node, error) {
		return fleet.ReadBack(ctx, api, ids, fleetSize(p), log)
	}}

	agentBatches := batchesOf(p, plan.UpdateAgent)
	if in.Resume && !agentWorkLeft(agentBatches, prior) {
		// Every node the agent update was for has an outcome already:
		// its association or window has done its work (and may have been
		// removed), so nothing is started or looked up again.
		agentBatches = nil
	}
	if len(agentBatches) > 0 {
		var up remedy.AgentUpdater
		if p.Strategy == plan.MaintenanceWindow {
			up = remedy.NewWindow(api, in.Window, ropts)
		} else {
			up = remedy.NewAssociations(api, ropts)
		}
		// The plan's batches are used unchanged, even on resume, so that
		// every resource gets the same deterministic name as before and is
		// found instead of created again.
		if err := up.Start(ctx, agentBatches); err != nil {
			return res, err
		}
		deps.Agent = up
	}
	if len(batchesOf(p, plan.UpgradeRequests)) > 0 {
		if _, err := ssmdoc.Ensure(ctx, api, documents.UpgradeRequestsDocumentName, documents.UpgradeRequestsYAML, managedTags(in.RunID, "upgrade-requests"), ssmdoc.Options{Clock: in.Watch.Clock, Logger: log}); err != nil {
			return res, fmt.Errorf("upgrade-requests document: %w", err)
		}
		rq := remedy.NewRequests(api, p.Prereqs.MinRequestsVersion, ropts)
		for _, r := range prior.Live {
			if r.Type == remedy.ResourceCommand && r.Action == plan.UpgradeRequests.String() {
				rq.Adopt(r.ID, r.InstanceIDs)
			}
		}
		deps.Requests = rq
	}
	targets = markSent(withoutSettled(targets, prior), prior)
	if in.NoWait {
		// Without waiting, only work that need not wait can start: the
		// requests upgrade of nodes whose agent is already fine. A node that
		// also needs the agent update gets its upgrade from a later apply
		// (or heal), once the new agent has been read back.
		res.NoWait = true
		return res, sendRequestsNow(ctx, deps.Requests, targets)
	}

	wopts := in.Watch
	wopts.MinAgentVersion = minAgentVersion(p, in.Remedy.AgentVersion)
	wopts.Logger = log
	wopts.OnOutcome = func(o converge.Outcome) {
		if err := j.Node(o.InstanceID, string(o.State), o.Reason); err != nil {
			log.Error("journal write", zap.Error(err))
		}
	}
	report, err := converge.Watch(ctx, targets, deps, wopts)
	res.Report = mergeSettled(report, prior, p)
	if err != nil {
		return res, err
	}
	if deps.Agent != nil {
		if err := deps.Agent.Finish(ctx); err != nil {
			return res, err
		}
	} else if in.Resume && !in.Remedy.Keep {
		if err := removeLeftovers(ctx, api, prior, j, log); err != nil {
			return res, err
		}
	}
	if res.Report.Counts[converge.StateNotStarted] > 0 {
		// Drained by an interrupt: the run is not over, and its journal
		// must stay resumable (apply --resume refuses a finished run).
		return res, nil
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

func targetsOf(p plan.Plan) []converge.Target {
	var out []converge.Target
	for _, np := range p.Nodes {
		if len(np.Actions) == 0 {
			continue
		}
		t := converge.Target{
			InstanceID:    np.Node.InstanceID,
			NeedsAgent:    np.HasAction(plan.UpdateAgent),
			NeedsRequests: np.HasAction(plan.UpgradeRequests),
			AgentBefore:   np.Node.AgentVersion,
		}
		if np.Node.Probe != nil {
			t.RequestsBefore = np.Node.Probe.RequestsVersion
		}
		out = append(out, t)
	}
	return out
}

func batchesOf(p plan.Plan, a plan.ActionKind) [][]string {
	var out [][]string
	for _, b := range p.Batches {
		if b.Action == a {
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
	return p.Prereqs.MinAgentVersion
}

// settledEarlier reports whether a resumed run's journal gives the node a
// final outcome. Not-started is final for one watch but is exactly what
// resuming is for; failed and timed-out are kept (resuming continues a
// run, it does not retry it: a new plan and apply do that).
func settledEarlier(prior remedy.RunState, id string) (remedy.NodeRecord, bool) {
	rec, ok := prior.Nodes[id]
	if !ok || rec.State == string(converge.StateNotStarted) {
		return rec, false
	}
	return rec, converge.State(rec.State).Final()
}

// sendRequestsNow starts the requests upgrade on the targets that need
// nothing else and have not had it sent yet.
func sendRequestsNow(ctx context.Context, rq converge.RequestsRunner, ts []converge.Target) error {
	if rq == nil {
		return nil
	}
	var ids []string
	for _, t := range ts {
		if t.NeedsRequests && !t.NeedsAgent && !t.RequestsSent {
			ids = append(ids, t.InstanceID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return rq.Send(ctx, ids)
}
