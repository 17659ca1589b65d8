package cli

import (
	"encoding/json"
	"io"
	"time"

	"github.com/patchready/patchready/internal/cleanup"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/heal"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/render"
	"github.com/patchready/patchready/internal/schedule"
)

// The JSON documents of heal, schedule show and cleanup (apply's is
// render.ApplyReport; plan's and show's is the plan file). Each carries
// render.ReportFormatVersion, keeps every count key even at zero, gives
// lists as [] rather than null, and gives durations in seconds. README's
// "JSON output" section documents them; json_output_test.go holds them to
// it.

// healCycleJSON is one line of `heal -o json`: one cycle.
type healCycleJSON struct {
	FormatVersion   string    `json:"format_version"`
	RunID           string    `json:"run_id"`
	Started         time.Time `json:"started"`
	Finished        time.Time `json:"finished"`
	DurationSeconds float64   `json:"duration_seconds"`
	// Result is compliant, not-compliant, error or interrupted.
	Result     string             `json:"result"`
	Summary    plan.Summary       `json:"summary"`
	Blocked    []string           `json:"blocked"`
	BackingOff []heal.Skipped     `json:"backing_off"`
	Targets    int                `json:"targets"`
	Counts     map[string]int     `json:"counts"`
	Outcomes   []converge.Outcome `json:"outcomes"`
	Journal    string             `json:"journal,omitempty"`
	Error      string             `json:"error,omitempty"`
}

func newHealCycleJSON(r heal.CycleResult) healCycleJSON {
	s := r.Summary
	if s.Actions == nil {
		s.Actions = map[prereq.ActionKind]int{}
	}
	for _, a := range prereq.Actions() {
		s.Actions[a.Kind] += 0
	}
	return healCycleJSON{
		FormatVersion: render.ReportFormatVersion, RunID: r.RunID, Started: r.Started, Finished: r.Finished,
		DurationSeconds: r.Duration.Round(time.Millisecond).Seconds(), Result: r.Result, Summary: s,
		Blocked: orEmpty(r.Blocked), BackingOff: orEmpty(r.Skipped), Targets: r.Targets,
		Counts: render.FinalCounts(r.Report.Counts), Outcomes: orEmpty(r.Report.Outcomes), Journal: r.JournalPath, Error: r.Error,
	}
}

// scheduleShowJSON is `schedule show -o json`.
type scheduleShowJSON struct {
	FormatVersion string            `json:"format_version"`
	Associations  []schedule.Status `json:"associations"`
	// Targets are the accounts and regions of a show across several, each
	// with its associations (Associations is then empty).
	Targets []scheduleTargetJSON `json:"per_target,omitempty"`
}

// scheduleTargetJSON is one target's schedule associations.
type scheduleTargetJSON struct {
	Account      string            `json:"account"`
	Region       string            `json:"region"`
	Associations []schedule.Status `json:"associations"`
}

// cleanupJSON is `cleanup -o json`.
type cleanupJSON struct {
	FormatVersion string `json:"format_version"`
	DryRun        bool   `json:"dry_run"`
	RunID         string `json:"run_id,omitempty"`
	// Removed are the resources removed (with --dry-run: that would be).
	Removed []cleanup.Resource `json:"removed"`
	Kept    []cleanup.Kept     `json:"kept"`
	// LeftOnPurpose are the changes the fixes for unmanaged instances made
	// (from the run journals), which cleanup never undoes.
	LeftOnPurpose []cleanup.Kept `json:"left_on_purpose"`
	// Counts has removed, kept and failed, zero or not.
	Counts map[string]int `json:"counts"`
	Error  string         `json:"error,omitempty"`
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// writeJSON writes v as one indented document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
