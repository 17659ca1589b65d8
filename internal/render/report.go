package render

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/converge"
)

// ReportFormatVersion is the format of the JSON documents apply, heal,
// schedule show and cleanup print (a saved plan has its own,
// plan.FormatVersion). The major number changes only when a field is
// removed or changes meaning; new fields raise the minor.
const ReportFormatVersion = "1.0"

// ApplyReport is what apply printed about a run, for -o json.
//
// Durations in every JSON document are seconds as a number (here
// elapsed_seconds), not Go duration strings: any JSON reader, jq and a
// spreadsheet can compare and sum them, and patchready's metrics already
// count seconds.
type ApplyReport struct {
	FormatVersion string `json:"format_version"`
	RunID         string `json:"run_id"`
	Journal       string `json:"journal,omitempty"`
	Targets       int    `json:"targets"`
	// Counts has every final state as a key, zero or not.
	Counts         map[string]int     `json:"counts"`
	Outcomes       []converge.Outcome `json:"outcomes"`
	ElapsedSeconds float64            `json:"elapsed_seconds"`
	ExitCode       int                `json:"exit_code"`
	// Elapsed is ElapsedSeconds for the text report.
	Elapsed time.Duration `json:"-"`
}

// NewApplyReport flattens a converge report for output.
func NewApplyReport(runID, journal string, targets int, r converge.Report, exitCode int) ApplyReport {
	outcomes := r.Outcomes
	if outcomes == nil {
		outcomes = []converge.Outcome{}
	}
	elapsed := r.Elapsed.Round(time.Second)
	return ApplyReport{FormatVersion: ReportFormatVersion, RunID: runID, Journal: journal, Targets: targets, Outcomes: outcomes,
		Counts: FinalCounts(r.Counts), ElapsedSeconds: elapsed.Seconds(), Elapsed: elapsed, ExitCode: exitCode}
}

// FinalCounts returns counts with a key for every final state, so that a
// reader finds "failed": 0 rather than no key.
func FinalCounts(c map[converge.State]int) map[string]int {
	out := map[string]int{}
	for _, s := range []converge.State{converge.StateVerified, converge.StateFailed, converge.StateTimedOut, converge.StateNotStarted} {
		out[string(s)] = c[s]
	}
	for s, n := range c {
		if n > 0 {
			out[string(s)] = n
		}
	}
	return out
}

// Report writes an apply report in text or JSON.
func Report(w io.Writer, r ApplyReport, f Format, opts Options) error {
	if f == JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	var b strings.Builder
	byState := map[converge.State][]converge.Outcome{}
	for _, o := range r.Outcomes {
		byState[o.State] = append(byState[o.State], o)
	}
	order := []converge.State{converge.StateVerified, converge.StateFailed, converge.StateTimedOut, converge.StateInterrupted,
		converge.StateNotStarted, converge.StatePending, converge.StateRunning}
	for _, st := range order {
		list := byState[st]
		if len(list) == 0 {
			continue
		}
		sort.Slice(list, func(i, j int) bool { return list[i].InstanceID < list[j].InstanceID })
		fmt.Fprintf(&b, "\n%s (%d):\n", stateTitle(st), len(list))
		show := list
		if st == converge.StateVerified && !opts.Verbose && len(list) > collapseOver {
			show = list[:collapseShow]
		}
		for _, o := range show {
			fmt.Fprintf(&b, "  %s %-20s %s\n", stateMark(st), o.InstanceID, outcomeDetail(o))
		}
		if len(show) < len(list) {
			fmt.Fprintf(&b, "  ... and %d more (use --verbose to list all)\n", len(list)-len(show))
		}
	}
	fmt.Fprintf(&b, "\nApply complete after %s: %d verified, %d failed, %d timed out, %d interrupted, %d not started (of %d targeted).\n",
		r.Elapsed, r.Counts["verified"], r.Counts["failed"], r.Counts["timed-out"], r.Counts["interrupted"], r.Counts["not-started"], r.Targets)
	_, err := io.WriteString(w, b.String())
	return err
}

func stateTitle(s converge.State) string {
	switch s {
	case converge.StateVerified:
		return "Verified (read back compliant)"
	case converge.StateFailed:
		return "Failed"
	case converge.StateTimedOut:
		return "Timed out"
	case converge.StateNotStarted:
		return "Not started (interrupted; resume the run)"
	case converge.StateInterrupted:
		return "Interrupted while running in SSM (resume the run to follow it)"
	default:
		return "Still in progress (--no-wait or interrupted)"
	}
}

func stateMark(s converge.State) string {
	switch s {
	case converge.StateVerified:
		return "✓"
	case converge.StateFailed, converge.StateTimedOut:
		return "✗"
	default:
		return "…"
	}
}

func outcomeDetail(o converge.Outcome) string {
	var parts []string
	if o.AgentBefore != "" && o.AgentAfter != "" && o.AgentBefore != o.AgentAfter {
		parts = append(parts, "agent "+o.AgentBefore+" → "+o.AgentAfter)
	}
	for _, c := range o.Changes {
		parts = append(parts, clean(c.What+" "+c.Before+" → "+c.After))
	}
	if o.PatchState != nil {
		// What Patch Manager itself recorded: the next step, patching,
		// is Patch Manager's, not patchready's.
		parts = append(parts, "scan: "+o.PatchState.Summary())
	}
	if o.State != converge.StateVerified && o.Reason != "" {
		parts = append(parts, o.Reason)
	}
	if len(parts) == 0 {
		return o.Reason
	}
	return strings.Join(parts, "; ")
}
