package bench

import (
	"fmt"
	"strings"
)

// writeScanTable writes, for each run with the scan (Scenario.Scan), what
// the scan cost: its commands and patch-state reads against their floors,
// and the fleet and wall time it added over the same scenario without the
// scan, when results holds that run too.
func writeScanTable(b *strings.Builder, results []Result) {
	var scanned []Result
	for _, r := range results {
		if r.Scenario.Scan {
			scanned = append(scanned, r)
		}
	}
	if len(scanned) == 0 {
		return
	}
	b.WriteString("\n| Scenario | Scanned (K) | Passed | SendCommand (scan) / minimum | DescribeInstancePatchStates (passed nodes) / minimum | Fleet time | Added fleet time | Wall | Added wall |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range scanned {
		addedSim, addedWall := "—", "—"
		if base, ok := withoutScan(results, r); ok {
			addedSim = "+" + round(r.SimElapsed-base.SimElapsed) + fmt.Sprintf(" (from %s)", round(base.SimElapsed))
			addedWall = "+" + round(r.Wall-base.Wall)
		}
		fmt.Fprintf(b, "| %s | %d | %d | %s | %s | %s | %s | %s | %s |\n", r.Name, r.ScanTargets, r.ScanPassed,
			opRatio(r.Ops, scanOp), opRatio(r.Ops, "DescribeInstancePatchStates"), round(r.SimElapsed), addedSim, round(r.Wall), addedWall)
	}
}

// withoutScan finds the run of r's scenario without the scan.
func withoutScan(results []Result, r Result) (Result, bool) {
	want := r.Scenario
	want.Scan = false
	for _, o := range results {
		sc := o.Scenario
		if !sc.Scan && sc.Nodes == want.Nodes && sc.Seed == want.Seed && sc.TimeScale == want.TimeScale &&
			sc.NeedUpdateFraction == want.NeedUpdateFraction && sc.RatePerSecond == want.RatePerSecond && sc.External == want.External {
			return o, true
		}
	}
	return Result{}, false
}

// opRatio is "calls / minimum (ratio)" for one operation.
func opRatio(ops []OpFigures, op string) string {
	for _, o := range ops {
		if o.Op == op {
			return fmt.Sprintf("%d / %s (%s)", o.Counted, orDash(o.Minimum), ratio(o.Counted, o.Minimum))
		}
	}
	return "—"
}
