package heal

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/probe"
)

// PlanTemplate is what every cycle's plan is made from.
type PlanTemplate struct {
	Selection fleet.Selection
	Rules     prereq.Rules
	// Strategy delivers the agent update; the association strategy when
	// empty. A maintenance window is not a heal strategy: its updates wait
	// for the window, past the cycle.
	Strategy     plan.Strategy
	Probe        bool
	Region       string
	Account      string
	ToolVersion  string
	ProbeOptions probe.Options
	// Estate, when set, lists the EC2 instances SSM does not manage in
	// each cycle's plan. heal reports them and never fixes them: the fixes
	// change IAM, which is for a reviewed plan to do.
	Estate *engine.Estate
}

func (t PlanTemplate) strategy() plan.Strategy {
	if t.Strategy == "" {
		return plan.DefaultStrategy
	}
	return t.Strategy
}

func (t PlanTemplate) input(runID string, c clock.Clock, log *zap.Logger) engine.PlanInput {
	return engine.PlanInput{
		Selection: t.Selection, Rules: t.Rules, Strategy: t.strategy(), Probe: t.Probe,
		Region: t.Region, Account: t.Account, ToolVersion: t.ToolVersion, RunID: runID,
		Clock: c, Logger: log, ProbeOptions: t.ProbeOptions, Estate: t.Estate,
	}
}

// cycle runs one reconcile: read the state, plan, leave out backing-off
// nodes, apply the rest, record what happened. Its errors end up in the
// result; the state file is written whenever something was learned.
func (l *loop) cycle(ctx context.Context) CycleResult {
	c := l.o.Clock
	start := c.Now()
	res := CycleResult{RunID: l.o.NewRunID(start), Started: start.UTC()}
	log := l.log.With(zap.String("run_id", res.RunID))
	log.Info("heal cycle started")

	var full *plan.Plan
	finish := func(err error) CycleResult {
		res.Finished = c.Now().UTC()
		res.Duration = res.Finished.Sub(res.Started)
		res.Err = err
		if err != nil {
			res.Error = err.Error()
		}
		res.Result = l.result(ctx, res)
		res.Plan = full
		l.o.Metrics.observe(res, full)
		log.Info("heal cycle finished",
			zap.String("result", res.Result), zap.Duration("duration", res.Duration),
			zap.Int("nodes", res.Summary.Nodes), zap.Int("compliant", res.Summary.Compliant),
			zap.Int("fix", res.Summary.Fix), zap.Int("blocked", res.Summary.Blocked), zap.Int("unmanaged", res.Summary.Unmanaged),
			zap.Int("backing_off", len(res.Skipped)), zap.Int("targets", res.Targets),
			zap.Int("verified", res.Report.Counts[converge.StateVerified]),
			zap.Int("failed", res.Report.Counts[converge.StateFailed]),
			zap.Int("timed_out", res.Report.Counts[converge.StateTimedOut]),
			zap.String("journal", res.JournalPath))
		return res
	}

	statePath := StatePath(l.o.StateDir)
	st, err := LoadState(statePath)
	if err != nil {
		return finish(err)
	}
	p, err := l.run.MakePlan(ctx, l.o.Plan.input(res.RunID, c, log))
	if err != nil {
		return finish(fmt.Errorf("plan: %w", err))
	}
	full = &p
	res.Summary = p.Summary
	res.FailedTargets = p.FailedTargets()
	for _, t := range res.FailedTargets {
		log.Warn("target not planned; heal reports it and goes on", zap.String("account", t.Account), zap.String("region", t.Region),
			zap.String("kind", t.Failure.Kind), zap.String("reason", t.Failure.Reason))
	}
	for _, np := range p.Nodes {
		if np.Verdict == plan.Blocked {
			res.Blocked = append(res.Blocked, np.Node.InstanceID)
			log.Info("node blocked; heal reports it and does not try", zap.String("instance_id", np.Node.InstanceID),
				zap.String("reason", strings.Join(np.Reasons, "; ")))
		}
	}

	st.Prune(p, start, l.backoff)
	q, skipped := ApplyBackoff(p, st, start)
	res.Skipped = skipped
	for _, s := range skipped {
		log.Info("node backing off; skipped this cycle", zap.String("instance_id", s.InstanceID),
			zap.Int("failures", s.Failures), zap.Time("retry_after", s.RetryAfter), zap.String("last_failure", s.Reason))
	}
	work := engine.HasWork(q, l.o.Scan)
	if work && l.drained() {
		log.Info("interrupt: no apply started this cycle")
		res.interrupted = true
	}
	if !work || res.interrupted {
		return finish(SaveState(statePath, st))
	}
	for _, np := range q.Nodes {
		if len(np.Actions) > 0 {
			log.Info("node to heal", zap.String("instance_id", np.Node.InstanceID), zap.Stringers("actions", np.Actions))
		}
	}

	ar, applyErr := l.run.Apply(ctx, engine.ApplyInput{
		Plan: q, RunID: res.RunID, StateDir: l.o.StateDir, Fresh: true,
		MaxConcurrency: l.o.MaxConcurrency, MaxErrors: l.o.MaxErrors, AgentVersion: l.o.AgentVersion, Scan: l.o.Scan,
		// Keep stays false: heal's resources are one-shot, each cycle
		// makes its own.
		PollInterval: l.o.PollInterval, MaxPollInterval: l.o.MaxPollInterval, Timeout: l.o.Timeout,
		Drain: l.o.Drain, Clock: c, MaxTargets: l.o.MaxTargets(len(p.Nodes)), Logger: log,
	})
	res.Targets, res.Report, res.JournalPath = ar.Targets, ar.Report, ar.JournalPath
	res.FailedTargets = mergeFailed(res.FailedTargets, ar.FailedTargets)
	// Whatever stopped the apply, the outcomes it did read are facts:
	// record them before anything else can go wrong.
	st.Record(ar.Report.Outcomes, start, l.backoff)
	for _, o := range ar.Report.Outcomes {
		if nb, ok := st.Nodes[nodeKey(o.Account, o.Region, o.InstanceID)]; ok && (o.State == converge.StateFailed || o.State == converge.StateTimedOut) {
			log.Warn("node did not heal; backing off", zap.String("instance_id", o.InstanceID), zap.String("state", string(o.State)),
				zap.String("reason", o.Reason), zap.Int("failures", nb.Failures), zap.Time("retry_after", nb.RetryAfter))
		}
	}
	if applyErr != nil {
		applyErr = fmt.Errorf("apply: %w", applyErr)
	}
	return finish(errors.Join(applyErr, SaveState(statePath, st)))
}

// result classifies a finished cycle.
func (l *loop) result(ctx context.Context, r CycleResult) string {
	switch {
	case ctx.Err() != nil || r.interrupted || (l.drained() && !r.Report.AllVerified()):
		return ResultInterrupted
	case r.Err != nil:
		return ResultError
	case len(r.FailedTargets) > 0:
		return ResultTargetFailed
	case len(r.Skipped) > 0 || !r.Report.AllVerified():
		return ResultNotCompliant
	}
	return ResultCompliant
}

// mergeFailed adds the targets that failed during the apply to those that
// failed planning, once each.
func mergeFailed(planned, applied []plan.Target) []plan.Target {
	seen := map[string]bool{}
	for _, t := range planned {
		seen[t.Key()] = true
	}
	for _, t := range applied {
		if !seen[t.Key()] {
			seen[t.Key()] = true
			planned = append(planned, t)
		}
	}
	return planned
}
