package heal_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/heal"
	"github.com/patchready/patchready/internal/ssmsim"
)

// A fleet that drifts between cycles is healed cycle after cycle, a
// blocked node is never touched, and the metrics describe each cycle.
func TestLoopHealsDriftingFleet(t *testing.T) {
	offline := ubuntu(9, oldAgent)
	offline.PingStatus = "ConnectionLost"
	e := newEnv(t, ubuntu(1, oldAgent), ubuntu(2, oldAgent), ubuntu(3, newAgent), offline)
	m := heal.NewMetrics(e.calls.Snapshot)
	base := serveMetrics(t, m)
	if code, _ := get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz before any cycle = %d, want 503", code)
	}

	drain := make(chan struct{})
	type want struct {
		targets, verified, compliant, fix int
		verifiedTotal                     float64
	}
	steps := []struct {
		want  want
		drift func(r *ssmsim.Region) // between this cycle and the next
	}{
		// Cycle 1 fixes the two old agents.
		{want{targets: 2, verified: 2, compliant: 1, fix: 2, verifiedTotal: 2}, func(r *ssmsim.Region) {
			r.AddNodes(ubuntu(4, oldAgent)) // a new node with an old agent
			r.UpdateNode(ubuntu(3, "").ID, func(n *ssmsim.Node) { n.AgentVersion = oldAgent })
		}},
		// Cycle 2 finds and fixes exactly the drift.
		{want{targets: 2, verified: 2, compliant: 2, fix: 2, verifiedTotal: 4}, nil},
		// Cycle 3 has nothing to do.
		{want{targets: 0, verified: 0, compliant: 4, fix: 0, verifiedTotal: 4}, nil},
	}
	var results []heal.CycleResult
	opts := e.options()
	opts.Metrics, opts.Drain = m, drain
	opts.OnCycle = func(r heal.CycleResult) {
		results = append(results, r)
		i := len(results) - 1
		if i >= len(steps) {
			t.Errorf("cycle %d ran after the drain", i+1)
			return
		}
		w := steps[i].want
		if r.Err != nil || r.Result != heal.ResultCompliant {
			t.Errorf("cycle %d: result %s, err %v", i+1, r.Result, r.Err)
		}
		if r.Targets != w.targets || r.Report.Counts[converge.StateVerified] != w.verified {
			t.Errorf("cycle %d: targets %d verified %d, want %d and %d", i+1, r.Targets, r.Report.Counts[converge.StateVerified], w.targets, w.verified)
		}
		if !slices.Equal(r.Blocked, []string{offline.ID}) {
			t.Errorf("cycle %d: blocked %v, want the offline node", i+1, r.Blocked)
		}
		_, scrape := get(t, base+"/metrics")
		for series, v := range map[string]float64{
			`patchready_nodes{verdict="compliant"}`:                                  float64(w.compliant),
			`patchready_nodes{verdict="fix"}`:                                        float64(w.fix),
			`patchready_nodes{verdict="blocked"}`:                                    1,
			`patchready_remediations_total{action="update-agent",result="verified"}`: w.verifiedTotal,
			`patchready_remediations_total{action="update-agent",result="failed"}`:   0,
			`patchready_cycles_total{result="compliant"}`:                            float64(i + 1),
			`patchready_cycle_duration_seconds_count`:                                float64(i + 1),
			`patchready_last_success_timestamp_seconds`:                              float64(r.Finished.UnixNano()) / 1e9,
		} {
			if got := metric(t, scrape, series); got != v {
				t.Errorf("cycle %d: %s = %g, want %g", i+1, series, got, v)
			}
		}
		if got := metric(t, scrape, `patchready_api_calls_total{operation="DescribeInstanceInformation"}`); got < float64(i+1) {
			t.Errorf("cycle %d: DescribeInstanceInformation calls = %g, want at least one per cycle", i+1, got)
		}
		metric(t, scrape, `patchready_api_throttles_total{operation="DescribeInstanceInformation"}`)
		for path, code := range map[string]int{"/healthz": 200, "/readyz": 200} {
			if got, _ := get(t, base+path); got != code {
				t.Errorf("cycle %d: %s = %d, want %d", i+1, path, got, code)
			}
		}
		if d := steps[i].drift; d != nil {
			e.sim.WithRegion(region, d)
		}
		if i == len(steps)-1 {
			close(drain) // the first SIGTERM: stop between cycles
		}
	}
	last, err := heal.Run(context.Background(), e.api, opts)
	if err != nil {
		t.Fatalf("Run after drain = %v, want nil (a clean stop)", err)
	}
	if len(results) != len(steps) || last.RunID != results[len(results)-1].RunID {
		t.Fatalf("ran %d cycles, want %d", len(results), len(steps))
	}
	for id := 1; id <= 4; id++ {
		if got := e.agent(t, ubuntu(id, "").ID); got != newAgent {
			t.Errorf("node %d agent %s, want %s", id, got, newAgent)
		}
	}
	if got := e.agent(t, offline.ID); got != oldAgent {
		t.Errorf("blocked node was touched: agent %s", got)
	}
	if results[0].RunID == results[1].RunID {
		t.Error("two cycles shared a run ID")
	}
	for _, r := range results[:2] {
		if _, err := os.Stat(r.JournalPath); err != nil {
			t.Errorf("cycle %s journal: %v", r.RunID, err)
		}
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz after the loop ended = %d, want 503", code)
	}
}

// A cancelled context ends the loop at once, even in the middle of a
// six-hour wait.
func TestLoopStopsAtOnceOnCancel(t *testing.T) {
	e := newEnv(t, ubuntu(1, newAgent))
	ctx, cancel := context.WithCancel(context.Background())
	opts := e.options()
	opts.Interval = heal.DefaultInterval // 4.3 s of real time at this scale
	opts.OnCycle = func(heal.CycleResult) { go func() { time.Sleep(10 * time.Millisecond); cancel() }() }
	start := time.Now()
	_, err := heal.Run(ctx, e.api, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %s after cancel; want it to stop at once", d)
	}
}

// The blast-radius cap refuses a cycle that touches too many nodes and
// changes nothing.
func TestOnceRefusesOverMaxTargets(t *testing.T) {
	e := newEnv(t, ubuntu(1, oldAgent), ubuntu(2, oldAgent), ubuntu(3, oldAgent))
	opts := e.options()
	opts.Once = true
	opts.MaxTargets = func(int) int { return 2 }
	r, err := heal.Run(context.Background(), e.api, opts)
	if !errors.Is(err, engine.ErrTooManyTargets) {
		t.Fatalf("Run = %v, want ErrTooManyTargets", err)
	}
	if r.ExitCode() != 1 || r.Result != heal.ResultError {
		t.Errorf("exit code %d result %s, want 1 and error", r.ExitCode(), r.Result)
	}
	if got := e.agent(t, ubuntu(1, "").ID); got != oldAgent {
		t.Errorf("a refused cycle changed a node: agent %s", got)
	}
}
