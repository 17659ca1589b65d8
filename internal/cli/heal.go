package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/heal"
	"github.com/patchready/patchready/internal/plan"
)

// HealOptions are the flags of `patchready heal`.
type HealOptions struct {
	sel             selectionFlags
	Interval        time.Duration
	Once            bool
	MetricsAddr     string
	MaxTargets      string
	MaxConcurrency  string
	MaxErrors       string
	Timeout         time.Duration
	PollInterval    time.Duration
	MaxPollInterval time.Duration
	MaxBackoff      time.Duration
	StateDir        string
	rules           ruleFlags
	Strategy        string
	AgentVersion    string
	NoProbe         bool
	Output          string
}

func init() { subcommands = append(subcommands, newHealCmd) }

func newHealCmd(ios *IOStreams, g *GlobalOptions) *cobra.Command {
	o := &HealOptions{}
	cmd := &cobra.Command{
		Use:   "heal",
		Short: "Keep the fleet ready: plan, fix and verify, again every interval",
		Long: `heal is self-healing on a schedule. Each cycle it plans exactly as
'patchready plan' does, applies the fixes within the guardrails
(--max-targets, --max-concurrency, --max-errors, --timeout) through one-shot
associations, waits until every touched node reads back, and records the
outcome. Each cycle is its own run, with its own journal under --state-dir.

A node whose fix fails is left alone for a while (exponential backoff: one
failure skips the next cycle, two skip the next three, up to --max-backoff),
and blocked nodes (offline, unsupported OS) are reported and never tried.
The backoff is kept in --state-dir, so that 'heal --once' started by a
Kubernetes CronJob or a systemd timer backs off exactly as the loop does;
give such runs the same --interval as their schedule.

heal or 'schedule install'? 'patchready schedule install' creates AWS's own
recurring association (AWS-UpdateSSMAgent every 14 days): nothing of yours
runs, but nothing checks the result, the OS and proxy checks are not made,
and a node whose update fails is retried blindly. heal runs patchready
somewhere you operate, and reads back every node it touches, reports blocked
nodes, backs off failures and exports metrics. Use schedule install for a
hands-off baseline; use heal where someone watches the results.

With --metrics-addr, heal serves Prometheus metrics on /metrics, /healthz
(200 while the loop runs) and /readyz (200 once a cycle has completed).

The first SIGINT/SIGTERM ends the loop cleanly: the running cycle starts no
new work and waits for what is running; the second stops at once.

Exit codes: with --once, 0 when every node that needed a fix was fixed, 3
when some node failed, timed out or is backing off, 1 on error. The loop
exits 0 when stopped by a signal.`,
		Example: `  # A long-running loop (a Deployment, a tmux session), with metrics
  patchready heal --region eu-west-1 --metrics-addr 127.0.0.1:9090

  # One cycle, from a CronJob or systemd timer that runs every 6 hours
  patchready heal --once --interval 6h --state-dir /var/lib/patchready

  # Only the web tier, never more than 50 nodes in one cycle
  patchready heal --tag Tier=web --max-targets 50 --max-concurrency 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return healRun(cmd.Context(), ios, g, o)
		},
	}
	o.sel.bind(cmd)
	f := cmd.Flags()
	f.DurationVar(&o.Interval, "interval", heal.DefaultInterval, "time between cycles, and the base of the backoff of failing nodes")
	f.BoolVar(&o.Once, "once", false, "run one cycle and exit (for a CronJob or systemd timer)")
	f.StringVar(&o.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics, /healthz and /readyz on this address, e.g. 127.0.0.1:9090 (default off)")
	f.StringVar(&o.MaxTargets, "max-targets", "", "refuse a cycle that would touch more nodes than this, N or P% of the selected nodes")
	f.StringVar(&o.MaxConcurrency, "max-concurrency", "10%", "nodes updated at once, a number or percentage (SSM MaxConcurrency)")
	f.StringVar(&o.MaxErrors, "max-errors", "10%", "errors after which SSM stops a batch, a number or percentage (SSM MaxErrors)")
	f.DurationVar(&o.Timeout, "timeout", 30*time.Minute, "how long a cycle waits for read-back; unfinished nodes count as failed")
	f.DurationVar(&o.PollInterval, "poll-interval", 15*time.Second, "first wait between read-backs")
	f.DurationVar(&o.MaxPollInterval, "max-poll-interval", 0, "longest wait between read-backs while nothing changes (default 4x --poll-interval)")
	f.DurationVar(&o.MaxBackoff, "max-backoff", heal.DefaultMaxBackoff, "longest a failing node is left alone")
	f.StringVar(&o.StateDir, "state-dir", defaultStateDir(), "where the backoff state and run journals are kept")
	o.rules.bind(cmd)
	f.StringVar(&o.Strategy, "strategy", string(plan.DefaultStrategy), "how each cycle updates the agent: association or run-command (a maintenance window would wait past the cycle)")
	f.StringVar(&o.AgentVersion, "agent-version", "", "install this agent version instead of the latest")
	f.BoolVar(&o.NoProbe, "no-probe", false, "skip the read-only probe (the patch-run checks are then not made)")
	f.StringVarP(&o.Output, "output", "o", "text", "per-cycle summary on stdout: text, or json (one object per line)")
	return cmd
}

func (o *HealOptions) validate() error {
	if !reMaxConcurrency.MatchString(o.MaxConcurrency) || len(o.MaxConcurrency) > 7 {
		return fmt.Errorf("--max-concurrency %q: use a number from 1, or a percentage from 1%% to 100%%", o.MaxConcurrency)
	}
	if !reMaxErrors.MatchString(o.MaxErrors) || len(o.MaxErrors) > 7 {
		return fmt.Errorf("--max-errors %q: use a number from 0, or a percentage from 0%% to 100%%", o.MaxErrors)
	}
	if _, err := parseMaxTargets(o.MaxTargets, 100); err != nil {
		return err
	}
	if o.Interval < time.Minute {
		return fmt.Errorf("--interval %s: use at least 1m (6h is a good start)", o.Interval)
	}
	if o.Timeout <= 0 {
		return fmt.Errorf("--timeout %s: must be positive, e.g. 30m", o.Timeout)
	}
	if err := checkPoll(o.PollInterval, o.MaxPollInterval); err != nil {
		return err
	}
	if o.MaxBackoff < o.Interval {
		return fmt.Errorf("--max-backoff %s: must be at least --interval (%s)", o.MaxBackoff, o.Interval)
	}
	if o.Output != "text" && o.Output != "json" {
		return fmt.Errorf("-o %q: heal prints text or json", o.Output)
	}
	return nil
}

func healRun(ctx context.Context, ios *IOStreams, g *GlobalOptions, o *HealOptions) error {
	if err := o.validate(); err != nil {
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
	if settings.strategy == "maintenance-window" {
		return fmt.Errorf("--strategy maintenance-window: heal cannot wait for a window to open within a cycle; use association or run-command, or apply a maintenance-window plan yourself")
	}
	s, err := g.session(ctx, ios)
	if err != nil {
		return err
	}
	var metrics *heal.Metrics
	if o.MetricsAddr != "" {
		ln, err := net.Listen("tcp", o.MetricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr %s: %w", o.MetricsAddr, err)
		}
		metrics = heal.NewMetrics(s.calls.Snapshot)
		mctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		defer stop()
		go func() {
			if err := heal.ServeMetrics(mctx, ln, metrics.Handler(), s.log); err != nil {
				s.log.Error("metrics server stopped", zap.Error(err))
			}
		}()
	}
	maxTargets := func(selected int) int {
		n, _ := parseMaxTargets(o.MaxTargets, selected) // validated above
		return n
	}
	last, err := heal.Run(ctx, s.ssm, heal.Options{
		Plan: heal.PlanTemplate{
			Selection: sel, Rules: settings.rules, Strategy: settings.strategy, Probe: !o.NoProbe,
			Region: s.region, ToolVersion: toolVersion(),
		},
		MaxConcurrency: o.MaxConcurrency, MaxErrors: o.MaxErrors, AgentVersion: o.AgentVersion,
		PollInterval: o.PollInterval, MaxPollInterval: maxPoll(o.PollInterval, o.MaxPollInterval), Timeout: o.Timeout,
		MaxTargets: maxTargets, StateDir: o.StateDir, Interval: o.Interval, MaxBackoff: o.MaxBackoff,
		Once: o.Once, Clock: s.clock, Drain: ios.Drain, Logger: s.log, Metrics: metrics,
		NewRunID: newRunID,
		OnCycle:  func(r heal.CycleResult) { printCycle(ios, o.Output, r) },
	})
	if err != nil {
		return explain(err)
	}
	if o.Once {
		if code := last.ExitCode(); code != ExitOK {
			return withExitCode(code, nil)
		}
	}
	return nil
}

// printCycle writes one line per cycle to stdout: the data a scheduler's
// log keeps. Details of every decision are in the logs on stderr.
func printCycle(ios *IOStreams, format string, r heal.CycleResult) {
	if format == "json" {
		b, err := json.Marshal(r)
		if err == nil {
			fmt.Fprintf(ios.Out, "%s\n", b)
		}
		return
	}
	var parts []string
	parts = append(parts, fmt.Sprintf("%d nodes: %d compliant, %d to fix, %d blocked", r.Summary.Nodes, r.Summary.Compliant, r.Summary.Fix, r.Summary.Blocked))
	if r.Targets > 0 {
		parts = append(parts, fmt.Sprintf("fixed %d of %d", r.Report.Counts[converge.StateVerified], r.Targets))
	}
	if len(r.Skipped) > 0 {
		parts = append(parts, fmt.Sprintf("%d backing off", len(r.Skipped)))
	}
	line := fmt.Sprintf("heal %s %s: %s", r.RunID, r.Result, strings.Join(parts, "; "))
	if r.Err != nil {
		line += "; error: " + r.Err.Error()
	}
	fmt.Fprintln(ios.Out, line)
}
