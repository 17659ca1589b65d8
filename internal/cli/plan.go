package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/render"
)

// PlanOptions are the flags of `patchready plan`.
type PlanOptions struct {
	sel              selectionFlags
	Out              string
	Output           string
	NoProbe          bool
	DetailedExitcode bool
	Verbose          bool
	rules            ruleFlags
	Strategy         string
}

func init() { subcommands = append(subcommands, newPlanCmd) }

func newPlanCmd(ios *IOStreams, g *GlobalOptions) *cobra.Command {
	o := &PlanOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what it would take to make the selected nodes ready for Patch Manager",
		Long: `plan reads every selected managed node (DescribeInstanceInformation), runs a
read-only probe on Online Linux nodes that finds the node as AWS-RunPatchBaseline
would (the Python it would use and that Python's requests, curl or wget, the
payload bucket through the agent's proxy, the agent's work directory, /var),
checks each node against Patch Manager's prerequisites (--rules), and prints
what apply would do. It changes nothing on any node (the probe only creates its
own read-only SSM document).

Save the plan with --out to review it (patchready show) and apply exactly it
later (patchready apply FILE).`,
		Example: `  # What would change in eu-west-1?
  patchready plan --region eu-west-1

  # Save a plan of the web tier for review in a pull request
  patchready plan --tag Tier=web --out plan.json -o markdown > plan.md

  # In CI: exit 2 when anything needs fixing
  patchready plan --detailed-exitcode --no-color`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return planRun(cmd.Context(), ios, g, o)
		},
	}
	o.sel.bind(cmd)
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "", "save the plan to this file (JSON, mode 0600) for show and apply")
	f.StringVarP(&o.Output, "output", "o", "text", "output format: text, json or markdown")
	f.BoolVar(&o.NoProbe, "no-probe", false, "skip the read-only probe (the patch-run checks are then not made, and the plan says so)")
	f.BoolVar(&o.DetailedExitcode, "detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none")
	f.BoolVar(&o.Verbose, "verbose", false, "list every node instead of collapsing long groups")
	o.rules.bind(cmd)
	f.StringVar(&o.Strategy, "strategy", string(plan.DefaultStrategy), strategyFlagHelp())
	return cmd
}

func planRun(ctx context.Context, ios *IOStreams, g *GlobalOptions, o *PlanOptions) error {
	format, err := render.ParseFormat(o.Output)
	if err != nil {
		return err
	}
	sel, err := o.sel.selection()
	if err != nil {
		return err
	}
	settings, err := o.rules.settings(o.Strategy)
	if err != nil {
		return err
	}
	s, err := g.session(ctx, ios)
	if err != nil {
		return err
	}
	p, err := engine.MakePlan(ctx, s.ssm, engine.PlanInput{
		Selection: sel, Rules: settings.rules, Strategy: settings.strategy, Probe: !o.NoProbe,
		Region: s.region, ToolVersion: toolVersion(), RunID: newRunID(s.clock.Now()), Clock: s.clock, Logger: s.log,
	})
	if err != nil {
		return explain(err)
	}
	// Save before rendering: a failed save must not leave the user with a
	// plan on screen that they believe is on disk.
	if o.Out != "" {
		if err := plan.SaveFile(o.Out, p); err != nil {
			return fmt.Errorf("save plan: %w", err)
		}
	}
	if err := render.Plan(ios.Out, p, format, render.Options{Verbose: o.Verbose, Color: g.color(ios)}); err != nil {
		return err
	}
	if o.Out != "" {
		fmt.Fprintf(ios.ErrOut, "\nSaved the plan to %s. Review it, then apply exactly it with:\n  patchready apply %s\n", o.Out, o.Out)
	}
	if o.DetailedExitcode && p.HasChanges() {
		return withExitCode(ExitChanges, nil)
	}
	return nil
}

var errInterrupted = errors.New("interrupted")
