package orgrun

import (
	"context"
	"sync"

	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/cleanup"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/targets"
)

// FindLeft lists, in every target of set, what patchready created there
// (of runID alone when it is not empty), found by its tags as cleanup
// finds it in one account and region.
func FindLeft(ctx context.Context, set *targets.Set, parallel int, runID string) ([]Done[cleanup.Found], error) {
	return ForEach(ctx, set, parallel, func(ctx context.Context, c *targets.Conn) (cleanup.Found, error) {
		return cleanup.Find(ctx, c.SSM, runID)
	})
}

// RemoveLeft removes what FindLeft found, target by target in parallel,
// calling removed (serialised) for each resource gone; it returns how many
// went in each target, or why a target stopped.
func RemoveLeft(ctx context.Context, set *targets.Set, parallel int, found []Done[cleanup.Found], log *zap.Logger,
	removed func(plan.Target, cleanup.Resource)) ([]Done[int], error) {
	toRemove := map[string][]cleanup.Resource{}
	for _, f := range found {
		if f.Failure == nil {
			toRemove[f.Target.Key()] = f.Value.Remove
		}
	}
	var mu sync.Mutex
	reached := &targets.Set{}
	for _, c := range set.Conns {
		if len(toRemove[c.Account+"/"+c.Region]) > 0 {
			reached.Conns = append(reached.Conns, c)
		}
	}
	return ForEach(ctx, reached, parallel, func(ctx context.Context, c *targets.Conn) (int, error) {
		n := 0
		t := c.Target()
		err := cleanup.Remove(ctx, c.SSM, toRemove[t.Key()], log, func(r cleanup.Resource) {
			n++
			mu.Lock()
			defer mu.Unlock()
			removed(t, r)
		})
		return n, err
	})
}
