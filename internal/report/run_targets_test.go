package report

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/remedy"
)

// The report of a run across targets reads every target's nodes from the
// target's own journal, which the run's journal names.
func TestReadRunFileFollowsTargets(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { at = at.Add(time.Minute); return at }
	const runID = "20260302T090000Z-abcdef"
	zero := 0
	var journals []string
	for i, acct := range []string{"111111111111", "222222222222"} {
		j, err := remedy.OpenJournal(filepath.Join(dir, acct), runID, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []remedy.Entry{
			{Kind: remedy.EntryRunStarted, RunID: runID},
			{Kind: remedy.EntryNode, InstanceID: "i-" + acct, State: []string{"verified", "failed"}[i], Reason: "because"},
		} {
			if err := j.Append(e); err != nil {
				t.Fatal(err)
			}
		}
		journals = append(journals, j.Path())
		j.Close()
	}
	run, err := remedy.OpenJournal(dir, runID, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []remedy.Entry{
		{Kind: remedy.EntryRunStarted, RunID: runID, PlanFile: "/plan.json"},
		{Kind: remedy.EntryTarget, Account: "111111111111", Region: "us-east-1", State: remedy.TargetStarted, Journal: journals[0]},
		{Kind: remedy.EntryTarget, Account: "222222222222", Region: "us-east-1", State: remedy.TargetStarted, Journal: journals[1]},
		{Kind: remedy.EntryTarget, Account: "333333333333", Region: "us-east-1", State: remedy.TargetFailed, FailureKind: "role"},
		{Kind: remedy.EntryRunFinished, ExitCode: &zero},
	} {
		if err := run.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	run.Close()
	got, err := ReadRunFile(run.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Nodes) != 2 || got.Nodes["i-111111111111"].State != "verified" || got.Nodes["i-222222222222"].State != "failed" {
		t.Fatalf("nodes %+v", got.Nodes)
	}
	if len(got.Verified) != 1 || len(got.Failures) != 1 || !got.Finished {
		t.Errorf("summary: %d verified points, %d failures, finished %v", len(got.Verified), len(got.Failures), got.Finished)
	}
}
