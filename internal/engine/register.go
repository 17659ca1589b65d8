package engine

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/terminal"
	"github.com/patchready/patchready/internal/unmanaged"
)

// How an apply brings unmanaged instances under management, then checks
// and fixes them in the same run.
//
// Each instance the plan's fixes act on is a converge target with two
// stages of its own: "register" (remedy.Register: the fixes, then the wait
// until DescribeInstanceInformation shows it Online, bounded by its fixes'
// wait) and "check" (checkStage: the probe and every check by the plan's
// rules, whose result starts the agent update through the plan's strategy
// and gives the node its fixes). From there it is watched like any node.
// The fixes whose scope is a role or the region are made once before the
// watch starts; each instance's own (a profile association) when converge
// sends it its register stage. The target may take its fixes' wait longer
// than --timeout, and counts toward --max-targets like any other.

// Stage names in converge.
const (
	stageRegister = "register"
	stageCheck    = "check"
)

// registerTargets are the nodes the plan's fixes act on.
func registerTargets(p plan.Plan) []remedy.RegisterTarget {
	var out []remedy.RegisterTarget
	for _, np := range p.Nodes {
		if np.Registers() {
			out = append(out, remedy.RegisterTarget{InstanceID: np.Node.InstanceID, Fixes: np.Unmanaged.Fixes})
		}
	}
	return out
}

// startRegistration makes the region's and roles' fixes and returns the
// stages that register and check the targets.
func startRegistration(ctx context.Context, api *ssm.Client, in ApplyInput, regs []remedy.RegisterTarget, agents *agentUpdaters,
	fix *fixStage, scan *remedy.Scan, ropts remedy.Options, j *remedy.Journal) (*remedy.Register, *checkStage, error) {
	if in.Estate == nil {
		return nil, nil, terminal.Error(fmt.Errorf("the plan brings %d unmanaged instances under management, which needs EC2 and IAM clients, and this apply has none", len(regs)))
	}
	log := in.Logger
	readBack := func(ctx context.Context, ids []string) (map[string]fleet.Node, error) {
		nodes, err := fleet.ReadBack(ctx, api, ids, 0, log)
		if awsclient.IsAccessDenied(err) {
			err = terminal.Error(err)
		}
		return nodes, err
	}
	reg, err := remedy.NewRegister(in.Estate.writers(api), in.Plan.Registration.Fixes, regs, readBack, ropts)
	if err != nil {
		return nil, nil, err
	}
	if err := reg.Start(ctx); err != nil {
		return nil, nil, err
	}
	log.Info("fixes for unmanaged instances made; waiting for them to register", zap.Int("instances", len(regs)))
	check := newCheckStage(api, in.Plan, agents, fix, j, in.RunID, in.Clock, log)
	check.scan = scan
	return reg, check, nil
}

// registerIDs are the IDs of regs.
func registerIDs(regs []remedy.RegisterTarget) []string {
	out := make([]string, len(regs))
	for i, r := range regs {
		out[i] = r.InstanceID
	}
	return out
}

// currentUnmanaged reads the plan's unmanaged targets as they stand now:
// from SSM those that have registered since, from EC2 and IAM the others,
// for the stale-plan check.
func currentUnmanaged(ctx context.Context, api *ssm.Client, e *Estate, p plan.Plan, log *zap.Logger) ([]fleet.Node, error) {
	var ids []string
	for _, np := range p.Nodes {
		if np.Registers() {
			ids = append(ids, np.Node.InstanceID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if e == nil {
		return nil, terminal.Error(fmt.Errorf("the plan brings %d unmanaged instances under management, which needs EC2 and IAM clients, and this apply has none", len(ids)))
	}
	managed, err := fleet.ReadBack(ctx, api, ids, 0, log)
	if err != nil {
		return nil, fmt.Errorf("re-read unmanaged instances: %w", err)
	}
	known := make(map[string]bool, len(managed))
	var out []fleet.Node
	for id, n := range managed {
		known[id] = true
		out = append(out, n)
	}
	_, nodes, err := unmanaged.Discover(ctx, e.readers(api), unmanaged.Input{
		Selection: fleet.Selection{InstanceIDs: ids}, Managed: known, Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("re-read unmanaged instances: %w", err)
	}
	return append(out, nodes...), nil
}
