package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

// A run with apply --scan=all sends the scan in about the fewest commands
// (one per 50 nodes per platform; a node its fix readies later may need a
// command of its own), reads the patch states back, and the table says
// what the scan added over the same run without it.
func TestRunWithScan(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := Scenario{Nodes: 300, NeedUpdateFraction: 0.4, TimeScale: 500, Logger: zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel))}
	withScan := base
	withScan.Scan = true
	var results []Result
	for _, sc := range []Scenario{base, withScan} {
		r, err := Run(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	var buf strings.Builder
	if err := WriteTable(&buf, results); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + buf.String())
	r := results[1]
	if r.ScanTargets == 0 || r.ScanPassed < r.ScanTargets*8/10 {
		t.Errorf("scan passed on %d of %d nodes; the generated fleet's scans mostly pass", r.ScanPassed, r.ScanTargets)
	}
	figures := map[string]OpFigures{}
	for _, o := range r.Ops {
		figures[o.Op] = o
	}
	// A platform's scans wait for a whole command of 50 or five minutes of
	// fleet time, whichever comes first; on a loaded machine the fleet's
	// clock runs on while patchready waits for CPU, so more of them go on
	// the timer. Twice the floor still tells batching from a command per
	// wave of fixed nodes (several times more).
	if o := figures[scanOp]; o.Minimum == 0 || float64(o.Counted) > 2*float64(o.Minimum) {
		t.Errorf("scan commands: %d against the minimum %d", o.Counted, o.Minimum)
	}
	if o := figures["DescribeInstancePatchStates"]; o.Counted < o.Minimum || o.Counted > 3*o.Minimum {
		t.Errorf("patch-state reads: %d against the minimum %d", o.Counted, o.Minimum)
	}
	if _, ok := figures[scanOp]; ok && results[0].Ops != nil {
		for _, o := range results[0].Ops {
			if o.Op == scanOp || o.Op == "DescribeInstancePatchStates" {
				t.Errorf("the run without the scan has a %s row", o.Op)
			}
		}
	}
	if r.FailedCalls != 0 {
		t.Errorf("%d failed calls", r.FailedCalls)
	}
	if !strings.Contains(buf.String(), "| 300 nodes, --scan=all | ") || !strings.Contains(buf.String(), "(from ") {
		t.Errorf("the table lacks the scan's row with what it added:\n%s", buf.String())
	}
}
