package fleet

import (
	"context"
	"fmt"

	"go.uber.org/zap"
)

// ReadBackCalls returns what reading nIDs nodes back costs in
// DescribeInstanceInformation calls, both ways: filtered by InstanceIds in
// chunks of 50, or one listing of a fleet of fleetSize nodes (at least one
// call, even for an empty fleet). Empty pages the service inserts are not
// counted: they add to both ways alike.
func ReadBackCalls(nIDs, fleetSize int) (perBatch, fullListing int) {
	return ceilDiv(nIDs, IDsPerQuery), max(1, ceilDiv(fleetSize, PageSize))
}

// ReadBackPlan reports whether reading nIDs nodes back is cheaper (or as
// cheap) by InstanceIds chunks than by one listing of the whole fleet. A
// fleetSize ≤ 0 means unknown, and chooses the chunks, whose cost does not
// depend on the fleet.
func ReadBackPlan(nIDs, fleetSize int) (perBatch bool) {
	if fleetSize <= 0 {
		return true
	}
	b, f := ReadBackCalls(nIDs, fleetSize)
	return b <= f
}

// ReadBack reads the current state of the given nodes, for verification after
// a change. fleetSize is the number of nodes the last discovery saw (0 if
// unknown); it decides, through ReadBackPlan, whether the nodes are read in
// filtered chunks or picked out of one full listing: whichever makes fewer
// calls. Nodes that are gone (terminated, deregistered) are simply absent
// from the result.
func ReadBack(ctx context.Context, api DiscoverAPI, ids []string, fleetSize int, log *zap.Logger) (map[string]Node, error) {
	if log == nil {
		log = zap.NewNop()
	}
	sel, err := Selection{InstanceIDs: ids}.Normalize()
	if err != nil {
		return nil, fmt.Errorf("read back: %w", err)
	}
	out := make(map[string]Node, len(sel.InstanceIDs))
	if len(sel.InstanceIDs) == 0 {
		return out, nil
	}
	match := matcher(sel)
	keep := func(n Node) {
		if match(n) {
			out[n.InstanceID] = n
		}
	}
	perBatch := ReadBackPlan(len(sel.InstanceIDs), fleetSize)
	listed := sel
	if !perBatch {
		listed.InstanceIDs = nil // one listing of the fleet; match picks the IDs
	}
	calls, err := listSelection(ctx, api, listed, keep, log)
	if err != nil {
		return nil, fmt.Errorf("read back: %w", err)
	}
	log.Debug("read back nodes", zap.Int("requested", len(sel.InstanceIDs)), zap.Int("found", len(out)),
		zap.Bool("per_batch", perBatch), zap.Int("calls", calls))
	return out, nil
}

func ceilDiv(n, d int) int {
	if n <= 0 {
		return 0
	}
	return (n + d - 1) / d
}
