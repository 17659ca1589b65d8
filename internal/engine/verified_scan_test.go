package engine

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
)

// TestEveryNodeApplyVerifiesPassesTheScan guards against the worst thing
// patchready can do: call a node verified on which Patch Manager's own run
// then fails. It plans the sample fleet, applies the plan with the default
// strategy and no scan of its own, then sends AWS-RunPatchBaseline
// (Operation=Scan) to every node the apply verified. The simulator runs
// the patch run's own script on each node's software, in the environment
// the running agent gives it: every one of those scans must pass.
func TestEveryNodeApplyVerifiesPassesTheScan(t *testing.T) {
	ctx := testCtx(t, 3*time.Minute)
	e := newEnv(t, ssmsim.SampleFleet(), nil)
	p := e.plan(ctx, plan.Strategy("association"))
	res, err := Apply(ctx, e.api, e.applyInput(p, "20260302T090000Z-5ca001", t.TempDir()))
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	var verified []fleet.Node
	for _, np := range p.Nodes {
		if o, ok := outcomes(res.Report)[np.Node.InstanceID]; ok && o.State == converge.StateVerified {
			verified = append(verified, np.Node)
		}
	}
	if len(verified) < 5 {
		// The sample fleet has well over five nodes apply can fix; fewer
		// verified means the apply itself broke, which would make the
		// check below pass for nothing.
		t.Fatalf("apply verified %d nodes:\n%s", len(verified), formatReport(res.Report))
	}
	t.Logf("apply verified %d nodes; scanning them", len(verified))
	scanned := scanAfterApply(ctx, t, e, verified)
	var failed []string
	for _, n := range verified {
		r, ok := scanned[n.InstanceID]
		switch {
		case !ok:
			failed = append(failed, n.InstanceID+": no scan result")
		case !r.OK:
			failed = append(failed, n.InstanceID+": "+r.Reason+"\n    "+strings.ReplaceAll(r.Detail, "\n", "\n    "))
		}
	}
	sort.Strings(failed)
	if len(failed) > 0 {
		t.Errorf("%d of the %d nodes apply verified fail Patch Manager's scan:\n  %s", len(failed), len(verified), strings.Join(failed, "\n  "))
	}
}

// scanAfterApply runs Patch Manager's scan on nodes through the scan
// stage, as a separate run would, and returns each node's result. It polls
// every 20 s of fleet time and gives up when ctx ends.
func scanAfterApply(ctx context.Context, t *testing.T, e *env, nodes []fleet.Node) map[string]remedy.StageResult {
	t.Helper()
	const runID = "20260302T120000Z-5ca002"
	j, err := remedy.OpenJournal(t.TempDir(), runID, e.clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	s, err := remedy.NewScan(e.api, nodes, remedy.Options{RunID: runID, MaxConcurrency: "100%", Journal: j, Clock: e.clk, Logger: e.log})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(nodes))
	for _, n := range nodes {
		ids = append(ids, n.InstanceID)
	}
	if err := s.Send(ctx, ids); err != nil {
		t.Fatalf("send scan: %v", err)
	}
	out := map[string]remedy.StageResult{}
	for len(out) < len(ids) {
		got, err := s.Results(ctx)
		if err != nil {
			t.Fatalf("scan results: %v", err)
		}
		for id, r := range got {
			out[id] = r
		}
		if len(out) == len(ids) {
			break
		}
		if err := e.clk.Sleep(ctx, 20*time.Second); err != nil {
			var missing []string
			for _, id := range ids {
				if _, ok := out[id]; !ok {
					missing = append(missing, id)
				}
			}
			t.Fatalf("scans not finished (%v): %v", err, slices.Sorted(slices.Values(missing)))
		}
	}
	return out
}
