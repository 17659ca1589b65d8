package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/schedule"
)

// ScheduleOptions are the flags of `patchready schedule install`.
type ScheduleOptions struct {
	Schedule       string
	Tag            string
	RequestsTag    string
	MaxConcurrency string
	MaxErrors      string
}

func init() { subcommands = append(subcommands, newScheduleCmd) }

func newScheduleCmd(ios *IOStreams, g *GlobalOptions) *cobra.Command {
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
'patchready heal' on a schedule instead (or as well).`,
		Example: `  patchready schedule install --region eu-west-1
  patchready schedule show
  patchready schedule remove`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newScheduleInstallCmd(ios, g), newScheduleShowCmd(ios, g), newScheduleRemoveCmd(ios, g))
	return cmd
}

func newScheduleInstallCmd(ios *IOStreams, g *GlobalOptions) *cobra.Command {
	o := &ScheduleOptions{}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Create or update the recurring associations (idempotent)",
		Long: `install creates the two schedule associations, or updates them in place when
the schedule, targets or rate controls differ; running it again changes
nothing. It also creates or updates the patchready-UpgradeRequests document.

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
			return scheduleInstallRun(cmd.Context(), ios, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Schedule, "schedule", schedule.DefaultSchedule, "when the associations run: rate(...) of 30 minutes to 30 days, or cron(...)")
	f.StringVar(&o.Tag, "tag", "", "update the agent only on nodes with this tag, KEY=VALUE (default: every node)")
	f.StringVar(&o.RequestsTag, "requests-tag", schedule.DefaultRequestsTag.Key+"="+schedule.DefaultRequestsTag.Value, "tag of the proxied Amazon Linux nodes whose requests module is upgraded, KEY=VALUE")
	f.StringVar(&o.MaxConcurrency, "max-concurrency", "10%", "nodes updated at once, a number or percentage")
	f.StringVar(&o.MaxErrors, "max-errors", "10%", "errors after which SSM stops a run, a number or percentage")
	return cmd
}

func scheduleInstallRun(ctx context.Context, ios *IOStreams, g *GlobalOptions, o *ScheduleOptions) error {
	if !reMaxConcurrency.MatchString(o.MaxConcurrency) || len(o.MaxConcurrency) > 7 {
		return fmt.Errorf("--max-concurrency %q: use a number from 1, or a percentage from 1%% to 100%%", o.MaxConcurrency)
	}
	if !reMaxErrors.MatchString(o.MaxErrors) || len(o.MaxErrors) > 7 {
		return fmt.Errorf("--max-errors %q: use a number from 0, or a percentage from 0%% to 100%%", o.MaxErrors)
	}
	spec := schedule.Spec{Schedule: o.Schedule, MaxConcurrency: o.MaxConcurrency, MaxErrors: o.MaxErrors,
		MinRequestsVersion: prereq.Default().MinRequestsVersion}
	if o.Tag != "" {
		t, err := fleet.ParseTag(o.Tag)
		if err != nil {
			return fmt.Errorf("--tag: %w", err)
		}
		spec.AgentTag = &t
	}
	rt, err := fleet.ParseTag(o.RequestsTag)
	if err != nil {
		return fmt.Errorf("--requests-tag: %w", err)
	}
	spec.RequestsTag = rt
	s, err := g.session(ctx, ios)
	if err != nil {
		return err
	}
	changes, err := schedule.Install(ctx, s.ssm, spec, schedule.Options{Clock: s.clock, Logger: s.log})
	for _, c := range changes {
		fmt.Fprintf(ios.Out, "%-9s %s (%s): %s %s on %s\n", c.Action, c.Name, c.ID, c.Document, c.Schedule, c.Targets)
		if c.Detail != "" {
			fmt.Fprintf(ios.Out, "          %s\n", c.Detail)
		}
	}
	return explain(err)
}

func newScheduleShowCmd(ios *IOStreams, g *GlobalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "show",
		Short:   "Show the schedule associations and their last run",
		Example: "  patchready schedule show --region eu-west-1",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := g.session(cmd.Context(), ios)
			if err != nil {
				return err
			}
			sts, err := schedule.Show(cmd.Context(), s.ssm)
			if err != nil {
				return explain(err)
			}
			tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tID\tSCHEDULE\tTARGETS\tLAST RUN\tSTATUS")
			for _, st := range sts {
				if !st.Exists {
					fmt.Fprintf(tw, "%s\t-\t-\t-\t-\tnot installed\n", st.Name)
					continue
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
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", st.Name, st.ID, st.Schedule, st.Targets, last, orDash(status))
			}
			return tw.Flush()
		},
	}
}

func newScheduleRemoveCmd(ios *IOStreams, g *GlobalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "remove",
		Short: "Delete the schedule associations (nothing to delete is fine)",
		Long: `remove deletes both schedule associations. The patchready-UpgradeRequests
document stays, since apply uses it too; 'patchready cleanup' removes it.`,
		Example: "  patchready schedule remove --region eu-west-1",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := g.session(cmd.Context(), ios)
			if err != nil {
				return err
			}
			removed, err := schedule.Remove(cmd.Context(), s.ssm, schedule.Options{Clock: s.clock, Logger: s.log})
			for _, r := range removed {
				fmt.Fprintf(ios.Out, "removed %s (%s)\n", r.Name, r.ID)
			}
			if err == nil && len(removed) == 0 {
				fmt.Fprintln(ios.ErrOut, "No schedule associations to remove.")
			}
			return explain(err)
		},
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
