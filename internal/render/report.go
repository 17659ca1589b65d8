package render

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/plan"
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
	// Nodes is how many nodes the run targeted (JSON "targets", as
	// before runs had targets of their own).
	Nodes int `json:"targets"`
	// Counts has every final state as a key, zero or not.
	Counts         map[string]int     `json:"counts"`
	Outcomes       []converge.Outcome `json:"outcomes"`
	ElapsedSeconds float64            `json:"elapsed_seconds"`
	ExitCode       int                `json:"exit_code"`
	// Targets are the accounts and regions of a run across several, each
	// with how it ended; empty for a run of one.
	Targets []TargetReport `json:"per_target,omitempty"`
	// Elapsed is ElapsedSeconds for the text report.
	Elapsed time.Duration `json:"-"`
}

// TargetReport is how one target of a run across targets ended.
type TargetReport struct {
	Account     string `json:"account"`
	AccountName string `json:"account_name,omitempty"`
	Region      string `json:"region"`
	// Status is applied, nothing-to-do, earlier (finished by the
	// interrupted part of a resumed run), interrupted, started (--no-wait)
	// or failed.
	Status   string              `json:"status"`
	Targeted int                 `json:"targeted"`
	Counts   map[string]int      `json:"counts,omitempty"`
	Failure  *plan.TargetFailure `json:"failure,omitempty"`
	Journal  string              `json:"journal,omitempty"`
}

// NewApplyReport flattens a converge report for output.
func NewApplyReport(runID, journal string, targets int, r converge.Report, exitCode int) ApplyReport {
	outcomes := r.Outcomes
	if outcomes == nil {
		outcomes = []converge.Outcome{}
	}
	elapsed := r.Elapsed.Round(time.Second)
	return ApplyReport{FormatVersion: ReportFormatVersion, RunID: runID, Journal: journal, Nodes: targets, Outcomes: outcomes,
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
	if len(r.Targets) > 0 {
		targetTable(&b, r.Targets)
	}
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
		sort.Slice(list, func(i, j int) bool { return outcomeName(list[i]) < outcomeName(list[j]) })
		fmt.Fprintf(&b, "\n%s (%d):\n", stateTitle(st), len(list))
		show := list
		if st == converge.StateVerified && !opts.Verbose && len(list) > collapseOver {
			show = list[:collapseShow]
		}
		for _, o := range show {
			fmt.Fprintf(&b, "  %s %-20s %s\n", stateMark(st), outcomeName(o), outcomeDetail(o))
		}
		if len(show) < len(list) {
			fmt.Fprintf(&b, "  ... and %d more (use --verbose to list all)\n", len(list)-len(show))
		}
	}
	if len(r.Targets) > 0 {
		failedTargets(&b, r.Targets)
	}
	fmt.Fprintf(&b, "\nApply complete after %s: %d verified, %d failed, %d timed out, %d interrupted, %d not started (of %d targeted).\n",
		r.Elapsed, r.Counts["verified"], r.Counts["failed"], r.Counts["timed-out"], r.Counts["interrupted"], r.Counts["not-started"], r.Nodes)
	if n := countFailed(r.Targets); n > 0 {
		fmt.Fprintf(&b, "%s of %d failed; the others ran (exit code %d).\n", plural(n, "target", "targets"), len(r.Targets), r.ExitCode)
	}
	if n := scannedReady(r.Outcomes); n > 0 {
		fmt.Fprintf(&b, "Patch Manager's scan passed on %s. %s\n", plural(n, "node", "nodes"), scanNextStep)
	}
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

// outcomeName names a node in a report: its instance ID, with its account
// and region in a run across targets.
func outcomeName(o converge.Outcome) string {
	if o.Account == "" && o.Region == "" {
		return o.InstanceID
	}
	return o.Account + "/" + o.Region + "/" + o.InstanceID
}

// targetTable writes one row per target of a run across targets.
func targetTable(b *strings.Builder, ts []TargetReport) {
	rows := [][]string{{"ACCOUNT", "NAME", "REGION", "TARGETED", "VERIFIED", "FAILED", "TIMED OUT", "STATUS"}}
	for _, t := range ts {
		name := short(t.AccountName)
		if name == "" {
			name = "-"
		}
		status := t.Status
		if t.Failure != nil {
			status = "FAILED (" + clean(t.Failure.Kind) + ")"
		}
		rows = append(rows, []string{clean(t.Account), name, clean(t.Region), fmt.Sprint(t.Targeted),
			fmt.Sprint(t.Counts["verified"]), fmt.Sprint(t.Counts["failed"]), fmt.Sprint(t.Counts["timed-out"]), status})
	}
	tw := &textWriter{}
	tw.table(rows)
	b.WriteString("\nTargets:\n\n" + tw.b.String())
}

// failedTargets writes each failed target with why and what to do.
func failedTargets(b *strings.Builder, ts []TargetReport) {
	if countFailed(ts) == 0 {
		return
	}
	b.WriteString("\nFailed targets (the others went on):\n")
	for _, t := range ts {
		if t.Failure == nil {
			continue
		}
		fmt.Fprintf(b, "  ✗ %s: %s\n", targetName(plan.Target{Account: t.Account, AccountName: t.AccountName, Region: t.Region}), clean(t.Failure.Reason))
		if t.Failure.Advice != "" {
			fmt.Fprintf(b, "      what to do: %s\n", clean(t.Failure.Advice))
		}
	}
}

// scannedReady counts the outcomes whose scan passed: those Patch Manager
// recorded a patch state for.
func scannedReady(os []converge.Outcome) int {
	n := 0
	for _, o := range os {
		if o.PatchState != nil {
			n++
		}
	}
	return n
}

func countFailed(ts []TargetReport) int {
	n := 0
	for _, t := range ts {
		if t.Failure != nil {
			n++
		}
	}
	return n
}
