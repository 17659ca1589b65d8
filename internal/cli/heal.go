package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/heal"
	"github.com/patchready/patchready/internal/notify"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/targets"
)

// HealOptions are the flags of `patchready heal` and what it depends on.
type HealOptions struct {
	IO      *IOStreams
	Session func(context.Context) (*session, error)
	Clock   clock.Clock
	// Globals give the notifier's SNS client the same profile and
	// endpoint as the session.
	Globals *GlobalOptions
	// Shutdown carries the drain (closed by the first interrupt: no new
	// cycle or apply starts) and takes the hint about the running cycle.
	Shutdown *Shutdown

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
	NotifyWebhook   string
	NotifySNSTopic  string
	Scan            string
	tgt             targetFlags

	// cleanupArgs are the flags to repeat in the hint that undoes an
	// interrupted cycle; set by NewCmdHeal.
	cleanupArgs []string

	// Parsed by CheckAndSetDefaults.
	selected fleet.Selection
	settings planSettings
	spec     targets.Spec
}

// NewCmdHeal is `patchready heal`; runF replaces healRun in tests.
func NewCmdHeal(f *Factory, runF func(*HealOptions) error) *cobra.Command {
	o := &HealOptions{IO: f.IOStreams, Session: f.Session, Clock: f.Clock, Globals: f.Globals, Shutdown: f.Shutdown}
	cmd := &cobra.Command{
		Use:         "heal",
		Annotations: withAnnotations(drainsOnInterrupt(), usesAWS()),
		Short:       "Keep the fleet ready: plan, fix and verify, again every interval",
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
(200 while the loop runs) and /readyz (200 once a cycle has completed), and a
live dashboard: / is the readiness report of the latest cycle, refreshing
itself, and /api/status the latest cycle as JSON. An address without a host
(:9090) listens on 127.0.0.1 only; to expose the dashboard, give a host and put
a proxy that authenticates in front of it.

Each cycle also lists the EC2 instances SSM does not manage (Patch Manager
cannot see them) in its plan, its line and metrics; heal never brings them under
management, since that changes IAM: review patchready plan and apply its fixes.

With --notify-webhook (a Slack-compatible incoming webhook) or
--notify-sns-topic, heal sends a message when a cycle's outcome changes: new
failures, more blocked nodes, a cycle that could not run, recovery. It carries
counts and the top reasons, never proxy URLs or credentials. Delivery is
retried with backoff; a failed notification is logged and counted
(patchready_notifications_total) and never fails the cycle.

Each cycle's run ID is printed when the cycle starts. The first SIGINT or
SIGTERM ends the loop: the running cycle starts no new work, prints how to
undo it (cleanup --run-id RUN_ID), and gives running work --shutdown-grace
(20s) to report before it is cancelled; what SSM is already running stays in
place, and the next cycle picks up what is left. The second signal exits at
once.

Across an organization (--regions, --all-regions, --accounts, --org, --ou),
each cycle finds the accounts and regions again, plans and applies across
them, --parallel-targets at a time, and reports the targets it could not
reach; the backoff of a node is kept per account and region.

Exit codes: with --once, 0 when every node that needed a fix was fixed, 3
when some node failed, timed out or is backing off, 4 when a target could
not be planned or applied, 1 on error; 130 after SIGINT and 143 after
SIGTERM, with or without --once.`,
		Example: `  # A long-running loop (a Deployment, a tmux session), with metrics
  patchready heal --region eu-west-1 --metrics-addr 127.0.0.1:9090

  # One cycle, from a CronJob or systemd timer that runs every 6 hours
  patchready heal --once --interval 6h --state-dir /var/lib/patchready

  # Only the web tier, never more than 50 nodes in one cycle
  patchready heal --tag Tier=web --max-targets 50 --max-concurrency 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.cleanupArgs = hintArgs(cmd, awsFlag)
			if err := o.CheckAndSetDefaults(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return healRun(cmd.Context(), o)
		},
	}
	o.sel.bind(cmd)
	fl := cmd.Flags()
	fl.DurationVar(&o.Interval, "interval", heal.DefaultInterval, "time between cycles, and the base of the backoff of failing nodes")
	fl.BoolVar(&o.Once, "once", false, "run one cycle and exit (for a CronJob or systemd timer)")
	fl.StringVar(&o.MetricsAddr, "metrics-addr", "", "serve the dashboard (/ and /api/status), Prometheus metrics, /healthz and /readyz on this address, e.g. :9090 for 127.0.0.1:9090 (default off)")
	fl.StringVar(&o.MaxTargets, "max-targets", "", "refuse a cycle that would touch more nodes than this, N or P% of the selected nodes")
	fl.StringVar(&o.MaxConcurrency, "max-concurrency", "10%", "nodes updated at once, a number or percentage (SSM MaxConcurrency)")
	fl.StringVar(&o.MaxErrors, "max-errors", "10%", "errors after which SSM stops a batch, a number or percentage (SSM MaxErrors)")
	fl.DurationVar(&o.Timeout, "timeout", 30*time.Minute, "how long a cycle waits for read-back; unfinished nodes count as failed")
	fl.DurationVar(&o.PollInterval, "poll-interval", 15*time.Second, "first wait between read-backs")
	fl.DurationVar(&o.MaxPollInterval, "max-poll-interval", 0, "longest wait between read-backs while nothing changes (default 4x --poll-interval)")
	fl.DurationVar(&o.MaxBackoff, "max-backoff", heal.DefaultMaxBackoff, "longest a failing node is left alone")
	fl.StringVar(&o.StateDir, "state-dir", defaultStateDir(), "where the backoff state and run journals are kept")
	o.rules.bind(cmd)
	fl.StringVar(&o.Strategy, "strategy", string(plan.DefaultStrategy), "how each cycle updates the agent: association or run-command (a maintenance window would wait past the cycle)")
	fl.StringVar(&o.AgentVersion, "agent-version", "", "install this agent version instead of the latest")
	fl.BoolVar(&o.NoProbe, "no-probe", false, "skip the read-only probe (the patch-run checks are then not made)")
	fl.StringVarP(&o.Output, "output", "o", "text", "per-cycle summary on stdout: text, or json (one object per line)")
	fl.StringVar(&o.NotifyWebhook, "notify-webhook", "", "post a Slack-compatible message to this incoming webhook URL when a cycle's outcome changes")
	fl.StringVar(&o.NotifySNSTopic, "notify-sns-topic", "", "publish to this SNS topic ARN when a cycle's outcome changes")
	bindScan(cmd, &o.Scan)
	o.tgt.bind(cmd)
	bindShutdownGrace(cmd)
	return cmd
}

// CheckAndSetDefaults checks every flag and parses the selection and the
// prerequisites, before anything is read or created.
func (o *HealOptions) CheckAndSetDefaults() error {
	if err := checkScan(o.Scan); err != nil {
		return err
	}
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
	if err := checkAgentVersion(o.AgentVersion); err != nil {
		return err
	}
	if o.MaxBackoff < o.Interval {
		return fmt.Errorf("--max-backoff %s: must be at least --interval (%s)", o.MaxBackoff, o.Interval)
	}
	if o.Output != "text" && o.Output != "json" {
		return fmt.Errorf("-o %q: heal prints text or json", o.Output)
	}
	if o.NotifyWebhook != "" {
		// The URL is a secret: the message names the flag, not the value.
		if u, err := url.Parse(o.NotifyWebhook); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errors.New("--notify-webhook: want an http(s) URL, e.g. https://hooks.slack.com/services/…")
		}
	}
	if o.NotifySNSTopic != "" {
		if _, err := notify.TopicRegion(o.NotifySNSTopic); err != nil {
			return fmt.Errorf("--notify-sns-topic: %w", err)
		}
	}
	var err error
	if o.selected, err = o.sel.selection(); err != nil {
		return err
	}
	if o.settings, err = o.rules.settings(o.Strategy); err != nil {
		return err
	}
	if o.spec, err = o.tgt.spec(); err != nil {
		return err
	}
	if o.settings.strategy == "maintenance-window" {
		return fmt.Errorf("--strategy maintenance-window: heal cannot wait for a window to open within a cycle; use association or run-command, or apply a maintenance-window plan yourself")
	}
	return nil
}

// healRun runs heal with options that passed CheckAndSetDefaults.
func healRun(ctx context.Context, o *HealOptions) error {
	ios := o.IO
	sel, settings := o.selected, o.settings
	s, err := o.Session(ctx)
	if err != nil {
		return err
	}
	var metrics *heal.Metrics
	var dashboard *heal.Dashboard
	if o.MetricsAddr != "" {
		ln, err := net.Listen("tcp", heal.ListenAddr(o.MetricsAddr))
		if err != nil {
			return fmt.Errorf("--metrics-addr %s: %w", o.MetricsAddr, err)
		}
		metrics = heal.NewMetrics(s.calls.Snapshot)
		dashboard = heal.NewDashboard(0, s.log)
		mctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		defer stop()
		go func() {
			if err := heal.ServeMetrics(mctx, ln, dashboard.Handler(metrics.Handler()), s.log); err != nil {
				s.log.Error("metrics server stopped", zap.Error(err))
			}
		}()
	}
	notifier, err := healNotifier(ctx, o, s)
	if err != nil {
		return err
	}
	var runner heal.Runner
	if o.spec.Multi() {
		h, err := s.newHub(ctx, o.spec, o.Clock, "heal")
		if err != nil {
			return err
		}
		runner = &acrossRunner{hub: h, spec: o.spec, errOut: ios.ErrOut}
	}
	maxTargets := func(selected int) int {
		n, _ := parseMaxTargets(o.MaxTargets, selected) // validated above
		return n
	}
	last, err := heal.Run(ctx, s.ssm, heal.Options{
		Plan: heal.PlanTemplate{
			Selection: sel, Rules: settings.rules, Strategy: settings.strategy, Probe: !o.NoProbe,
			Region: s.region, ToolVersion: toolVersion(), Estate: s.estate,
		},
		MaxConcurrency: o.MaxConcurrency, MaxErrors: o.MaxErrors, AgentVersion: o.AgentVersion, Scan: engine.ScanMode(o.Scan),
		PollInterval: o.PollInterval, MaxPollInterval: maxPoll(o.PollInterval, o.MaxPollInterval), Timeout: o.Timeout,
		MaxTargets: maxTargets, StateDir: o.StateDir, Interval: o.Interval, MaxBackoff: o.MaxBackoff,
		Once: o.Once, Clock: o.Clock, Drain: o.Shutdown.Drain(), Logger: s.log, Metrics: metrics,
		Dashboard: dashboard, Notifier: notifier, Runner: runner,
		// heal names each cycle's run when the cycle starts: that is when
		// the run ID is announced and the interrupt hint set.
		NewRunID: func(now time.Time) string {
			id := newRunID(now)
			fmt.Fprintf(ios.ErrOut, "Heal cycle %s started.\n", id)
			o.Shutdown.SetHint(healHint(id, o.cleanupArgs))
			return id
		},
		OnCycle: func(r heal.CycleResult) {
			o.Shutdown.SetHint("")
			printCycle(ios, o.Output, r)
		},
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

// healNotifier builds the notifier of --notify-webhook and
// --notify-sns-topic, or nil when neither is set.
func healNotifier(ctx context.Context, o *HealOptions, s *session) (*notify.Notifier, error) {
	var senders []notify.Sender
	if o.NotifyWebhook != "" {
		senders = append(senders, &notify.Webhook{URL: o.NotifyWebhook})
	}
	if o.NotifySNSTopic != "" {
		g := o.Globals
		if g == nil {
			g = &GlobalOptions{}
		}
		cfg, err := awsclient.Load(ctx, awsclient.Config{Region: s.region, Profile: g.Profile, EndpointURL: g.EndpointURL, Logger: s.log})
		if err != nil {
			return nil, err
		}
		ch, err := notify.NewSNSFromConfig(cfg, o.NotifySNSTopic, g.EndpointURL)
		if err != nil {
			return nil, fmt.Errorf("--notify-sns-topic: %w", err)
		}
		senders = append(senders, ch)
	}
	if len(senders) == 0 {
		return nil, nil
	}
	return &notify.Notifier{Senders: senders, StatePath: notify.StatePath(o.StateDir), Logger: s.log}, nil
}

// printCycle writes one line per cycle to stdout: the data a scheduler's
// log keeps. Details of every decision are in the logs on stderr.
func printCycle(ios *IOStreams, format string, r heal.CycleResult) {
	if format == "json" {
		// One compact document per line (JSON lines): a scheduler's log
		// keeps one line per cycle.
		b, err := json.Marshal(newHealCycleJSON(r))
		if err == nil {
			fmt.Fprintf(ios.Out, "%s\n", b)
		}
		return
	}
	var parts []string
	parts = append(parts, fmt.Sprintf("%d nodes: %d compliant, %d to fix, %d blocked", r.Summary.Nodes, r.Summary.Compliant, r.Summary.Fix, r.Summary.Blocked))
	if r.Summary.Unmanaged > 0 {
		// heal lists them and leaves them: bringing them under management
		// changes IAM, for a reviewed plan to do.
		parts = append(parts, fmt.Sprintf("%d EC2 instances unmanaged (patchready plan says why)", r.Summary.Unmanaged))
	}
	if r.Targets > 0 {
		parts = append(parts, fmt.Sprintf("fixed %d of %d", r.Report.Counts[converge.StateVerified], r.Targets))
	}
	if len(r.Skipped) > 0 {
		parts = append(parts, fmt.Sprintf("%d backing off", len(r.Skipped)))
	}
	if len(r.FailedTargets) > 0 {
		parts = append(parts, fmt.Sprintf("%d targets failed (%s)", len(r.FailedTargets), describeTargets(r.FailedTargets)))
	}
	line := fmt.Sprintf("heal %s %s: %s", r.RunID, r.Result, strings.Join(parts, "; "))
	if r.Err != nil {
		line += "; error: " + r.Err.Error()
	}
	fmt.Fprintln(ios.Out, line)
}
