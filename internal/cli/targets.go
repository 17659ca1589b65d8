package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/orgrun"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/targets"
)

// targetFlags are the flags that say which accounts and regions a command
// covers (plan, apply, heal, cleanup, schedule). Without them a command
// covers the caller's own account in its own region, exactly as before.
type targetFlags struct {
	regions    listValue
	allRegions bool
	accounts   listValue
	org        bool
	exclude    listValue
	ous        listValue
	roleName   nonEmptyValue
	externalID nonEmptyValue
	parallel   int
}

// targetFlagNames are the target flags, by name.
var targetFlagNames = []string{"regions", "all-regions", "accounts", "org", "exclude-accounts", "ou", "role-name", "external-id", "parallel-targets"}

// targetChoosingFlags choose targets (the others say how to reach them).
var targetChoosingFlags = []string{"regions", "all-regions", "accounts", "org", "exclude-accounts", "ou"}

func (f *targetFlags) bind(cmd *cobra.Command) {
	fl := cmd.Flags()
	f.regions.what, f.accounts.what, f.exclude.what, f.ous.what = "region names", "account IDs", "account IDs", "OU IDs"
	f.roleName.what, f.externalID.what = "a role name", "the external ID the role's trust policy asks for"
	fl.Var(&f.regions, "regions", "cover these regions (comma-separated or repeated), in every account covered")
	fl.BoolVar(&f.allRegions, "all-regions", false, "cover every region enabled in each account (ec2:DescribeRegions: opt-in regions differ between accounts)")
	fl.Var(&f.accounts, "accounts", "cover these accounts, reached through --role-name (comma-separated or repeated)")
	fl.BoolVar(&f.org, "org", false, "cover every ACTIVE account of the caller's AWS Organization (organizations:ListAccounts)")
	fl.Var(&f.exclude, "exclude-accounts", "leave these accounts out")
	fl.Var(&f.ous, "ou", "cover the ACTIVE accounts under these OUs, whole subtrees (implies --org)")
	fl.Var(&f.roleName, "role-name", "role assumed in every account but the caller's own (default "+targets.DefaultRoleName+")")
	fl.Var(&f.externalID, "external-id", "external ID passed when assuming the role, when its trust policy asks for one")
	fl.IntVar(&f.parallel, "parallel-targets", 0, fmt.Sprintf("targets (account × region) run at once (default %d)", targets.DefaultParallel))
}

// chooses reports whether any flag choosing targets was given.
func (f *targetFlags) chooses() bool {
	return len(f.regions.items)+len(f.accounts.items)+len(f.exclude.items)+len(f.ous.items) > 0 || f.allRegions || f.org
}

// spec parses the flags into a checked spec.
func (f *targetFlags) spec() (targets.Spec, error) {
	s := targets.Spec{
		Regions: f.regions.items, AllRegions: f.allRegions, Accounts: f.accounts.items, Org: f.org,
		Exclude: f.exclude.items, OUs: f.ous.items, RoleName: f.roleName.value, ExternalID: f.externalID.value,
		Parallel: f.parallel,
	}
	err := s.CheckAndSetDefaults()
	return s, err
}

// newHub is the caller as the hub of a run across targets: its identity,
// and how it reaches every account and region.
func (s *session) newHub(ctx context.Context, spec targets.Spec, clk clock.Clock, runID string) (*targets.Hub, error) {
	h, err := targets.NewHub(ctx, targets.HubConfig{
		Config: s.cfg, Endpoint: s.endpoint, Spec: spec, Clock: clk, MaxBackoff: s.maxBackoff,
		SSMOptions: ssmOptions(s), Logger: s.log, SessionName: "patchready-" + runID,
		EC2Options: ec2Options(s), IAMOptions: iamOptions(s),
	})
	if err != nil {
		return nil, explain(err)
	}
	return h, nil
}

// resolveTargets finds the spec's targets and says on stderr which
// accounts the organization lists that the run leaves out.
func resolveTargets(ctx context.Context, h *targets.Hub, spec targets.Spec, errOut io.Writer) (*targets.Set, error) {
	set, err := targets.Resolve(ctx, h, spec)
	if err != nil {
		return nil, explain(err)
	}
	for _, sk := range set.Skipped {
		fmt.Fprintf(errOut, "Leaving out account %s%s: %s.\n", sk.Account, nameSuffix(sk.Name), sk.Why)
	}
	if len(set.Conns) == 0 && len(set.Failed) == 0 {
		return nil, fmt.Errorf("%w: check --accounts, --exclude-accounts, --ou and --regions", targets.ErrNoTargets)
	}
	return set, nil
}

func nameSuffix(name string) string {
	if name == "" {
		return ""
	}
	return " (" + name + ")"
}

// planAcross makes one plan across the spec's targets.
func planAcross(ctx context.Context, s *session, clk clock.Clock, spec targets.Spec, in engine.PlanInput, errOut io.Writer) (plan.Plan, error) {
	h, err := s.newHub(ctx, spec, clk, in.RunID)
	if err != nil {
		return plan.Plan{}, err
	}
	set, err := resolveTargets(ctx, h, spec, errOut)
	if err != nil {
		return plan.Plan{}, err
	}
	fmt.Fprintf(errOut, "Planning %d targets (%d could not be reached), %d at a time.\n", len(set.Conns), len(set.Failed), spec.Parallel)
	p, err := orgrun.MakePlan(ctx, set, in, orgrun.PlanOptions{Parallel: spec.Parallel})
	return p, explain(err)
}

// planTargets lists the targets of a plan that were planned.
func planTargets(p plan.Plan) []plan.Target {
	var out []plan.Target
	for _, t := range p.Targets {
		if !t.Failed() {
			out = append(out, t)
		}
	}
	return out
}

// describeTargets names targets in one line for messages.
func describeTargets(ts []plan.Target) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, t.Key())
	}
	if len(parts) > 6 {
		parts = append(parts[:5], fmt.Sprintf("… (%d in all)", len(ts)))
	}
	return strings.Join(parts, ", ")
}

// ssmOptions are the options every SSM client of the session gets: the
// call counter, so that metrics and summaries count every target's calls.
func ec2Options(s *session) []func(*ec2.Options) {
	if s.calls == nil {
		return nil
	}
	return []func(*ec2.Options){s.calls.EC2Options}
}

func iamOptions(s *session) []func(*iam.Options) {
	if s.calls == nil {
		return nil
	}
	return []func(*iam.Options){s.calls.IAMOptions}
}

func ssmOptions(s *session) []func(*ssm.Options) {
	if s.calls == nil {
		return nil
	}
	return []func(*ssm.Options){s.calls.Options}
}

// failedTargetsError reports on errOut the targets a command could not
// work in, with why and what to do, and returns exit code 4 when any.
func failedTargetsError(errOut io.Writer, failed []plan.Target) error {
	if len(failed) == 0 {
		return nil
	}
	fmt.Fprintf(errOut, "\n%d targets failed (the others were done):\n", len(failed))
	for _, f := range failed {
		fmt.Fprintf(errOut, "  ✗ %s: %s\n", f.Key(), f.Failure.Reason)
		if f.Failure.Advice != "" {
			fmt.Fprintf(errOut, "      what to do: %s\n", f.Failure.Advice)
		}
	}
	return withExitCode(ExitTargetFailed, nil)
}

// acrossTargets runs fn in every target of spec, at most spec.Parallel at
// once, hands each target's value to show in target order, and reports the
// targets that failed (exit code 4). For commands that work target by
// target: schedule install, show and remove.
func acrossTargets[T any](ctx context.Context, s *session, spec targets.Spec, clk clock.Clock, errOut io.Writer,
	fn func(context.Context, *targets.Conn) (T, error), show func(plan.Target, T)) error {
	h, err := s.newHub(ctx, spec, clk, "schedule")
	if err != nil {
		return err
	}
	set, err := resolveTargets(ctx, h, spec, errOut)
	if err != nil {
		return err
	}
	done, err := orgrun.ForEach(ctx, set, spec.Parallel, fn)
	if err != nil {
		return explain(err)
	}
	var failed []plan.Target
	for _, d := range done {
		// What a target did before it failed is shown too.
		show(d.Target, d.Value)
		if d.Failure != nil {
			f := d.Target
			f.Failure = d.Failure
			failed = append(failed, f)
		}
	}
	return failedTargetsError(errOut, failed)
}
