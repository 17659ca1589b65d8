package engine

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/probe"
	"github.com/patchready/patchready/internal/remedy"
)

// PlanInput is everything a plan is made from besides the account.
type PlanInput struct {
	Selection   fleet.Selection
	Rules       prereq.Rules
	Strategy    plan.Strategy
	Probe       bool
	Region      string
	Account     string
	ToolVersion string
	// RunID tags the probe document if it has to be created.
	RunID  string
	Clock  clock.Clock
	Logger *zap.Logger
	// ProbeOptions tune the probe's polling; Clock and Logger are filled in.
	ProbeOptions probe.Options
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
	if in.Probe {
		if err := runProbe(ctx, api, nodes, in, c, log); err != nil {
			return plan.Plan{}, err
		}
	} else {
		skipProbe(nodes)
	}
	evals := prereq.Evaluate(nodes, in.Rules)
	return plan.Build(nodes, evals, plan.Options{
		ToolVersion: in.ToolVersion,
		CreatedAt:   c.Now().UTC(),
		Region:      in.Region,
		Account:     in.Account,
		Selection:   in.Selection,
		Rules:       in.Rules,
		Strategy:    in.Strategy,
		ProbeRan:    in.Probe,
	}), nil
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
			f := f
			nodes[i].Probe = &f
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
