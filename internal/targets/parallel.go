package targets

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Each runs fn for every item, at most limit at once, and returns when all
// have returned. fn records its own outcome: Each never cancels the others
// when one fails, because one broken account must not stop a run across an
// organization (the bug c7n-org's users reported). Only ctx stops it: items
// not started by then are not started.
func Each[T any](ctx context.Context, items []T, limit int, fn func(ctx context.Context, i int, item T)) {
	var g errgroup.Group
	g.SetLimit(max(1, limit))
	for i, it := range items {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			fn(ctx, i, it)
			return nil
		})
	}
	_ = g.Wait() // every fn returns nil
}
