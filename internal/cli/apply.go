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
)

// ApplyOptions are the arguments and flags of `patchready apply` and what
// it depends on.
type ApplyOptions struct {
	IO      *IOStreams
	Session func(context.Context) (*session, error)
	Clock   clock.Clock
	// Drain is closed by the first interrupt: no new work starts.
	Drain <-chan struct{}

	PlanFile string
	plan     PlanOptions // used when no plan file is given

	AutoApprove      bool
	NoWait           bool
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
	// strategySet is true when --strategy was given: with a saved plan it
	// must agree with the plan's.
	strategySet bool
	// Parsed by CheckAndSetDefaults.
	format   render.Format
	sel      fleet.Selection
	settings planSettings

	WindowID       string
	WindowSchedule string
	WindowDuration int32
	WindowCutoff   int32
	WindowTimezone string
}

// NewCmdApply is `patchready apply`; runF replaces applyRun in tests.
func NewCmdApply(f *Factory, runF func(*ApplyOptions) error) *cobra.Command {
	o := &ApplyOptions{IO: f.IOStreams, Session: f.Session, Clock: f.Clock, Drain: f.Shutdown.Drain()}
	cmd := &cobra.Command{
		Use:         "apply [PLANFILE]",
		Annotations: drainsOnInterrupt(),
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
under --state-dir; an interrupted run continues with --resume RUN_ID. The first
Ctrl-C stops starting new work and waits for running work; the second cancels.

Exit codes: 0 every targeted node verified; 3 some failed or timed out;
1 error (stale plan, bad input, AWS error).`,
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
			o.strategySet = cmd.Flags().Changed("strategy")
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
	fl.StringVar(&o.plan.Strategy, "strategy", "association", "how to update the agent: association or maintenance-window (a saved plan carries its own)")
	fl.BoolVar(&o.plan.NoProbe, "no-probe", false, "skip the proxy/requests probe when planning (without PLANFILE)")
	fl.StringVar(&o.plan.PrereqsFile, "prereqs", "", "prerequisites file replacing the built-in ones (without PLANFILE)")
	fl.StringVar(&o.plan.MinAgentVersion, "min-agent-version", "", "require at least this agent version (without PLANFILE)")
	fl.BoolVar(&o.AutoApprove, "auto-approve", false, "apply without asking (needed when not on a terminal)")
	fl.BoolVar(&o.NoWait, "no-wait", false, "return once the updates are started, without waiting for read-back")
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
	return cmd
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
	p, planFile, runID, fresh, err := o.loadOrMakePlan(ctx, s)
	if err != nil || !p.HasChanges() {
		return err
	}
	maxTargets, err := parseMaxTargets(o.MaxTargets, len(p.Nodes))
	if err != nil {
		return err
	}
	if o.strategySet && o.plan.Strategy != p.Strategy.String() {
		// The strategy is part of what the reviewer approved.
		return fmt.Errorf("--strategy %s: the plan was made with strategy %s; make a new plan with --strategy %s and apply that", o.plan.Strategy, p.Strategy, o.plan.Strategy)
	}
	ws := o.WindowSchedule
	if ws == "" {
		ws = "at(" + o.Clock.Now().UTC().Add(2*time.Minute).Format("2006-01-02T15:04:05") + ")"
	}
	prog := newProgress(ios, s.log)
	res, err := engine.Apply(ctx, s.ssm, engine.ApplyInput{
		Plan: p, PlanFile: planFile, RunID: runID, StateDir: o.StateDir, Fresh: fresh, Resume: o.Resume != "",
		Remedy: remedy.Options{MaxConcurrency: o.MaxConcurrency, MaxErrors: o.MaxErrors, AgentVersion: o.AgentVersion, Keep: o.KeepAssociations},
		Window: remedy.WindowOptions{ID: o.WindowID, Schedule: ws, Duration: o.WindowDuration, Cutoff: o.WindowCutoff, Timezone: o.WindowTimezone},
		Watch: converge.Options{
			Clock: o.Clock, PollInterval: o.PollInterval, MaxPollInterval: maxPoll(o.PollInterval, o.MaxPollInterval), Timeout: o.Timeout,
			Drain: o.Drain, OnProgress: prog.update,
		},
		NoWait: o.NoWait, MaxTargets: maxTargets, Logger: s.log,
	})
	prog.done()
	if err != nil {
		if res.JournalPath != "" {
			fmt.Fprintf(ios.ErrOut, "\nThe run's journal is %s.\nContinue it with: patchready apply --resume %s   (or undo it with: patchready cleanup)\n", res.JournalPath, runID)
		}
		return explain(err)
	}
	if res.NoWait {
		fmt.Fprintf(ios.ErrOut, "Started the updates of %d nodes (run %s) and returned without waiting (--no-wait).\nFollow up with: patchready plan   (nodes read back compliant drop out of the plan)\n", res.Targets, runID)
		return nil
	}
	code := ExitOK
	if !res.Report.AllVerified() {
		code = ExitNotCompliant
	}
	rep := render.NewApplyReport(runID, res.JournalPath, res.Targets, res.Report, code)
	if err := render.Report(ios.Out, rep, o.format, render.Options{Verbose: o.Verbose, Color: ios.ColorEnabled()}); err != nil {
		return err
	}
	if res.Report.Counts[converge.StateNotStarted] > 0 {
		// Only a drained run with work left is resumable: one whose every
		// node settled before the interrupt took effect is finished.
		fmt.Fprintf(ios.ErrOut, "Interrupted. Continue with: patchready apply --resume %s\n", runID)
	} else if isClosed(o.Drain) {
		fmt.Fprintln(ios.ErrOut, "Interrupted, but every targeted node had already settled: the run is complete.")
	}
	if code != ExitOK {
		return withExitCode(code, nil)
	}
	return nil
}

// loadOrMakePlan returns the plan to apply: the one in the resumed run's
// journal, the saved PLANFILE, or a new one the user confirms.
func (o *ApplyOptions) loadOrMakePlan(ctx context.Context, s *session) (p plan.Plan, file, runID string, fresh bool, err error) {
	ios := o.IO
	switch {
	case o.Resume != "":
		st, err := remedy.ReadJournal(remedy.JournalPath(o.StateDir, o.Resume))
		if err != nil {
			return p, "", "", false, err
		}
		if st.Finished {
			return p, "", "", false, fmt.Errorf("run %s already finished (exit code %d): nothing to resume", o.Resume, st.ExitCode)
		}
		p, err = plan.LoadFile(st.PlanFile)
		if err != nil {
			return p, "", "", false, fmt.Errorf("plan of run %s: %w", o.Resume, err)
		}
		if p.Fingerprint != st.Fingerprint {
			return p, "", "", false, fmt.Errorf("plan file %s has changed since run %s started: refusing to resume with a different plan", st.PlanFile, o.Resume)
		}
		return p, st.PlanFile, o.Resume, true, nil
	case o.PlanFile != "":
		p, err = plan.LoadFile(o.PlanFile)
		if err != nil {
			return p, "", "", false, err
		}
		abs, _ := filepath.Abs(o.PlanFile)
		return p, abs, newRunID(o.Clock.Now()), false, nil
	}
	runID = newRunID(o.Clock.Now())
	p, err = engine.MakePlan(ctx, s.ssm, engine.PlanInput{
		Selection: o.sel, Prereqs: o.settings.prereqs, Strategy: o.settings.strategy, Probe: !o.plan.NoProbe,
		Region: s.region, ToolVersion: toolVersion(), RunID: runID, Clock: o.Clock, Logger: s.log,
	})
	if err != nil {
		return p, "", "", false, explain(err)
	}
	if err := render.Plan(ios.Out, p, render.Text, render.Options{Verbose: o.Verbose, Color: ios.ColorEnabled()}); err != nil {
		return p, "", "", false, err
	}
	if !p.HasChanges() {
		return p, "", "", false, nil
	}
	if err := confirm(ios, o.AutoApprove); err != nil {
		return p, "", "", false, err
	}
	// Keep the plan beside the journal, so --resume can find exactly it.
	file = filepath.Join(o.StateDir, "runs", runID+".plan.json")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return p, "", "", false, fmt.Errorf("create state directory: %w", err)
	}
	if err := plan.SaveFile(file, p); err != nil {
		return p, "", "", false, fmt.Errorf("save plan for the journal: %w", err)
	}
	return p, file, runID, true, nil
}

// errNotApproved is returned when the user does not type "yes".
var errNotApproved = errors.New("apply cancelled: nothing was changed")
