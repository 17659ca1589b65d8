package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/render"
	"github.com/patchready/patchready/internal/targets"
	"github.com/patchready/patchready/internal/unmanaged"
)

// PlanOptions are the flags of `patchready plan` and what it depends on.
type PlanOptions struct {
	IO      *IOStreams
	Session func(context.Context) (*session, error)
	Clock   clock.Clock

	sel              selectionFlags
	Out              string
	Output           string
	NoProbe          bool
	Scan             bool
	DetailedExitcode bool
	Verbose          bool
	rules            ruleFlags
	Strategy         string
	fixes            fixFlags
	tgt              targetFlags

	// Parsed by CheckAndSetDefaults.
	format   render.Format
	selected fleet.Selection
	settings planSettings
	asked    unmanaged.Options
	spec     targets.Spec
}

// NewCmdPlan is `patchready plan`. runF replaces the run function (tests
// check flag parsing with it); nil runs planRun.
func NewCmdPlan(f *Factory, runF func(*PlanOptions) error) *cobra.Command {
	o := &PlanOptions{IO: f.IOStreams, Session: f.Session, Clock: f.Clock}
	cmd := &cobra.Command{
		Use:         "plan",
		Annotations: usesAWS(),
		Short:       "Show what it would take to make the selected nodes ready for Patch Manager",
		Long: `plan reads every selected managed node (DescribeInstanceInformation), runs a
read-only probe on Online Linux nodes that finds the node as AWS-RunPatchBaseline
would (the Python it would use and that Python's requests, curl or wget, the
payload bucket through the agent's proxy, the agent's work directory, /var),
checks each node against Patch Manager's prerequisites (--rules), and prints
what apply would do. It changes nothing on any node (the probe only creates its
own read-only SSM document).

It also lists the running EC2 instances SSM does not manage, which Patch Manager
cannot see (DescribeInstances minus the managed nodes; stopped ones apart), each
with why: no instance profile and Default Host Management off, a profile whose
role lacks AmazonSSMManagedInstanceCore, a disabled metadata service, or, when
credentials are in place, the agent or the network. --enable-dhmc,
--attach-instance-profile NAME and --fix-instance-role ask apply to fix them;
without them the plan says what each would do.

With --scan, the plan ends with Patch Manager's own scan (AWS-RunPatchBaseline,
Operation=Scan: installs nothing, never reboots) on every node the checks find
compliant or fixable: the deepest read-only probe. A node the checks call
compliant whose scan fails is blocked with the scan's reason; a node to fix
stays to fix only when a planned action mends what the scan failed on. It takes
minutes (the scan downloads the patch run's payload) and one SendCommand per 50
nodes per platform, so it is off by default.

Save the plan with --out to review it (patchready show) and apply exactly it
later (patchready apply FILE).

Across an organization: --regions, --all-regions, --accounts, --org, --ou and
--exclude-accounts choose the accounts and regions (targets); every account
but the caller's is reached by assuming --role-name. Targets are planned in
parallel (--parallel-targets) into one plan; a target that cannot be planned
(a role missing or denied, a suspended account, a disabled region, a target
throttled past its retries) is reported with why and what to do, the others
are planned, and plan exits 4.`,
		Example: `  # What would change in eu-west-1?
  patchready plan --region eu-west-1

  # Save a plan of the web tier for review in a pull request
  patchready plan --tag Tier=web --out plan.json -o markdown > plan.md

  # Have Patch Manager itself scan every node the checks pass (minutes)
  patchready plan --scan --out plan.json

  # In CI: exit 2 when anything needs fixing
  patchready plan --detailed-exitcode --no-color

  # Bring the instances without a profile under management, and update them
  patchready plan --attach-instance-profile SSMInstanceProfile --out plan.json

  # Every ACTIVE account of the organization, every region each has enabled
  patchready plan --org --all-regions --out plan.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.CheckAndSetDefaults(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return planRun(cmd.Context(), o)
		},
	}
	o.sel.bind(cmd)
	fl := cmd.Flags()
	fl.StringVar(&o.Out, "out", "", "save the plan to this file (JSON, mode 0600) for show and apply")
	fl.StringVarP(&o.Output, "output", "o", "text", "output format: text, json or markdown")
	fl.BoolVar(&o.NoProbe, "no-probe", false, "skip the read-only probe (the patch-run checks are then not made, and the plan says so)")
	fl.BoolVar(&o.Scan, "scan", false, "end with Patch Manager's own scan (AWS-RunPatchBaseline, Operation=Scan: installs nothing, never reboots) on the nodes the checks pass or can fix; takes minutes, one SendCommand per 50 nodes per platform")
	fl.BoolVar(&o.DetailedExitcode, "detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none")
	fl.BoolVar(&o.Verbose, "verbose", false, "list every node instead of collapsing long groups")
	o.rules.bind(cmd)
	fl.StringVar(&o.Strategy, "strategy", string(plan.DefaultStrategy), strategyFlagHelp())
	o.fixes.bind(cmd)
	o.tgt.bind(cmd)
	return cmd
}

// CheckAndSetDefaults checks the flags and parses the output format, the
// selection and the prerequisites, before anything is read.
func (o *PlanOptions) CheckAndSetDefaults() error {
	var err error
	if o.format, err = render.ParseFormat(o.Output); err != nil {
		return err
	}
	if o.selected, err = o.sel.selection(); err != nil {
		return err
	}
	if o.spec, err = o.tgt.spec(); err != nil {
		return err
	}
	if o.settings, err = o.rules.settings(o.Strategy); err != nil {
		return err
	}
	if o.asked, err = o.fixes.options(); err != nil {
		return err
	}
	err = o.fixes.checkTargets(o.asked, o.spec)
	return err
}

// planRun makes a plan with options that passed CheckAndSetDefaults.
func planRun(ctx context.Context, o *PlanOptions) error {
	ios := o.IO
	sel, settings, format := o.selected, o.settings, o.format
	s, err := o.Session(ctx)
	if err != nil {
		return err
	}
	in := engine.PlanInput{
		Selection: sel, Rules: settings.rules, Strategy: settings.strategy, Probe: !o.NoProbe, Scan: o.Scan,
		Region: s.region, ToolVersion: toolVersion(), RunID: newRunID(o.Clock.Now()), Clock: o.Clock, Logger: s.log,
		Estate: s.estate, Fixes: o.asked,
	}
	var p plan.Plan
	if o.spec.Multi() {
		p, err = planAcross(ctx, s, o.Clock, o.spec, in, ios.ErrOut)
	} else {
		p, err = engine.MakePlan(ctx, s.ssm, in)
	}
	if err != nil {
		return explain(err)
	}
	// Save before rendering: a failed save must not leave the user with a
	// plan on screen that they believe is on disk.
	if o.Out != "" {
		if err := plan.SaveFile(o.Out, p); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	if err := render.Plan(ios.Out, p, format, render.Options{Verbose: o.Verbose, Color: ios.ColorOut()}); err != nil {
		return err
	}
	if o.Out != "" {
		fmt.Fprintf(ios.ErrOut, "\nSaved the plan to %s. Review it, then apply exactly it with:\n  patchready apply %s\n", o.Out, o.Out)
	}
	if failed := p.FailedTargets(); len(failed) > 0 {
		fmt.Fprintf(ios.ErrOut, "\n%d of %d targets could not be planned (exit code %d): %s.\n", len(failed), len(p.Targets), ExitTargetFailed, describeTargets(failed))
		return withExitCode(ExitTargetFailed, nil)
	}
	if o.DetailedExitcode && p.HasChanges() {
		return withExitCode(ExitChanges, nil)
	}
	return nil
}
