package heal_test

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/heal"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
)

func TestBackoffDelay(t *testing.T) {
	b := heal.Backoff{Base: 6 * time.Hour, Max: 7 * 24 * time.Hour}
	tests := []struct {
		name     string
		failures int
		want     time.Duration
	}{
		{"never failed", 0, 0},
		{"one failure skips one cycle", 1, 12 * time.Hour},
		{"two failures skip three", 2, 24 * time.Hour},
		{"four failures", 4, 96 * time.Hour},
		{"capped at a week", 5, 7 * 24 * time.Hour},
		{"no overflow after many failures", 200, 7 * 24 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := b.Delay(tc.failures); got != tc.want {
				t.Errorf("Delay(%d) = %s, want %s", tc.failures, got, tc.want)
			}
		})
	}
	if got := (heal.Backoff{Base: time.Hour}).Delay(10); got != heal.DefaultMaxBackoff {
		t.Errorf("zero Max: Delay = %s, want the default cap %s", got, heal.DefaultMaxBackoff)
	}
}

func testNode(id, agent string) fleet.Node {
	return fleet.Node{InstanceID: id, PingStatus: fleet.PingOnline, AgentVersion: agent, IsLatestVersion: agent == newAgent,
		PlatformType: fleet.PlatformLinux, PlatformName: "Ubuntu", PlatformVersion: "22.04"}
}

func testPlan(nodes ...fleet.Node) plan.Plan {
	return plan.Build(nodes, nil, plan.Options{CreatedAt: t0, Region: region, Rules: prereq.Default()})
}

func TestApplyBackoff(t *testing.T) {
	now := t0.Add(time.Hour)
	p := testPlan(testNode("i-a", oldAgent), testNode("i-b", oldAgent), testNode("i-c", newAgent), testNode("i-d", oldAgent))
	st := heal.State{Nodes: map[string]heal.NodeBackoff{
		"i-a": {Failures: 2, RetryAfter: now.Add(time.Minute), Reason: "failed: exit 1"}, // backing off
		"i-b": {Failures: 1, RetryAfter: now},                                            // due exactly now
		"i-c": {Failures: 1, RetryAfter: now.Add(time.Hour)},                             // compliant: nothing to skip
	}}
	got, skipped := heal.ApplyBackoff(p, st, now)

	if len(skipped) != 1 || skipped[0].InstanceID != "i-a" || skipped[0].Failures != 2 || !skipped[0].RetryAfter.Equal(now.Add(time.Minute)) ||
		!reflect.DeepEqual(skipped[0].Actions, []prereq.ActionKind{prereq.UpdateAgent}) || skipped[0].Reason != "failed: exit 1" {
		t.Fatalf("skipped = %+v, want only i-a with its record", skipped)
	}
	want := testPlan(testNode("i-b", oldAgent), testNode("i-c", newAgent), testNode("i-d", oldAgent))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ApplyBackoff result differs from a plan of the remaining nodes:\n got %+v\nwant %+v", got, want)
	}
	if len(got.Batches) != 1 || !reflect.DeepEqual(got.Batches[0].InstanceIDs, []string{"i-b", "i-d"}) {
		t.Errorf("batches = %+v, want one update-agent batch of i-b and i-d", got.Batches)
	}
	if len(p.Nodes) != 4 || len(p.Batches[0].InstanceIDs) != 3 {
		t.Error("ApplyBackoff changed its input plan")
	}

	same, none := heal.ApplyBackoff(p, heal.State{}, now)
	if none != nil || !reflect.DeepEqual(same, p) {
		t.Error("with an empty state the plan must come back unchanged")
	}
}

func TestRecordAndPrune(t *testing.T) {
	b := heal.Backoff{Base: time.Hour, Max: 8 * time.Hour}
	start := t0
	st := heal.State{Nodes: map[string]heal.NodeBackoff{
		"i-healed": {Failures: 3},
		"i-again":  {Failures: 1, LastFailure: t0.Add(-2 * time.Hour)},
	}}
	st.Record([]converge.Outcome{
		{InstanceID: "i-healed", State: converge.StateVerified},
		{InstanceID: "i-again", State: converge.StateFailed, Reason: "exit 124"},
		{InstanceID: "i-new", State: converge.StateTimedOut, Reason: "no read-back in 30m"},
		{InstanceID: "i-untouched", State: converge.StateNotStarted},
	}, start, b)
	want := map[string]heal.NodeBackoff{
		// 2 failures: 4 intervals, a tenth of an interval early.
		"i-again": {Failures: 2, LastFailure: start, RetryAfter: start.Add(4*time.Hour - 6*time.Minute), Reason: "failed: exit 124"},
		"i-new":   {Failures: 1, LastFailure: start, RetryAfter: start.Add(2*time.Hour - 6*time.Minute), Reason: "timed-out: no read-back in 30m"},
	}
	if !reflect.DeepEqual(st.Nodes, want) {
		t.Fatalf("after Record:\n got %+v\nwant %+v", st.Nodes, want)
	}

	st.Nodes["i-gone"] = heal.NodeBackoff{Failures: 1, LastFailure: start.Add(-17 * time.Hour)}   // older than 2×Max, not in the plan
	st.Nodes["i-recent"] = heal.NodeBackoff{Failures: 1, LastFailure: start.Add(-15 * time.Hour)} // not in the plan, recent: another selection's
	blocked := testNode("i-new", oldAgent)
	blocked.PingStatus = fleet.PingConnectionLost
	st.Prune(testPlan(testNode("i-again", newAgent), blocked), start, b)
	if got := strings.Join(slices.Sorted(maps.Keys(st.Nodes)), ","); got != "i-new,i-recent" {
		t.Errorf("after Prune the state holds %s; want the blocked node and the recent one (compliant and stale ones forgotten)", got)
	}
}

func TestStateFile(t *testing.T) {
	dir := t.TempDir()
	path := heal.StatePath(filepath.Join(dir, "nested"))
	st, err := heal.LoadState(path)
	if err != nil || len(st.Nodes) != 0 {
		t.Fatalf("missing file: %+v, %v; want an empty state", st, err)
	}
	st.Nodes["i-a"] = heal.NodeBackoff{Failures: 1, LastFailure: t0, RetryAfter: t0.Add(time.Hour), Reason: "failed"}
	if err := heal.SaveState(path, st); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files; a temporary file was left behind", len(entries))
	}
	back, err := heal.LoadState(path)
	if err != nil || !reflect.DeepEqual(back, st) {
		t.Errorf("round trip: %+v, %v; want %+v", back, err, st)
	}

	for name, content := range map[string]string{
		"newer format": `{"version": 2, "nodes": {}}`,
		"not JSON":     `{"version": 1, "nodes": {`,
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
			if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := heal.LoadState(p); err == nil {
				t.Error("LoadState accepted it")
			}
		})
	}
}
