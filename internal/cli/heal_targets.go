package cli

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/heal"
	"github.com/patchready/patchready/internal/orgrun"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/targets"
)

// acrossRunner is heal's runner across targets: every cycle finds the
// targets again (an account added to the organization joins the next
// cycle), plans across them and applies across the same.
type acrossRunner struct {
	hub    *targets.Hub
	spec   targets.Spec
	errOut io.Writer

	mu  sync.Mutex
	set *targets.Set
}

var _ heal.Runner = (*acrossRunner)(nil)

func (r *acrossRunner) MakePlan(ctx context.Context, in engine.PlanInput) (plan.Plan, error) {
	set, err := resolveTargets(ctx, r.hub, r.spec, r.errOut)
	if err != nil {
		return plan.Plan{}, err
	}
	r.mu.Lock()
	r.set = set
	r.mu.Unlock()
	return orgrun.MakePlan(ctx, set, in, orgrun.PlanOptions{Parallel: r.spec.Parallel})
}

func (r *acrossRunner) Apply(ctx context.Context, in engine.ApplyInput) (heal.Applied, error) {
	r.mu.Lock()
	set := r.set
	r.mu.Unlock()
	if set == nil {
		return heal.Applied{}, fmt.Errorf("apply before plan")
	}
	res, err := orgrun.Apply(ctx, orgrun.ApplyInput{ApplyInput: in, Set: set, Parallel: r.spec.Parallel})
	return heal.Applied{
		ApplyResult:   engine.ApplyResult{RunID: res.RunID, JournalPath: res.JournalPath, Targets: res.Nodes, Report: res.Report, NoWait: res.NoWait},
		FailedTargets: res.Failed(),
	}, err
}
