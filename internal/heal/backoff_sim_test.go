package heal_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/heal"
	"github.com/patchready/patchready/internal/ssmsim"
)

// A node whose update fails is not retried in the next run, is retried
// once its backoff has passed, backs off twice as long after failing
// again, and is forgiven once it heals. Every run is `heal --once`, a new
// Run reading the state file as a CronJob's new process would.
func TestOnceBacksOffFailingNodeAcrossRuns(t *testing.T) {
	bad := ubuntu(2, oldAgent)
	bad.Faults.UpdateFails = true
	e := newEnv(t, ubuntu(1, oldAgent), bad)
	once := func(step string) heal.CycleResult {
		t.Helper()
		opts := e.options()
		opts.Once = true
		r, err := heal.Run(context.Background(), e.api, opts)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return r
	}
	state := func() heal.NodeBackoff {
		t.Helper()
		st, err := heal.LoadState(heal.StatePath(e.dir))
		if err != nil {
			t.Fatal(err)
		}
		return st.Nodes[bad.ID]
	}
	waitUntil := func(at time.Time) {
		if d := at.Sub(e.clk.Now()); d > 0 {
			_ = e.clk.Sleep(context.Background(), d)
		}
	}

	r := once("run 1")
	if r.Targets != 2 || r.Report.Counts[converge.StateVerified] != 1 || r.Report.Counts[converge.StateFailed] != 1 {
		t.Fatalf("run 1: targets %d counts %v, want 2 targets, 1 verified, 1 failed", r.Targets, r.Report.Counts)
	}
	if r.ExitCode() != 3 {
		t.Errorf("run 1 exit code %d, want 3", r.ExitCode())
	}
	first := state()
	if first.Failures != 1 || !first.RetryAfter.After(r.Started.Add(interval)) {
		t.Fatalf("after run 1 the state is %+v; want 1 failure, retry after more than one interval", first)
	}
	fi, err := os.Stat(heal.StatePath(e.dir))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}

	// The next run (one interval later, as a CronJob would start it) leaves the node alone.
	waitUntil(r.Started.Add(interval))
	r = once("run 2")
	if r.Targets != 0 || len(r.Skipped) != 1 || r.Skipped[0].InstanceID != bad.ID {
		t.Fatalf("run 2: targets %d skipped %+v; want the failing node skipped and nothing applied", r.Targets, r.Skipped)
	}
	if r.Result != heal.ResultNotCompliant || r.ExitCode() != 3 {
		t.Errorf("run 2: result %s exit %d; a node backing off is not compliant (3)", r.Result, r.ExitCode())
	}

	// Once the backoff has passed it is retried, and fails again: twice as long.
	waitUntil(first.RetryAfter)
	r = once("run 3")
	if r.Targets != 1 || r.Report.Counts[converge.StateFailed] != 1 {
		t.Fatalf("run 3: targets %d counts %v, want the failing node retried and failed", r.Targets, r.Report.Counts)
	}
	second := state()
	if second.Failures != 2 || second.RetryAfter.Sub(r.Started) <= first.RetryAfter.Sub(first.LastFailure) {
		t.Fatalf("after run 3 the state is %+v, want 2 failures and a longer backoff than %+v", second, first)
	}

	// Someone fixes the node; after its backoff heal updates it and forgets it.
	e.sim.WithRegion(region, func(rg *ssmsim.Region) {
		rg.UpdateNode(bad.ID, func(n *ssmsim.Node) { n.Faults.UpdateFails = false })
	})
	waitUntil(second.RetryAfter)
	r = once("run 4")
	if r.Targets != 1 || r.Report.Counts[converge.StateVerified] != 1 || r.ExitCode() != 0 {
		t.Fatalf("run 4: targets %d counts %v exit %d, want the node fixed and exit 0", r.Targets, r.Report.Counts, r.ExitCode())
	}
	if got := state(); got.Failures != 0 {
		t.Errorf("a healed node is still in the state: %+v", got)
	}
	if got := e.agent(t, bad.ID); got != newAgent {
		t.Errorf("agent %s, want %s", got, newAgent)
	}
}
