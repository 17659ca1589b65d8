package render

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/patchready/patchready/internal/converge"
)

// ApplyReport is what apply printed about a run, for -o json.
type ApplyReport struct {
	RunID    string             `json:"run_id"`
	Journal  string             `json:"journal,omitempty"`
	Targets  int                `json:"targets"`
	Outcomes []converge.Outcome `json:"outcomes"`
	Counts   map[string]int     `json:"counts"`
	Elapsed  string             `json:"elapsed"`
	ExitCode int                `json:"exit_code"`
}

// NewApplyReport flattens a converge report for output.
func NewApplyReport(runID, journal string, targets int, r converge.Report, exitCode int) ApplyReport {
	counts := map[string]int{}
	for s, n := range r.Counts {
		counts[string(s)] = n
	}
	return ApplyReport{RunID: runID, Journal: journal, Targets: targets, Outcomes: r.Outcomes, Counts: counts, Elapsed: r.Elapsed.Round(1e9).String(), ExitCode: exitCode}
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
