package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/probe"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/unmanaged"
)

// PlanInput is everything a plan is made from besides the account.
type PlanInput struct {
	Selection fleet.Selection
	Rules     prereq.Rules
	Strategy  plan.Strategy
	Probe     bool
	// Scan ends the plan with Patch Manager's own scan (AWS-RunPatchBaseline,
	// Operation=Scan) on every node the preflight found compliant or
	// fixable, tuned by ScanOptions: the deepest read-only probe, which
	// takes minutes and downloads the patch run's payload.
	Scan        bool
	ScanOptions ScanOptions
	Region      string
	Account     string
	ToolVersion string
	// RunID tags the probe document if it has to be created.
	RunID  string
	Clock  clock.Clock
	Logger *zap.Logger
	// ProbeOptions tune the probe's polling; Clock and Logger are filled in.
	ProbeOptions probe.Options
	// Estate, when set, finds the EC2 instances SSM does not manage in the
	// selection; nil leaves them out of the plan (which then says so).
	Estate *Estate
	// Fixes are the opt-in fixes that bring unmanaged instances under
	// management (they need Estate).
	Fixes unmanaged.Options
}

// MakePlan discovers the selected nodes, probes the Linux ones (unless
// turned off), evaluates every node and builds the plan.
func MakePlan(ctx context.Context, api *ssm.Client, in PlanInput) (plan.Plan, error) {
	log := in.Logger
	if log == nil {
		log = zap.NewNop()
	}
	c := in.Clock
	if c == nil {
		c = clock.Real{}
	}
	nodes, err := fleet.Discover(ctx, api, in.Selection, log)
	if err != nil {
		return plan.Plan{}, err
	}
	log.Info("discovered managed nodes", zap.Int("nodes", len(nodes)))
	reg, extra, err := discoverUnmanaged(ctx, api, nodes, in, log)
	if err != nil {
		return plan.Plan{}, err
	}
	if in.Probe {
		if err := runProbe(ctx, api, nodes, in, c, log); err != nil {
			return plan.Plan{}, err
		}
	} else {
		skipProbe(nodes)
	}
	evals := prereq.Evaluate(nodes, in.Rules)
	all := append(nodes, extra...)
	opts := plan.Options{
		ToolVersion: in.ToolVersion,
		CreatedAt:   c.Now().UTC(),
		Region:      in.Region,
		Account:     in.Account,
		Selection:   in.Selection,
		Rules:       in.Rules,
		Strategy:    in.Strategy,
		ProbeRan:    in.Probe,
		Unmanaged:   reg,
		Fixes:       in.Fixes,
	}
	p := plan.Build(all, evals, opts)
	if err := refuseImpossibleFixes(p); err != nil {
		return p, err
	}
	if !in.Scan {
		return p, nil
	}
	// The preflight's verdicts choose what to scan; the scan's results then
	// correct them (plan.NodeScan), in a plan built again from the same
	// facts.
	scans, err := runPlanScan(ctx, api, scanCandidates(p), in.RunID, in.ScanOptions, c, log)
	if err != nil {
		return plan.Plan{}, fmt.Errorf("patch scan: %w", err)
	}
	opts.Scanned, opts.Scans = true, scans
	return plan.Build(all, evals, opts), nil
}

// discoverUnmanaged finds the EC2 instances of the selection that SSM does
// not manage (none when no Estate is given).
func discoverUnmanaged(ctx context.Context, api *ssm.Client, managed []fleet.Node, in PlanInput, log *zap.Logger) (*unmanaged.Region, []fleet.Node, error) {
	if in.Estate == nil {
		if in.Fixes.Any() {
			return nil, nil, errors.New("the fixes for unmanaged instances need EC2 and IAM clients, and this plan has none")
		}
		return nil, nil, nil
	}
	sel, err := in.Selection.Normalize()
	if err != nil {
		return nil, nil, err
	}
	ids := make(map[string]bool, len(managed))
	for _, n := range managed {
		ids[n.InstanceID] = true
	}
	reg, nodes, err := unmanaged.Discover(ctx, in.Estate.readers(api), unmanaged.Input{
		Selection: sel, Managed: ids, AttachProfile: in.Fixes.AttachProfile, Logger: log,
		Confirm: func(ctx context.Context, ids []string) (map[string]fleet.Node, error) {
			return fleet.ReadBack(ctx, api, ids, 0, log)
		},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("unmanaged instances: %w", err)
	}
	return &reg, nodes, nil
}

// refuseImpossibleFixes refuses a plan that asks for a fix that cannot
// work as things stand (a profile that does not exist, a role that cannot
// be used): the reviewer would otherwise approve a change that does
// nothing.
func refuseImpossibleFixes(p plan.Plan) error {
	if p.Registration == nil {
		return nil
	}
	if p.Registration.Asked.Any() && !p.Registration.Searched {
		return fmt.Errorf("fixes for unmanaged instances asked for, but %s", p.Registration.Note)
	}
	for _, fp := range p.Registration.Fixes {
		if fp.Requested && fp.Cannot != "" {
			return fmt.Errorf("%s: %s", fp.Flag, fp.Cannot)
		}
	}
	// Asked for with no instance to act on, a profile that cannot work is
	// still a mistake worth stopping on.
	if a := p.Registration.Asked.AttachProfile; a != "" && p.Registration.Searched {
		if why := unmanaged.ProfileCannot(p.Registration.Profile, a); why != "" {
			return fmt.Errorf("--attach-instance-profile %s: %s", a, why)
		}
	}
	return nil
}

func runProbe(ctx context.Context, api *ssm.Client, nodes []fleet.Node, in PlanInput, c clock.Clock, log *zap.Logger) error {
	needed := false
	for _, n := range nodes {
		if probe.Eligible(n) {
			needed = true
			break
		}
	}
	if !needed {
		return nil
	}
	opts := in.ProbeOptions
	opts.Clock, opts.Logger = c, log
	opts.DocumentTags = managedTags(in.RunID, "probe")
	facts, err := probe.Run(ctx, api, nodes, opts)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	for i := range nodes {
		if f, ok := facts[nodes[i].InstanceID]; ok {
			nodes[i].Probe = f
		}
	}
	return nil
}

// skipProbe marks every Linux node as not probed, so the plan says its
// patch-run checks were not made instead of assuming they pass.
func skipProbe(nodes []fleet.Node) {
	for i := range nodes {
		if nodes[i].PlatformType == fleet.PlatformLinux {
			nodes[i].Probe = &fleet.ProbeFacts{Status: fleet.ProbeSkipped, Reason: "probe turned off (--no-probe)"}
		}
	}
}

func managedTags(runID, purpose string) map[string]string {
	return map[string]string{remedy.TagManaged: "true", remedy.TagRunID: runID, remedy.TagPurpose: purpose}
}
