package orgrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/targets"
)

// ApplyInput is an apply across targets.
type ApplyInput struct {
	// ApplyInput is what every target's apply is made from. Its Plan is
	// the plan across targets and its StateDir the run's; each target gets
	// its share of the plan and a state directory of its own. MaxTargets
	// caps the whole plan, once, before any target starts.
	engine.ApplyInput
	// Set holds the clients of the plan's targets (targets.ResolveList),
	// and the targets that could not be reached now.
	Set *targets.Set
	// Parallel bounds how many targets run at once.
	Parallel int
}

// TargetResult is how one target of an apply ended.
type TargetResult struct {
	Target plan.Target
	// Result is the target's apply, as far as it went.
	Result engine.ApplyResult
	// Failure says why the target was not applied, or did not finish.
	Failure *plan.TargetFailure
	// Earlier is true when a resumed run found the target finished by
	// the run's interrupted part.
	Earlier bool
	// Idle is true when the plan had nothing to do in the target.
	Idle bool
}

// ApplyResult is what an apply across targets did.
type ApplyResult struct {
	RunID       string
	JournalPath string
	// Targets holds every target of the plan, in plan order.
	Targets []TargetResult
	// Report merges the targets' reports; outcomes carry their account and
	// region.
	Report converge.Report
	// Nodes counts the nodes the run targeted.
	Nodes  int
	NoWait bool
}

// Failed returns the targets that failed, with their failures.
func (r ApplyResult) Failed() []plan.Target {
	var out []plan.Target
	for _, t := range r.Targets {
		if t.Failure != nil {
			ft := t.Target
			ft.Failure = t.Failure
			out = append(out, ft)
		}
	}
	return out
}

// ExitCode is the run's exit code: 4 when a target failed (the others
// ran), else 3 when a node is not verified, else 0.
func (r ApplyResult) ExitCode() int {
	switch {
	case len(r.Failed()) > 0:
		return ExitTargetFailed
	case !r.Report.AllVerified():
		return 3
	}
	return 0
}

// ExitTargetFailed is the exit code of a run in which some target could
// not be planned or applied while the others ran.
const ExitTargetFailed = 4

// TargetStateDir is where a target of a run keeps its own journal.
func TargetStateDir(stateDir, runID string, t plan.Target) string {
	return filepath.Join(stateDir, "runs", runID+".targets", t.Account, t.Region)
}

// Apply carries out a plan across targets: each target's share with that
// target's client (engine.Apply, stale check included unless Fresh), at
// most Parallel at once. A target that fails is recorded with why and the
// others go on; the error is for what stops the whole run (the run's
// journal, the blast-radius cap, a hard interrupt).
func Apply(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	base := in.ApplyInput
	if err := base.CheckAndSetDefaults(); err != nil {
		return ApplyResult{}, err
	}
	log := base.Logger
	res := ApplyResult{RunID: base.RunID}
	parts := plan.Split(base.Plan)
	for _, part := range parts {
		if part.Plan != nil {
			for _, np := range part.Plan.Nodes {
				if len(np.Actions) > 0 {
					res.Nodes++
				}
			}
		}
	}
	if base.MaxTargets > 0 && res.Nodes > base.MaxTargets {
		return res, fmt.Errorf("%w: %d nodes targeted across %d targets, cap is %d; narrow the selection or raise --max-targets",
			engine.ErrTooManyTargets, res.Nodes, len(parts), base.MaxTargets)
	}
	j, err := remedy.OpenJournal(base.StateDir, base.RunID, base.Clock.Now)
	if err != nil {
		return res, err
	}
	defer j.Close()
	res.JournalPath = j.Path()
	prior := map[string]remedy.TargetRecord{}
	if base.Resume {
		st, err := remedy.ReadJournal(j.Path())
		if err != nil {
			return res, err
		}
		for _, t := range st.Targets {
			prior[t.Account+"/"+t.Region] = t
		}
	} else if err := j.Append(remedy.Entry{Kind: remedy.EntryRunStarted, RunID: base.RunID, PlanFile: base.PlanFile,
		Fingerprint: base.Plan.Fingerprint, Strategy: base.Plan.Strategy.String()}); err != nil {
		return res, err
	}

	conns := map[string]*targets.Conn{}
	for _, c := range in.Set.Conns {
		conns[c.Account+"/"+c.Region] = c
	}
	unreachable := map[string]*plan.TargetFailure{}
	for _, f := range in.Set.Failed {
		unreachable[f.Key()] = f.Failure
	}
	r := &run{in: in, base: base, journal: j, log: log, progress: newProgress(base.OnProgress)}
	res.Targets = make([]TargetResult, len(parts))
	var hardErr error
	var mu sync.Mutex
	targets.Each(ctx, parts, in.Parallel, func(ctx context.Context, i int, part plan.Part) {
		k := part.Target.Key()
		tr, err := r.target(ctx, part, conns[k], unreachable[k], prior[k])
		res.Targets[i] = tr
		if err != nil {
			mu.Lock()
			hardErr = errors.Join(hardErr, err)
			mu.Unlock()
		}
	})
	res.Report = mergeReports(res.Targets)
	res.NoWait = base.NoWait
	if hardErr != nil {
		return res, hardErr
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if res.Report.Resumable() > 0 || res.NoWait {
		// Interrupted, or returned without waiting: the run stays
		// resumable, as a run of one target does.
		return res, nil
	}
	code := res.ExitCode()
	if err := j.Append(remedy.Entry{Kind: remedy.EntryRunFinished, ExitCode: &code}); err != nil {
		log.Error("journal write", zap.Error(err))
	}
	return res, nil
}

// run is what the targets of one apply share.
type run struct {
	in       ApplyInput
	base     engine.ApplyInput
	journal  *remedy.Journal
	log      *zap.Logger
	progress *progress
}

// target applies one target's share of the plan. Its error is for what
// must stop the run (a hard interrupt, the run's journal); everything
// else is the target's failure.
func (r *run) target(ctx context.Context, part plan.Part, conn *targets.Conn, unreachable *plan.TargetFailure, prior remedy.TargetRecord) (TargetResult, error) {
	t := part.Target
	tr := TargetResult{Target: t}
	log := r.log.With(zap.String("account", t.Account), zap.String("region", t.Region))
	record := func(e remedy.Entry) error {
		e.Kind, e.Account, e.Region = remedy.EntryTarget, t.Account, t.Region
		return r.journal.Append(e)
	}
	fail := func(f *plan.TargetFailure) (TargetResult, error) {
		tr.Failure = f
		log.Warn("target failed", zap.String("kind", f.Kind), zap.String("reason", f.Reason))
		return tr, record(remedy.Entry{State: remedy.TargetFailed, FailureKind: f.Kind, Reason: f.Reason})
	}
	switch {
	case part.Plan == nil:
		return fail(&plan.TargetFailure{Kind: t.Failure.Kind, Reason: "not planned: " + t.Failure.Reason, Advice: t.Failure.Advice})
	case !engine.HasWork(*part.Plan, r.base.Scan):
		tr.Idle = true
		return tr, nil
	case prior.State == remedy.TargetFinished:
		tr.Earlier = true
		tr.Result.Report = earlierReport(prior.Journal, part.Plan)
		tr.Result.JournalPath = prior.Journal
		return tr, nil
	case unreachable != nil:
		return fail(unreachable)
	case conn == nil:
		return fail(&plan.TargetFailure{Kind: targets.KindError, Reason: "no client for " + targets.Where(t.Account, t.Region)})
	}
	dir := TargetStateDir(r.base.StateDir, r.base.RunID, t)
	journal := remedy.JournalPath(dir, r.base.RunID)
	_, statErr := os.Stat(journal)
	resume := r.base.Resume && statErr == nil
	if err := record(remedy.Entry{State: remedy.TargetStarted, Journal: journal}); err != nil {
		return tr, err
	}
	tin := r.base
	tin.Plan, tin.StateDir, tin.Resume, tin.MaxTargets, tin.Logger = *part.Plan, dir, resume, 0, log
	tin.Estate = estateOf(conn, r.base.Estate)
	// A resumed target was checked when its part started; one the
	// interrupted part never reached is checked now.
	tin.Fresh = r.base.Fresh || resume
	if r.base.Resume && !resume {
		tin.Fresh = false
	}
	tin.OnProgress = r.progress.of(t.Key())
	res, err := engine.Apply(ctx, conn.SSM, tin)
	tr.Result = res
	tr.Result.Report = stamp(res.Report, t)
	switch {
	case err != nil && ctx.Err() != nil:
		return tr, fmt.Errorf("%s: %w", targets.Where(t.Account, t.Region), err)
	case err != nil:
		return fail(targets.Classify(targets.Where(t.Account, t.Region), err))
	case res.Report.Resumable() > 0 || res.NoWait:
		return tr, nil
	}
	code := 0
	if !res.Report.AllVerified() {
		code = 3
	}
	return tr, record(remedy.Entry{State: remedy.TargetFinished, ExitCode: &code})
}
