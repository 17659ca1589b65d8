package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/render"
	"github.com/patchready/patchready/internal/targets"
)

// ApplyOptions are the arguments and flags of `patchready apply` and what
// it depends on.
type ApplyOptions struct {
	IO      *IOStreams
	Session func(context.Context) (*session, error)
	Clock   clock.Clock
	// Shutdown carries the drain (closed by the first interrupt: no new
	// work starts) and takes the hint printed if the run is interrupted.
	Shutdown *Shutdown

	PlanFile string
	plan     PlanOptions // used when no plan file is given

	AutoApprove      bool
	NoWait           bool
	Scan             string
	Timeout          time.Duration
	PollInterval     time.Duration
	MaxPollInterval  time.Duration
	MaxConcurrency   string
	MaxErrors        string
	MaxTargets       string
	AgentVersion     string
	KeepAssociations bool
	StateDir         string
	Resume           string
	Output           string
	Verbose          bool

	WindowID       string
	WindowSchedule string
	WindowDuration int32
	WindowCutoff   int32
	WindowTimezone string

	tgt targetFlags
	// spec is the targets of a plan made now (from the target flags), or
	// how to reach a saved plan's (role, external ID, parallelism).
	spec targets.Spec

	// Set from the command line by NewCmdApply.
	// given are the flags on the command line, by name.
	given map[string]bool
	// resumeArgs and cleanupArgs are the flags to repeat in the hint that
	// continues or undoes an interrupted run.
	resumeArgs, cleanupArgs []string
	// noHint is true when an interrupted run cannot be continued (the
	// demo: its simulator ends with the process).
	noHint bool

	// Set by CheckAndSetDefaults.
	format   render.Format
	sel      fleet.Selection
	settings planSettings
	// saved is the plan of PLANFILE or of the resumed run, narrowed.
	saved *savedPlan

	// report is where the run's nodes ended, and failed the targets that
	// failed in a run across targets, for the demo's verdict.
	report *converge.Report
	failed []plan.Target
}

// NewCmdApply is `patchready apply`; runF replaces applyRun in tests.
func NewCmdApply(f *Factory, runF func(*ApplyOptions) error) *cobra.Command {
	o := &ApplyOptions{IO: f.IOStreams, Session: f.Session, Clock: f.Clock, Shutdown: f.Shutdown}
	cmd := &cobra.Command{
		Use:         "apply [PLANFILE]",
		Annotations: withAnnotations(drainsOnInterrupt(), usesAWS()),
		Short:       "Fix what a plan found, then wait until every node reads back compliant",
		Long: `apply carries out a plan: AWS-UpdateSSMAgent on nodes whose agent is too old
(through one-shot State Manager associations, or a maintenance window task),
then, once each node's new agent is read back, patchready's requests upgrade on
proxied Amazon Linux nodes. It waits until every targeted node is read back
compliant, failed (with SSM's reason) or timed out.

With PLANFILE it applies exactly that saved plan, after re-reading the targeted
nodes and refusing if their facts changed ("plan is stale"). Without it, it
plans, shows the plan and asks for confirmation (--auto-approve to skip).

Everything created is tagged patchready:managed=true and recorded in a journal
under --state-dir; an interrupted run continues with --resume RUN_ID. The run
ID is printed when the apply starts.

With PLANFILE, --instance-ids, --exclude-instance-ids and --platform narrow
the saved plan to a subset of what was reviewed (the output says so); flags
that decide what a plan holds (--tag, --no-probe, --rules, --rules-file,
--min-agent-version, and the fixes for unmanaged instances) are refused, and
so is a plan made for another region.

--enable-dhmc, --attach-instance-profile NAME and --fix-instance-role bring EC2
instances SSM does not manage under management (see patchready plan --help). A
fixed instance is verified only once DescribeInstanceInformation shows it
Online (each fix waits its own time: Default Host Management up to 35 minutes);
then, in the same run, it is probed, checked by the plan's rules, and its agent
updated and its fixes made like any node's. These instances count toward
--max-targets. One that never registers ends failed, with the remaining
suspects named (no agent, no route to the SSM endpoints, a proxy).

The first SIGINT or SIGTERM stops starting new work, prints how to continue
(apply --resume RUN_ID) or undo (cleanup --run-id RUN_ID) the run, and gives
running work --shutdown-grace (20s) to report before it is cancelled; what SSM
is already running stays in place. The second signal exits at once.

Across an organization (a saved plan with targets, or --regions,
--all-regions, --accounts, --org or --ou), each account and region runs its
share of the plan with its own client, at most --parallel-targets at once;
a target that fails (a role missing or denied, a suspended account, a
disabled region, a target throttled past its retries, a stale target) is
reported with why and what to do, and the others go on. --accounts,
--regions and --exclude-accounts narrow a saved plan to some of its targets.

Exit codes: 0 every targeted node verified; 3 some failed or timed out;
4 a target failed (the others ran); 1 error (stale plan, bad input, AWS
error); 130 after SIGINT, 143 after SIGTERM.`,
		Example: `  # Apply a reviewed plan
  patchready apply plan.json

  # Plan and apply in one go, unattended, at most 200 nodes, 5 at a time
  patchready apply --auto-approve --max-targets 200 --max-concurrency 5

  # Deliver through a maintenance window that opens at 02:00 instead of associations
  patchready plan --strategy maintenance-window --out plan.json
  patchready apply plan.json --window-schedule 'cron(0 2 * * ? *)'

  # Continue an interrupted run
  patchready apply --resume 20261125T201500Z-1a2b3c`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.PlanFile = args[0]
			}
			o.given = givenFlags(cmd)
			o.resumeArgs, o.cleanupArgs = hintArgs(cmd, keptOnResume), hintArgs(cmd, awsFlag)
			if err := o.CheckAndSetDefaults(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return applyRun(cmd.Context(), o)
		},
	}
	o.plan.sel.bind(cmd)
	fl := cmd.Flags()
	fl.StringVar(&o.plan.Strategy, "strategy", string(plan.DefaultStrategy), strategyFlagHelp()+" (a saved plan carries its own)")
	fl.BoolVar(&o.plan.NoProbe, "no-probe", false, "skip the read-only probe when planning (without PLANFILE)")
	o.plan.rules.bind(cmd)
	o.plan.fixes.bind(cmd)
	fl.BoolVar(&o.AutoApprove, "auto-approve", false, "apply without asking (needed when not on a terminal)")
	fl.BoolVar(&o.NoWait, "no-wait", false, "return once the updates are started, without waiting for read-back")
	bindScan(cmd, &o.Scan)
	fl.DurationVar(&o.Timeout, "timeout", 30*time.Minute, "give up waiting after this long; unfinished nodes end timed-out")
	fl.DurationVar(&o.PollInterval, "poll-interval", 15*time.Second, "first wait between read-backs")
	fl.DurationVar(&o.MaxPollInterval, "max-poll-interval", 0, "longest wait between read-backs while nothing changes (default 4x --poll-interval; set it to --poll-interval to verify each node within one interval, at more API calls)")
	fl.StringVar(&o.MaxConcurrency, "max-concurrency", "10%", "nodes updated at once, a number or percentage (SSM MaxConcurrency)")
	fl.StringVar(&o.MaxErrors, "max-errors", "10%", "errors after which SSM stops a batch, a number or percentage (SSM MaxErrors)")
	fl.StringVar(&o.MaxTargets, "max-targets", "", "refuse to touch more nodes than this, N or P% of the selected nodes")
	fl.StringVar(&o.AgentVersion, "agent-version", "", "install this agent version instead of the latest")
	fl.BoolVar(&o.KeepAssociations, "keep-associations", false, "leave the one-shot associations (or window) in place afterwards")
	fl.StringVar(&o.StateDir, "state-dir", defaultStateDir(), "where run journals are kept")
	fl.StringVar(&o.Resume, "resume", "", "continue the interrupted run with this ID (see the journal under --state-dir)")
	fl.StringVarP(&o.Output, "output", "o", "text", "report format: text or json")
	fl.BoolVar(&o.Verbose, "verbose", false, "list every node in the report")
	fl.StringVar(&o.WindowID, "window-id", "", "use this existing maintenance window (maintenance-window strategy)")
	fl.StringVar(&o.WindowSchedule, "window-schedule", "", "window schedule, cron/rate/at expression (default: two minutes from now, once)")
	fl.Int32Var(&o.WindowDuration, "window-duration", 2, "window duration in hours (1-24)")
	fl.Int32Var(&o.WindowCutoff, "window-cutoff", 1, "hours before the window ends when no new task starts (< duration)")
	fl.StringVar(&o.WindowTimezone, "window-timezone", "", "IANA time zone of the window schedule (default UTC)")
	o.tgt.bind(cmd)
	bindShutdownGrace(cmd)
	return cmd
}

// across reports whether the apply runs across targets: a saved plan that
// records targets, or target flags for a plan made now.
func (o *ApplyOptions) across() bool {
	if o.saved != nil {
		return o.saved.plan.HasTargets()
	}
	return o.spec.Multi()
}

// defaultStateDir is $XDG_STATE_HOME/patchready, or ~/.local/state/patchready.
func defaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "patchready")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "patchready")
	}
	return ".patchready"
}

// applyRun carries out an apply whose options passed CheckAndSetDefaults.
func applyRun(ctx context.Context, o *ApplyOptions) error {
	ios := o.IO
	s, err := o.Session(ctx)
	if err != nil {
		return err
	}
	if o.across() {
		return applyAcrossRun(ctx, o, s)
	}
	if o.saved != nil && o.saved.plan.Region != "" && o.saved.plan.Region != s.region {
		// Before anything else: every other difference (stale facts, IDs
		// not found) follows from this one.
		return fmt.Errorf("%s was made for region %s, but this apply would run in %s (from --region, AWS_REGION or the profile): "+
			"pass --region %s to apply it there, or make a new plan in %s", o.saved.what, o.saved.plan.Region, s.region, o.saved.plan.Region, s.region)
	}
	p, err := o.planToApply(ctx, s)
	if err != nil || !engine.HasWork(p.plan, engine.ScanMode(o.Scan)) {
		return err
	}
	maxTargets, err := parseMaxTargets(o.MaxTargets, len(p.plan.Nodes))
	if err != nil {
		return err
	}
	if isClosed(o.Shutdown.Drain()) {
		return errors.New("interrupted before the apply started: nothing was changed")
	}
	journal := remedy.JournalPath(o.StateDir, p.runID)
	verb := "Applying"
	if o.Resume != "" {
		verb = "Resuming"
	}
	what := fmt.Sprintf("%d nodes to fix", p.plan.Summary.Fix)
	if n := p.plan.Summary.Register; n > 0 {
		what += fmt.Sprintf(", %d unmanaged instances to bring under management", n)
	}
	if o.Scan == string(engine.ScanAll) {
		what += fmt.Sprintf(", then Patch Manager's scan of them and of %d compliant nodes", p.plan.Summary.Compliant)
	} else if o.Scan != "" {
		what += ", then Patch Manager's scan of them"
	}
	fmt.Fprintf(ios.ErrOut, "%s run %s: %s; journal %s\n", verb, p.runID, what, journal)
	var res engine.ApplyResult
	hint, err := o.guarded(ctx, ios, s, p.runID, func(prog *progress) (journal string, err error) {
		res, err = engine.Apply(ctx, s.ssm, o.engineInput(p.plan, p.file, p.runID, p.fresh, maxTargets, prog, s))
		return res.JournalPath, err
	})
	if err != nil {
		return err
	}
	if res.NoWait {
		fmt.Fprintf(ios.ErrOut, "Started the updates of %d nodes (run %s) and returned without waiting (--no-wait).\nFollow up with: patchready plan   (nodes read back compliant drop out of the plan)\n", res.Targets, p.runID)
		return nil
	}
	o.report = &res.Report
	code := ExitOK
	if !res.Report.AllVerified() {
		code = ExitNotCompliant
	}
	rep := render.NewApplyReport(p.runID, res.JournalPath, res.Targets, res.Report, code)
	if err := render.Report(ios.Out, rep, o.format, render.Options{Verbose: o.Verbose, Color: ios.ColorOut()}); err != nil {
		return err
	}
	switch {
	case res.Report.Counts[converge.StateNotStarted] > 0:
		// Only a drained run with work left is resumable: one whose every
		// node settled before the interrupt took effect is finished.
		fmt.Fprint(ios.ErrOut, "\n"+hint)
	case isClosed(o.Shutdown.Drain()):
		fmt.Fprintln(ios.ErrOut, "Interrupted, but every targeted node had already settled: the run is complete.")
	}
	if code != ExitOK {
		return withExitCode(code, nil)
	}
	return nil
}

// errNotApproved is returned when the user does not type "yes".
var errNotApproved = errors.New("apply cancelled: nothing was changed")

// guarded runs an apply with a progress display and, while it runs, the
// hint a shutdown prints: the exact commands that continue or undo the
// run. It prints the hint too when the run stops early on an error, and
// returns it for a run that ends with nodes not started.
func (o *ApplyOptions) guarded(ctx context.Context, ios *IOStreams, s *session, runID string, run func(*progress) (journal string, err error)) (hint string, _ error) {
	if !o.noHint {
		hint = applyHint(runID, o.resumeArgs, o.cleanupArgs)
	}
	o.Shutdown.SetHint(hint)
	prog := newProgress(ios, s.log)
	journal, err := run(prog)
	prog.done()
	o.Shutdown.SetHint("")
	if err == nil {
		return hint, nil
	}
	if journal != "" && hint != "" {
		// Cancelled when the shutdown grace ended, or stopped by an
		// error: either way the journal is not finished, so the run can
		// be continued or undone.
		fmt.Fprint(ios.ErrOut, "\n"+hint)
	}
	if ctx.Err() != nil && o.Shutdown.Interrupted() {
		return hint, fmt.Errorf("run %s interrupted before it finished", runID)
	}
	return hint, explain(err)
}

// engineInput is what engine.Apply takes, from apply's flags, for plan
// p (saved in file, or "" when made now) as run runID; orgrun hands the
// same to every target.
func (o *ApplyOptions) engineInput(p plan.Plan, file, runID string, fresh bool, maxTargets int, prog *progress, s *session) engine.ApplyInput {
	return engine.ApplyInput{
		Plan: p, PlanFile: file, RunID: runID, StateDir: o.StateDir, Fresh: fresh, Resume: o.Resume != "",
		MaxConcurrency: o.MaxConcurrency, MaxErrors: o.MaxErrors, AgentVersion: o.AgentVersion, Keep: o.KeepAssociations,
		Window: remedy.WindowOptions{ID: o.WindowID, Schedule: o.WindowSchedule, Duration: o.WindowDuration, Cutoff: o.WindowCutoff, Timezone: o.WindowTimezone},
		Clock:  o.Clock, PollInterval: o.PollInterval, MaxPollInterval: maxPoll(o.PollInterval, o.MaxPollInterval), Timeout: o.Timeout,
		Drain: o.Shutdown.Drain(), OnProgress: prog.update,
		NoWait: o.NoWait, Scan: engine.ScanMode(o.Scan), MaxTargets: maxTargets, Logger: s.log, Estate: s.estate,
	}
}
