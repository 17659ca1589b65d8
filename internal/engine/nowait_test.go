package engine

import (
	"context"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/ssmsim"
)

// With --no-wait, apply starts the agent update and the requests upgrade of
// nodes that need nothing else, and returns; a node that needs both is left
// for a later run, since its upgrade must wait for the new agent.
func TestApplyNoWaitStartsWhatNeedNotWait(t *testing.T) {
	ctx := context.Background()
	fl := ssmsim.Fleet{Nodes: []ssmsim.Node{
		al2("i-00000000000000001", "2.0.700.0"),                              // agent only
		al1Proxied("i-00000000000000002", "3.3.1142.0", "2.12.1", "process"), // requests only
		al1Proxied("i-00000000000000003", "2.0.700.0", "2.12.1", "process"),  // both
	}}
	e := newEnv(t, fl, nil)
	p := e.plan(ctx, plan.Strategy("association"))
	in := e.applyInput(p, "nowait-run", t.TempDir())
	in.Fresh, in.NoWait = true, true
	res, err := Apply(ctx, e.api, in)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if !res.NoWait || len(res.Report.Outcomes) != 0 {
		t.Fatalf("want a no-wait result with no outcomes, got %+v", res)
	}
	if got := e.creations(); got != 1 {
		t.Errorf("CreateAssociation calls = %d, want 1", got)
	}
	if got := e.sim.Stats().Calls("SendCommand"); got < 2 {
		t.Errorf("SendCommand calls = %d, want the probe and the requests upgrade", got)
	}
	// Let the fleet run on: the started work completes without patchready.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if e.node("i-00000000000000002").Requests != "2.12.1" && e.node("i-00000000000000001").AgentVersion != "2.0.700.0" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := e.node("i-00000000000000002").Requests; got == "2.12.1" {
		t.Errorf("requests-only node still has requests %s: the upgrade was not started", got)
	}
	if got := e.node("i-00000000000000001").AgentVersion; got == "2.0.700.0" {
		t.Errorf("agent-only node still has agent %s: the update was not started", got)
	}
	if got := e.node("i-00000000000000003").Requests; got != "2.12.1" {
		t.Errorf("node needing both had requests changed to %s before its agent update was read back", got)
	}
}
