package cli

import (
	"bufio"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/render"
)

// The SSM API's own patterns: checked here so that a typo fails before
// anything is created, with a message that names the flag.
var (
	reMaxConcurrency = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	reMaxErrors      = regexp.MustCompile(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
)

// CheckAndSetDefaults checks every flag before anything is read or
// created, and parses the ones that need it (output format, selection and
// prerequisites when apply makes its own plan).
func (o *ApplyOptions) CheckAndSetDefaults() error {
	if !reMaxConcurrency.MatchString(o.MaxConcurrency) || len(o.MaxConcurrency) > 7 {
		return fmt.Errorf("--max-concurrency %q: use a number from 1, or a percentage from 1%% to 100%%", o.MaxConcurrency)
	}
	if !reMaxErrors.MatchString(o.MaxErrors) || len(o.MaxErrors) > 7 {
		return fmt.Errorf("--max-errors %q: use a number from 0, or a percentage from 0%% to 100%%", o.MaxErrors)
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
	if o.Resume != "" || o.PlanFile != "" {
		return nil
	}
	if o.sel, err = o.plan.sel.selection(); err != nil {
		return err
	}
	o.settings, err = parsePlanSettings(o.plan.PrereqsFile, o.plan.MinAgentVersion, o.plan.Strategy)
	return err
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
	if !ios.IsTerminal {
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
