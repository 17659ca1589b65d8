package remedy

import (
	"testing"
	"time"
)

// A run across targets records each target's journal, then its outcome;
// the last record of a target wins, in the order targets first appeared.
func TestJournalRecordsTargets(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir, "20260302T090000Z-abcdef", func() time.Time { return time.Unix(0, 0) })
	if err != nil {
		t.Fatal(err)
	}
	zero, three := 0, 3
	for _, e := range []Entry{
		{Kind: EntryRunStarted, RunID: "20260302T090000Z-abcdef", PlanFile: "/p.json"},
		{Kind: EntryTarget, Account: "222222222222", Region: "eu-west-1", State: TargetStarted, Journal: "/t/2/eu.jsonl"},
		{Kind: EntryTarget, Account: "111111111111", Region: "us-east-1", State: TargetStarted, Journal: "/t/1/us.jsonl"},
		{Kind: EntryTarget, Account: "111111111111", Region: "us-east-1", State: TargetFinished, ExitCode: &three},
		{Kind: EntryTarget, Account: "222222222222", Region: "eu-west-1", State: TargetFailed, FailureKind: "throttled", Reason: "kept throttling"},
		{Kind: EntryRunFinished, ExitCode: &zero},
	} {
		if err := j.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	st, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	want := []TargetRecord{
		{Account: "222222222222", Region: "eu-west-1", Journal: "/t/2/eu.jsonl", State: TargetFailed, Reason: "kept throttling", FailureKind: "throttled"},
		{Account: "111111111111", Region: "us-east-1", Journal: "/t/1/us.jsonl", State: TargetFinished, ExitCode: 3},
	}
	if len(st.Targets) != 2 || st.Targets[0] != want[0] || st.Targets[1] != want[1] {
		t.Errorf("targets %+v\nwant %+v", st.Targets, want)
	}
}
