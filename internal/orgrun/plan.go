package orgrun

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/targets"
)

// PlanOptions tune a plan across targets.
type PlanOptions struct {
	// Parallel bounds how many targets are planned at once.
	Parallel int
	// OnTarget, when not nil, is told how long each target took to plan
	// (benchmarks compare the whole with its slowest part).
	OnTarget func(t plan.Target, took time.Duration)
}

// MakePlan makes one plan across the set's targets: each target's plan
// (engine.MakePlan), at most opts.Parallel at once, merged. A target that
// cannot be planned, like one that could not be reached, is recorded in
// the plan with why, and the others are planned as usual. in's Region and
// Account are set per target.
func MakePlan(ctx context.Context, set *targets.Set, in engine.PlanInput, opts PlanOptions) (plan.Plan, error) {
	log := in.Logger
	if log == nil {
		log = zap.NewNop()
	}
	c := in.Clock
	if c == nil {
		c = clock.Real{}
	}
	parts := make([]plan.Part, len(set.Conns), len(set.Conns)+len(set.Failed))
	var mu sync.Mutex
	checks := plan.NewChecksTable()
	targets.Each(ctx, set.Conns, opts.Parallel, func(ctx context.Context, i int, conn *targets.Conn) {
		t := conn.Target()
		start := time.Now()
		if opts.OnTarget != nil {
			defer func() {
				mu.Lock()
				defer mu.Unlock()
				opts.OnTarget(t, time.Since(start))
			}()
		}
		tin := in
		tin.Account, tin.Region = conn.Account, conn.Region
		tin.Logger = log.With(zap.String("account", conn.Account), zap.String("region", conn.Region))
		tin.Estate = estateOf(conn, in.Estate)
		p, err := engine.MakePlan(ctx, conn.SSM, tin)
		if err != nil {
			t.Failure = targets.Classify(targets.Where(conn.Account, conn.Region), err)
			tin.Logger.Warn("target not planned", zap.String("kind", t.Failure.Kind), zap.Error(err))
			parts[i] = plan.Part{Target: t}
			return
		}
		tin.Logger.Info("target planned", zap.Int("nodes", p.Summary.Nodes), zap.Int("fix", p.Summary.Fix))
		// Shared as each target finishes, so that the lists it replaces
		// are garbage while the other targets still run.
		mu.Lock()
		checks.Share(p.Nodes)
		mu.Unlock()
		parts[i] = plan.Part{Target: t, Plan: &p}
	})
	if err := ctx.Err(); err != nil {
		// Interrupted: the targets not planned did not fail, they were not
		// tried; a plan saying otherwise would mislead.
		return plan.Plan{}, err
	}
	for _, f := range set.Failed {
		parts = append(parts, plan.Part{Target: f})
	}
	return plan.Merge(parts, plan.Options{
		ToolVersion: in.ToolVersion, CreatedAt: c.Now(), Selection: in.Selection, Rules: in.Rules,
		Strategy: in.Strategy, ProbeRan: in.Probe, Scanned: in.Scan,
	}), nil
}

// estateOf is a target's own EC2 and IAM clients when the caller asked for
// unmanaged instances to be found (asked is the caller's estate, in its
// own account, which must never stand for another target's), else nil.
func estateOf(conn *targets.Conn, asked *engine.Estate) *engine.Estate {
	if asked == nil || conn.EC2 == nil || conn.IAM == nil {
		return nil
	}
	return &engine.Estate{EC2: conn.EC2, IAM: conn.IAM}
}
