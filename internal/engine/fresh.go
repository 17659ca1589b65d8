package engine

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
)

// checkFresh re-reads the nodes the plan acts on and refuses a stale plan.
// The probe is not re-run: the probe facts recorded in the plan are carried
// over, and the upgrade document checks the installed version itself. The
// unmanaged instances the plan's fixes act on are read again from EC2 and
// IAM, or from SSM once they have registered.
func checkFresh(ctx context.Context, api *ssm.Client, e *Estate, p plan.Plan, log *zap.Logger) error {
	var ids []string
	probes := map[string]*fleet.ProbeFacts{}
	for _, np := range p.Nodes {
		if len(np.Actions) > 0 && !np.Node.Unmanaged() {
			ids = append(ids, np.Node.InstanceID)
			probes[np.Node.InstanceID] = np.Node.Probe
		}
	}
	got, err := fleet.ReadBack(ctx, api, ids, fleetSize(p), log)
	if err != nil {
		return fmt.Errorf("re-read planned nodes: %w", err)
	}
	current := make([]fleet.Node, 0, len(got))
	for _, n := range got {
		n.Probe = probes[n.InstanceID]
		current = append(current, n)
	}
	extra, err := currentUnmanaged(ctx, api, e, p, log)
	if err != nil {
		return err
	}
	current = append(current, extra...)
	sort.Slice(current, func(i, j int) bool { return current[i].InstanceID < current[j].InstanceID })
	log.Info("re-read planned nodes", zap.Int("nodes", len(current)))
	return plan.CheckStale(p, current)
}

// fleetSize tells ReadBack how big one full listing would be, so it can
// pick the cheaper way to read nodes back. A plan of a selection saw only
// part of the fleet, so its size says nothing about a full listing: 0
// (unknown) makes ReadBack read by InstanceIds chunks.
func fleetSize(p plan.Plan) int {
	s := p.Selection
	if len(s.InstanceIDs) > 0 || len(s.Tags) > 0 || s.Platform != "" {
		return 0
	}
	// Unmanaged instances are not in a listing of managed nodes.
	return len(p.Nodes) - p.Summary.Unmanaged + len(s.ExcludeInstanceIDs)
}
