package cli

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/render"
)

// The SSM API's own patterns: checked here so that a typo fails before
// anything is created, with a message that names the flag.
var (
	reMaxConcurrency = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	reMaxErrors      = regexp.MustCompile(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
)

// CheckAndSetDefaults checks every flag before anything is read from AWS
// or created: each on its own, then against the mode (a saved plan,
// --resume, or a plan made now) and the plan's strategy. It parses what
// needs parsing and reads PLANFILE or the resumed run's plan (local files).
func (o *ApplyOptions) CheckAndSetDefaults() error {
	if err := checkScan(o.Scan); err != nil {
		return err
	}
	if !reMaxConcurrency.MatchString(o.MaxConcurrency) || len(o.MaxConcurrency) > 7 {
		return fmt.Errorf("--max-concurrency %q: use a number from 1, or a percentage from 1%% to 100%%", o.MaxConcurrency)
	}
	if !reMaxErrors.MatchString(o.MaxErrors) || len(o.MaxErrors) > 7 {
		return fmt.Errorf("--max-errors %q: use a number from 0, or a percentage from 0%% to 100%%", o.MaxErrors)
	}
	if err := checkAgentVersion(o.AgentVersion); err != nil {
		return err
	}
	if o.Timeout <= 0 {
		return fmt.Errorf("--timeout %s: must be positive, e.g. 30m", o.Timeout)
	}
	if err := checkPoll(o.PollInterval, o.MaxPollInterval); err != nil {
		return err
	}
	if o.WindowDuration < 1 || o.WindowDuration > 24 {
		return fmt.Errorf("--window-duration %d: must be 1 to 24 hours", o.WindowDuration)
	}
	if o.WindowCutoff < 0 || o.WindowCutoff >= o.WindowDuration {
		return fmt.Errorf("--window-cutoff %d: must be 0 or more and less than --window-duration (%d)", o.WindowCutoff, o.WindowDuration)
	}
	// Its syntax is checked here, before anything is read or asked: the
	// count it stands for needs the plan, so the cap itself is applied
	// later.
	if _, err := parseMaxTargets(o.MaxTargets, 1); err != nil {
		return err
	}
	if o.Resume != "" && o.PlanFile != "" {
		return fmt.Errorf("--resume continues a run with its own plan: do not also give PLANFILE")
	}
	if o.Resume != "" && !reRunID.MatchString(o.Resume) {
		return fmt.Errorf("--resume %q: not a run ID (they look like 20261125T201500Z-1a2b3c)", o.Resume)
	}
	format, err := render.ParseFormat(o.Output)
	if err != nil || format == render.Markdown {
		return fmt.Errorf("-o %q: apply reports in text or json", o.Output)
	}
	o.format = format
	if err := o.checkModeFlags(); err != nil {
		return err
	}
	strategy := o.plan.Strategy
	if o.Resume == "" && o.PlanFile == "" {
		if o.sel, err = o.plan.sel.selection(); err != nil {
			return err
		}
		if o.settings, err = o.plan.rules.settings(o.plan.Strategy); err != nil {
			return err
		}
		if o.plan.asked, err = o.plan.fixes.options(); err != nil {
			return err
		}
		if o.spec, err = o.tgt.spec(); err != nil {
			return err
		}
		if err = o.plan.fixes.checkTargets(o.plan.asked, o.spec); err != nil {
			return err
		}
	} else {
		if o.saved, err = o.loadSaved(); err != nil {
			return err
		}
		if o.given["strategy"] && o.plan.Strategy != o.saved.plan.Strategy.String() {
			// The strategy is part of what the reviewer approved.
			return fmt.Errorf("--strategy %s: the plan was made with strategy %s; make a new plan with --strategy %s and apply that",
				o.plan.Strategy, o.saved.plan.Strategy, o.plan.Strategy)
		}
		strategy = o.saved.plan.Strategy.String()
		if err := o.checkSavedTargetFlags(); err != nil {
			return err
		}
	}
	if o.across() && o.given["window-id"] {
		return errors.New("--window-id names a window of one account and region; a run across targets creates a window in each (leave --window-id out)")
	}
	return o.checkWindowFlags(strategy)
}

// Why a flag cannot be used with a saved plan or with --resume. These are
// the flags that decide what a plan holds: applying them now would be
// applying something nobody reviewed, so they are refused rather than
// ignored. Selection flags narrow a saved plan (a subset of what was
// reviewed) but cannot narrow a resumed run, which must finish what it
// started on every node.
var (
	refusedWithPlanFile = map[string]string{
		"tag":                     "a saved plan records no node tags, so it cannot be narrowed by tag; make a new plan with --tag, or narrow with --instance-ids, --exclude-instance-ids or --platform",
		"no-probe":                "whether the probe ran was decided when the plan was made (patchready plan --no-probe)",
		"rules":                   "the plan was checked against its rules when it was made (patchready plan --rules NAME)",
		"rules-file":              "the plan was checked against its rules when it was made (patchready plan --rules-file FILE)",
		"prereqs":                 "the plan was checked against its rules when it was made (patchready plan --rules-file FILE)",
		"min-agent-version":       "the plan was checked against its agent floor when it was made (patchready plan --min-agent-version V)",
		"enable-dhmc":             fixesDecided,
		"attach-instance-profile": fixesDecided,
		"fix-instance-role":       fixesDecided,
		"org":                     savedTargets,
		"all-regions":             savedTargets,
		"ou":                      savedTargets,
	}
	refusedWithResume = map[string]string{
		"regions":                 resumeNarrowing,
		"all-regions":             resumeNarrowing,
		"accounts":                resumeNarrowing,
		"org":                     resumeNarrowing,
		"exclude-accounts":        resumeNarrowing,
		"ou":                      resumeNarrowing,
		"instance-ids":            resumeNarrowing,
		"exclude-instance-ids":    resumeNarrowing,
		"platform":                resumeNarrowing,
		"tag":                     resumeNarrowing,
		"no-probe":                "the run's plan was made already",
		"rules":                   "the run's plan was made already",
		"rules-file":              "the run's plan was made already",
		"prereqs":                 "the run's plan was made already",
		"min-agent-version":       "the run's plan was made already",
		"enable-dhmc":             "the run's plan was made already",
		"attach-instance-profile": "the run's plan was made already",
		"fix-instance-role":       "the run's plan was made already",
	}
)

// fixesDecided is why a fix for unmanaged instances cannot be given with a
// saved plan: what it changes in IAM is what the reviewer approved.
const fixesDecided = "the fixes for unmanaged instances were decided when the plan was made (patchready plan --enable-dhmc, --attach-instance-profile NAME, --fix-instance-role)"

// savedTargets is why flags that list targets cannot go with a saved plan.
const savedTargets = "the saved plan records its targets; narrow it with --accounts, --regions or --exclude-accounts, or make a new plan"

const resumeNarrowing = "a resumed run finishes its own plan on every node it covers and cannot be narrowed; finish it, or undo it (patchready cleanup --run-id RUN_ID) and apply a narrower plan"

// waitFlags only matter when apply waits for read-back.
var waitFlags = []string{"timeout", "poll-interval", "max-poll-interval", "scan"}

// windowShapeFlags shape a window apply creates.
var windowShapeFlags = []string{"window-schedule", "window-duration", "window-cutoff", "window-timezone"}

// checkModeFlags refuses flags that the mode would otherwise ignore.
func (o *ApplyOptions) checkModeFlags() error {
	for _, name := range slices.Sorted(maps.Keys(o.given)) {
		switch {
		case o.Resume != "" && refusedWithResume[name] != "":
			return fmt.Errorf("--%s cannot be used with --resume: %s", name, refusedWithResume[name])
		case o.PlanFile != "" && refusedWithPlanFile[name] != "":
			return fmt.Errorf("--%s cannot be used with a saved plan: %s", name, refusedWithPlanFile[name])
		case o.NoWait && slices.Contains(waitFlags, name):
			return fmt.Errorf("--%s has no effect with --no-wait, which returns without waiting for read-back: leave one of them out", name)
		case o.WindowID != "" && slices.Contains(windowShapeFlags, name):
			return fmt.Errorf("--%s cannot be used with --window-id: an existing window keeps its own schedule, duration, cutoff and time zone", name)
		}
	}
	return nil
}

// checkWindowFlags refuses window flags when the agent update does not
// go through a window.
func (o *ApplyOptions) checkWindowFlags(strategy string) error {
	if strategy == plan.Strategy("maintenance-window").String() {
		return nil
	}
	for _, name := range append([]string{"window-id"}, windowShapeFlags...) {
		if o.given[name] {
			return fmt.Errorf("--%s applies to the maintenance-window strategy, and this apply uses %s (see --strategy)", name, strategy)
		}
	}
	return nil
}

// reAgentVersion is SSM's own pattern for AWS-UpdateSSMAgent's version
// parameter: checked here so that a typo fails before anything is created,
// under the flag's name.
var reAgentVersion = regexp.MustCompile(`^[0-9]{1,6}(\.[0-9]{1,6}){2,3}$`)

func checkAgentVersion(v string) error {
	if v != "" && !reAgentVersion.MatchString(v) {
		return fmt.Errorf("--agent-version %q: want a version like 3.3.1142.0 (three or four numbers separated by dots), or leave it out for the latest", v)
	}
	return nil
}

// parseMaxTargets turns "N" or "P%" (of the selected nodes) into a count;
// "" means no cap.
func parseMaxTargets(s string, selected int) (int, error) {
	if s == "" {
		return 0, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.Atoi(p)
		if err != nil || v < 1 || v > 100 {
			return 0, fmt.Errorf("--max-targets %q: use a count (e.g. 200) or a percentage from 1%% to 100%%", s)
		}
		return max(1, int(math.Floor(float64(selected)*float64(v)/100))), nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		return 0, fmt.Errorf("--max-targets %q: use a count (e.g. 200) or a percentage from 1%% to 100%%", s)
	}
	return v, nil
}

// confirm asks on the terminal, as terraform apply does.
func confirm(ios *IOStreams, autoApprove bool) error {
	if autoApprove {
		return nil
	}
	if !ios.CanPrompt() {
		return fmt.Errorf("refusing to apply without confirmation: stdin is not a terminal; review the plan and pass --auto-approve, or save it with plan --out and apply the file")
	}
	fmt.Fprint(ios.ErrOut, "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
	line, _ := bufio.NewReader(ios.In).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return errNotApproved
	}
	return nil
}

// checkPoll validates --poll-interval and --max-poll-interval (0: default).
func checkPoll(poll, maxPoll time.Duration) error {
	if poll <= 0 {
		return fmt.Errorf("--poll-interval %s: must be positive, e.g. 15s", poll)
	}
	if maxPoll != 0 && maxPoll < poll {
		return fmt.Errorf("--max-poll-interval %s: must be at least --poll-interval (%s)", maxPoll, poll)
	}
	return nil
}

// maxPoll is the longest wait between read-backs: the flag, or four times
// the first wait. Backing off while nothing changes saves calls when
// updates are slow or a maintenance window has not opened yet, at the
// price of noticing a finished node up to one longest wait late.
func maxPoll(poll, maxPoll time.Duration) time.Duration {
	if maxPoll == 0 {
		return 4 * poll
	}
	return maxPoll
}
