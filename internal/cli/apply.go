package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/render"
)

// ApplyOptions are the flags of `patchready apply`.
type ApplyOptions struct {
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

	WindowID       string
	WindowSchedule string
	WindowDuration int32
	WindowCutoff   int32
	WindowTimezone string
}

func init() { subcommands = append(subcommands, newApplyCmd) }

func newApplyCmd(ios *IOStreams, g *GlobalOptions) *cobra.Command {
	o := &ApplyOptions{}
	cmd := &cobra.Command{
		Use:   "apply [PLANFILE]",
		Short: "Fix what a plan found, then wait until every node reads back compliant",
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
			return applyRun(cmd.Context(), ios, g, o)
		},
	}
	o.plan.sel.bind(cmd)
	f := cmd.Flags()
	f.StringVar(&o.plan.Strategy, "strategy", string(plan.DefaultStrategy), strategyFlagHelp()+" (a saved plan carries its own)")
	f.BoolVar(&o.plan.NoProbe, "no-probe", false, "skip the read-only probe when planning (without PLANFILE)")
	o.plan.rules.bind(cmd)
	f.BoolVar(&o.AutoApprove, "auto-approve", false, "apply without asking (needed when not on a terminal)")
	f.BoolVar(&o.NoWait, "no-wait", false, "return once the updates are started, without waiting for read-back")
	f.DurationVar(&o.Timeout, "timeout", 30*time.Minute, "give up waiting after this long; unfinished nodes end timed-out")
	f.DurationVar(&o.PollInterval, "poll-interval", 15*time.Second, "first wait between read-backs")
	f.DurationVar(&o.MaxPollInterval, "max-poll-interval", 0, "longest wait between read-backs while nothing changes (default 4x --poll-interval; set it to --poll-interval to verify each node within one interval, at more API calls)")
	f.StringVar(&o.MaxConcurrency, "max-concurrency", "10%", "nodes updated at once, a number or percentage (SSM MaxConcurrency)")
	f.StringVar(&o.MaxErrors, "max-errors", "10%", "errors after which SSM stops a batch, a number or percentage (SSM MaxErrors)")
	f.StringVar(&o.MaxTargets, "max-targets", "", "refuse to touch more nodes than this, N or P% of the selected nodes")
	f.StringVar(&o.AgentVersion, "agent-version", "", "install this agent version instead of the latest")
	f.BoolVar(&o.KeepAssociations, "keep-associations", false, "leave the one-shot associations (or window) in place afterwards")
	f.StringVar(&o.StateDir, "state-dir", defaultStateDir(), "where run journals are kept")
	f.StringVar(&o.Resume, "resume", "", "continue the interrupted run with this ID (see the journal under --state-dir)")
	f.StringVarP(&o.Output, "output", "o", "text", "report format: text or json")
	f.BoolVar(&o.Verbose, "verbose", false, "list every node in the report")
	f.StringVar(&o.WindowID, "window-id", "", "use this existing maintenance window (maintenance-window strategy)")
	f.StringVar(&o.WindowSchedule, "window-schedule", "", "window schedule, cron/rate/at expression (default: two minutes from now, once)")
	f.Int32Var(&o.WindowDuration, "window-duration", 2, "window duration in hours (1-24)")
	f.Int32Var(&o.WindowCutoff, "window-cutoff", 1, "hours before the window ends when no new task starts (< duration)")
	f.StringVar(&o.WindowTimezone, "window-timezone", "", "IANA time zone of the window schedule (default UTC)")
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

func applyRun(ctx context.Context, ios *IOStreams, g *GlobalOptions, o *ApplyOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	format, err := render.ParseFormat(o.Output)
	if err != nil || format == render.Markdown {
		return fmt.Errorf("-o %q: apply reports in text or json", o.Output)
	}
	s, err := g.session(ctx, ios)
	if err != nil {
		return err
	}
	p, planFile, runID, fresh, err := o.loadOrMakePlan(ctx, ios, g, s)
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
	prog := newProgress(ios, s.log)
	res, err := engine.Apply(ctx, s.ssm, engine.ApplyInput{
		Plan: p, PlanFile: planFile, RunID: runID, StateDir: o.StateDir, Fresh: fresh, Resume: o.Resume != "",
		MaxConcurrency: o.MaxConcurrency, MaxErrors: o.MaxErrors, AgentVersion: o.AgentVersion, Keep: o.KeepAssociations,
		Window: remedy.WindowOptions{ID: o.WindowID, Schedule: o.WindowSchedule, Duration: o.WindowDuration, Cutoff: o.WindowCutoff, Timezone: o.WindowTimezone},
		Clock:  s.clock, PollInterval: o.PollInterval, MaxPollInterval: maxPoll(o.PollInterval, o.MaxPollInterval), Timeout: o.Timeout,
		Drain: ios.Drain, OnProgress: prog.update,
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
	if err := render.Report(ios.Out, rep, format, render.Options{Verbose: o.Verbose, Color: g.color(ios)}); err != nil {
		return err
	}
	if res.Report.Resumable() > 0 {
		// Only a drained run with work left is resumable: one whose every
		// node settled before the interrupt took effect is finished.
		fmt.Fprintf(ios.ErrOut, "Interrupted. Continue with: patchready apply --resume %s\n", runID)
	} else if isClosed(ios.Drain) {
		fmt.Fprintln(ios.ErrOut, "Interrupted, but every targeted node had already settled: the run is complete.")
	}
	if code != ExitOK {
		return withExitCode(code, nil)
	}
	return nil
}

// loadOrMakePlan returns the plan to apply: the one in the resumed run's
// journal, the saved PLANFILE, or a new one the user confirms.
func (o *ApplyOptions) loadOrMakePlan(ctx context.Context, ios *IOStreams, g *GlobalOptions, s *session) (p plan.Plan, file, runID string, fresh bool, err error) {
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
		return p, abs, newRunID(s.clock.Now()), false, nil
	}
	sel, err := o.plan.sel.selection()
	if err != nil {
		return p, "", "", false, err
	}
	settings, err := o.plan.rules.settings(o.plan.Strategy)
	if err != nil {
		return p, "", "", false, err
	}
	runID = newRunID(s.clock.Now())
	p, err = engine.MakePlan(ctx, s.ssm, engine.PlanInput{
		Selection: sel, Rules: settings.rules, Strategy: settings.strategy, Probe: !o.plan.NoProbe,
		Region: s.region, ToolVersion: toolVersion(), RunID: runID, Clock: s.clock, Logger: s.log,
	})
	if err != nil {
		return p, "", "", false, explain(err)
	}
	if err := render.Plan(ios.Out, p, render.Text, render.Options{Verbose: o.Verbose, Color: g.color(ios)}); err != nil {
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

func isClosed(ch <-chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
