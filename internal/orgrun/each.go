package orgrun

import (
	"context"
	"fmt"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/targets"
)

// Done is how a command that works target by target (cleanup, schedule)
// ended in one target: its value, or why it failed there.
type Done[T any] struct {
	Target  plan.Target
	Value   T
	Failure *plan.TargetFailure
}

// ForEach runs fn in every reached target of set, at most parallel at
// once, and returns every target's outcome in target order, the targets
// that could not be reached included as failures. A target's error is its
// failure; the others go on.
func ForEach[T any](ctx context.Context, set *targets.Set, parallel int, fn func(ctx context.Context, c *targets.Conn) (T, error)) ([]Done[T], error) {
	out := make([]Done[T], len(set.Conns), len(set.Conns)+len(set.Failed))
	targets.Each(ctx, set.Conns, parallel, func(ctx context.Context, i int, c *targets.Conn) {
		v, err := fn(ctx, c)
		out[i] = Done[T]{Target: c.Target(), Value: v}
		if err != nil && ctx.Err() == nil {
			out[i].Failure = targets.Classify(targets.Where(c.Account, c.Region), err)
		}
	})
	if err := ctx.Err(); err != nil {
		return out, err
	}
	for _, f := range set.Failed {
		out = append(out, Done[T]{Target: f, Failure: f.Failure})
	}
	return out, nil
}

// RunTargets returns the targets a run recorded in its journal, with
// their own journals, or none for a run of one account and region.
func RunTargets(stateDir, runID string) ([]remedy.TargetRecord, error) {
	st, err := remedy.ReadJournal(remedy.JournalPath(stateDir, runID))
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", runID, err)
	}
	return st.Targets, nil
}

// ListOf turns journal records into targets for targets.ResolveList.
func ListOf(recs []remedy.TargetRecord) []plan.Target {
	out := make([]plan.Target, 0, len(recs))
	for _, r := range recs {
		out = append(out, plan.Target{Account: r.Account, Region: r.Region})
	}
	return out
}
