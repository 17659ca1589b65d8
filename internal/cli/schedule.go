package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/render"
	"github.com/patchready/patchready/internal/schedule"
	"github.com/patchready/patchready/internal/targets"
)

// ScheduleOptions are the flags of `patchready schedule install` and what
// it depends on.
type ScheduleOptions struct {
	IO      *IOStreams
	Session func(context.Context) (*session, error)
	Clock   clock.Clock

	Schedule       string
	Tag            string
	RequestsTag    string
	MaxConcurrency string
	MaxErrors      string

	tgt targetFlags

	// given are the flags on the command line, set by NewCmdScheduleInstall.
	given map[string]bool
	// spec is what install makes, set by CheckAndSetDefaults.
	spec schedule.Spec
	// targets are the target flags', set by CheckAndSetDefaults.
	targets targets.Spec
}

// NewCmdSchedule is `patchready schedule` and its subcommands.
func NewCmdSchedule(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Install, show or remove AWS-native recurring associations that keep agents current",
		Long: `schedule manages two State Manager associations that AWS runs on a schedule,
with nothing of patchready's running in between:

  patchready-schedule-update-agent      AWS-UpdateSSMAgent on every node
                                         (InstanceIds=*) or on nodes with --tag
  patchready-schedule-upgrade-requests  patchready's requests upgrade on the
                                         proxied Amazon Linux nodes (--requests-tag)

This is the hands-off route, as AWS's own agent auto-update is: cheap and
independent of any machine of yours, but nothing reads the result back,
checks the OS, or backs off a node that keeps failing. For that, run
'patchready heal' on a schedule instead (or as well).

install, show and remove take the target flags (--org, --all-regions, ...)
to work in every account and region of an organization at once; a target
that cannot be reached is reported and the others are done (exit code 4).`,
		Example: `  patchready schedule install --region eu-west-1
  patchready schedule show
  patchready schedule remove`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(NewCmdScheduleInstall(f, nil), NewCmdScheduleShow(f, nil), NewCmdScheduleRemove(f, nil))
	return cmd
}

// NewCmdScheduleInstall is `patchready schedule install`; runF replaces
// scheduleInstallRun in tests.
func NewCmdScheduleInstall(f *Factory, runF func(*ScheduleOptions) error) *cobra.Command {
	o := &ScheduleOptions{IO: f.IOStreams, Session: f.Session, Clock: f.Clock}
	cmd := &cobra.Command{
		Use:         "install",
		Annotations: usesAWS(),
		Short:       "Create or update the recurring associations (idempotent)",
		Long: `install creates the two schedule associations, or updates them in place when
the schedule, targets or rate controls differ; running it again changes
nothing. It also creates or updates the patchready-Fix document, whose
requests step the second association runs: it raises requests for the
interpreter AWS-RunPatchBaseline itself uses, with that interpreter's pip, and
does nothing on a node whose requests is already current.

The requests upgrade targets nodes by tag because SSM cannot see a proxy:
tag your proxied Amazon Linux nodes with patchready:proxied=true (or the tag
you pass as --requests-tag). 'patchready plan' shows which nodes are proxied:
its probe reads each Amazon Linux node's agent proxy settings.

If an association not made by patchready already runs AWS-UpdateSSMAgent on
the same targets (Quick Setup's agent auto-update, for instance), SSM allows
no second one; install reports it and leaves it as it is.`,
		Example: `  # Every node, every 14 days (AWS's own cadence)
  patchready schedule install

  # Only production nodes, every Sunday at 03:00 UTC
  patchready schedule install --tag Environment=prod --schedule 'cron(0 3 ? * SUN *)'

  # Proxied nodes carry your own tag
  patchready schedule install --requests-tag Proxy=corp`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.given = givenFlags(cmd)
			if err := o.CheckAndSetDefaults(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return scheduleInstallRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Schedule, "schedule", schedule.DefaultSchedule, "when the associations run: rate(...) of 30 minutes to 30 days, or cron(...)")
	fl.StringVar(&o.Tag, "tag", "", "update the agent only on nodes with this tag, KEY=VALUE (default: every node)")
	fl.StringVar(&o.RequestsTag, "requests-tag", schedule.DefaultRequestsTag.Key+"="+schedule.DefaultRequestsTag.Value, "tag of the proxied Amazon Linux nodes whose requests module is upgraded, KEY=VALUE")
	fl.StringVar(&o.MaxConcurrency, "max-concurrency", "10%", "nodes updated at once, a number or percentage")
	fl.StringVar(&o.MaxErrors, "max-errors", "10%", "errors after which SSM stops a run, a number or percentage")
	o.tgt.bind(cmd)
	return cmd
}

// CheckAndSetDefaults checks the flags and builds the spec, before
// anything is read or created.
func (o *ScheduleOptions) CheckAndSetDefaults() error {
	// An empty value would fall back to a default (every node, the
	// default schedule) instead of what was meant.
	for _, f := range []struct{ name, value, what string }{
		{"tag", o.Tag, "KEY=VALUE"}, {"requests-tag", o.RequestsTag, "KEY=VALUE"}, {"schedule", o.Schedule, "a rate(...) or cron(...) expression"},
	} {
		if o.given[f.name] && strings.TrimSpace(f.value) == "" {
			return emptyValue(f.name, f.value, f.what)
		}
	}
	if !reMaxConcurrency.MatchString(o.MaxConcurrency) || len(o.MaxConcurrency) > 7 {
		return fmt.Errorf("--max-concurrency %q: use a number from 1, or a percentage from 1%% to 100%%", o.MaxConcurrency)
	}
	if !reMaxErrors.MatchString(o.MaxErrors) || len(o.MaxErrors) > 7 {
		return fmt.Errorf("--max-errors %q: use a number from 0, or a percentage from 0%% to 100%%", o.MaxErrors)
	}
	if err := schedule.ValidateExpression(o.Schedule); err != nil {
		return fmt.Errorf("--schedule %q: %w", o.Schedule, err)
	}
	spec := schedule.Spec{Schedule: o.Schedule, MaxConcurrency: o.MaxConcurrency, MaxErrors: o.MaxErrors,
		MinRequestsVersion: prereq.Default().MinRequestsVersion}
	if o.Tag != "" {
		t, err := parseTag(o.Tag)
		if err != nil {
			return fmt.Errorf("--tag: %w", err)
		}
		spec.AgentTag = &t
	}
	rt, err := parseTag(o.RequestsTag)
	if err != nil {
		return fmt.Errorf("--requests-tag: %w", err)
	}
	spec.RequestsTag = rt
	o.spec = spec
	o.targets, err = o.tgt.spec()
	return err
}

// scheduleInstallRun installs the schedule, with options that passed
// CheckAndSetDefaults.
func scheduleInstallRun(ctx context.Context, o *ScheduleOptions) error {
	ios := o.IO
	spec := o.spec
	s, err := o.Session(ctx)
	if err != nil {
		return err
	}
	printChange := func(c schedule.Change, where string) {
		fmt.Fprintf(ios.Out, "%-9s %s (%s): %s %s on %s%s\n", c.Action, c.Name, c.ID, c.Document, c.Schedule, c.Targets, where)
		if c.Detail != "" {
			fmt.Fprintf(ios.Out, "          %s\n", c.Detail)
		}
	}
	if o.targets.Multi() {
		return acrossTargets(ctx, s, o.targets, o.Clock, ios.ErrOut, func(ctx context.Context, c *targets.Conn) ([]schedule.Change, error) {
			return schedule.Install(ctx, c.SSM, spec, schedule.Options{Clock: o.Clock, Logger: s.log})
		}, func(t plan.Target, changes []schedule.Change) {
			for _, c := range changes {
				printChange(c, " in "+t.Key())
			}
		})
	}
	changes, err := schedule.Install(ctx, s.ssm, spec, schedule.Options{Clock: o.Clock, Logger: s.log})
	for _, c := range changes {
		printChange(c, "")
	}
	return explain(err)
}

// ScheduleShowOptions are the flags of `patchready schedule show` and what
// it depends on.
type ScheduleShowOptions struct {
	IO      *IOStreams
	Session func(context.Context) (*session, error)
	Clock   clock.Clock
	Output  string
	tgt     targetFlags
	targets targets.Spec
}

// NewCmdScheduleShow is `patchready schedule show`; runF replaces
// scheduleShowRun in tests.
func NewCmdScheduleShow(f *Factory, runF func(*ScheduleShowOptions) error) *cobra.Command {
	o := &ScheduleShowOptions{IO: f.IOStreams, Session: f.Session, Clock: f.Clock}
	cmd := &cobra.Command{
		Use:         "show",
		Annotations: usesAWS(),
		Short:       "Show the schedule associations and their last run",
		Example: `  patchready schedule show --region eu-west-1
  patchready schedule show -o json | jq '.associations[] | {name, last_run_status}'
  patchready schedule show --org --all-regions`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Output != "text" && o.Output != "json" {
				return fmt.Errorf("-o %q: schedule show prints text or json", o.Output)
			}
			var err error
			if o.targets, err = o.tgt.spec(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return scheduleShowRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	o.tgt.bind(cmd)
	return cmd
}

func scheduleShowRun(ctx context.Context, o *ScheduleShowOptions) error {
	s, err := o.Session(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	if o.targets.Multi() {
		doc := scheduleShowJSON{FormatVersion: render.ReportFormatVersion, Associations: []schedule.Status{}, Targets: []scheduleTargetJSON{}}
		if o.Output != "json" {
			fmt.Fprintln(tw, "ACCOUNT\tREGION\tNAME\tID\tSCHEDULE\tTARGETS\tLAST RUN\tSTATUS")
		}
		err := acrossTargets(ctx, s, o.targets, o.Clock, o.IO.ErrOut, func(ctx context.Context, c *targets.Conn) ([]schedule.Status, error) {
			return schedule.Show(ctx, c.SSM)
		}, func(t plan.Target, sts []schedule.Status) {
			doc.Targets = append(doc.Targets, scheduleTargetJSON{Account: t.Account, Region: t.Region, Associations: orEmpty(sts)})
			for _, st := range sts {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Account, t.Region, statusRow(st))
			}
		})
		if o.Output == "json" {
			if werr := writeJSON(o.IO.Out, doc); err == nil {
				err = werr
			}
			return err
		}
		if ferr := tw.Flush(); err == nil {
			err = ferr
		}
		return err
	}
	sts, err := schedule.Show(ctx, s.ssm)
	if err != nil {
		return explain(err)
	}
	if o.Output == "json" {
		return writeJSON(o.IO.Out, scheduleShowJSON{FormatVersion: render.ReportFormatVersion, Associations: orEmpty(sts)})
	}
	fmt.Fprintln(tw, "NAME\tID\tSCHEDULE\tTARGETS\tLAST RUN\tSTATUS")
	for _, st := range sts {
		fmt.Fprintln(tw, statusRow(st))
	}
	return tw.Flush()
}

// statusRow is one schedule association as a tab-separated row.
func statusRow(st schedule.Status) string {
	if !st.Exists {
		return fmt.Sprintf("%s\t-\t-\t-\t-\tnot installed", st.Name)
	}
	last, status := "never", st.Overview
	if !st.LastRun.IsZero() {
		last = st.LastRun.Format(time.RFC3339)
	}
	if st.LastRunStatus != "" {
		status = st.LastRunStatus
		if st.LastRunDetail != "" && st.LastRunDetail != st.LastRunStatus {
			status += " (" + st.LastRunDetail + ")"
		}
	}
	return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", st.Name, st.ID, st.Schedule, st.Targets, last, orDash(status))
}

// ScheduleRemoveOptions are what `patchready schedule remove` depends on.
type ScheduleRemoveOptions struct {
	IO      *IOStreams
	Session func(context.Context) (*session, error)
	Clock   clock.Clock
	tgt     targetFlags
	targets targets.Spec
}

// NewCmdScheduleRemove is `patchready schedule remove`; runF replaces
// scheduleRemoveRun in tests.
func NewCmdScheduleRemove(f *Factory, runF func(*ScheduleRemoveOptions) error) *cobra.Command {
	o := &ScheduleRemoveOptions{IO: f.IOStreams, Session: f.Session, Clock: f.Clock}
	cmd := &cobra.Command{
		Use:         "remove",
		Annotations: usesAWS(),
		Short:       "Delete the schedule associations (nothing to delete is fine)",
		Long: `remove deletes both schedule associations. The patchready-Fix document
stays, since apply uses it too; 'patchready cleanup' removes it.`,
		Example: "  patchready schedule remove --region eu-west-1\n  patchready schedule remove --org --all-regions",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.targets, err = o.tgt.spec(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return scheduleRemoveRun(cmd.Context(), o)
		},
	}
	o.tgt.bind(cmd)
	return cmd
}

func scheduleRemoveRun(ctx context.Context, o *ScheduleRemoveOptions) error {
	s, err := o.Session(ctx)
	if err != nil {
		return err
	}
	if o.targets.Multi() {
		return acrossTargets(ctx, s, o.targets, o.Clock, o.IO.ErrOut, func(ctx context.Context, c *targets.Conn) ([]schedule.Status, error) {
			return schedule.Remove(ctx, c.SSM, schedule.Options{Clock: o.Clock, Logger: s.log})
		}, func(t plan.Target, removed []schedule.Status) {
			for _, r := range removed {
				fmt.Fprintf(o.IO.Out, "removed %s (%s) in %s\n", r.Name, r.ID, t.Key())
			}
		})
	}
	removed, err := schedule.Remove(ctx, s.ssm, schedule.Options{Clock: o.Clock, Logger: s.log})
	for _, r := range removed {
		fmt.Fprintf(o.IO.Out, "removed %s (%s)\n", r.Name, r.ID)
	}
	if err == nil && len(removed) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "No schedule associations to remove.")
	}
	return explain(err)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
