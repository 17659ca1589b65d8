package bench

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

// A plan across a small organization, the simulator in its own process and
// every operation limited per account-region: every target planned,
// discovery and the probe's commands at their minimum, one AssumeRole per
// account but the caller's, no call failed. (The wall time against the
// slowest target alone is reported, not asserted: timings belong to the
// benchmark, BenchmarkPlanAcrossOrganization.)
func TestRunOrgCallsAtMinimum(t *testing.T) {
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := RunOrg(ctx, OrgScenario{Accounts: 3, Regions: 2, NodesPerTarget: 120, Rate: 5, Binary: bin,
		Logger: zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel))})
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := WriteOrgTable(&buf, r); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + buf.String())
	if r.Targets != 6 || r.FailedTargets != 0 || r.Nodes < 6*120 {
		t.Fatalf("%d targets (%d failed), %d nodes", r.Targets, r.FailedTargets, r.Nodes)
	}
	for _, o := range r.Ops {
		switch o.Op {
		case "DescribeInstanceInformation", "SendCommand", "sts:AssumeRole", "ec2:DescribeRegions":
			if o.Calls != o.Minimum || o.Minimum == 0 {
				t.Errorf("%s: %d calls, minimum %d", o.Op, o.Calls, o.Minimum)
			}
		}
	}
	if r.FailedCalls != 0 {
		t.Errorf("%d calls failed after retries", r.FailedCalls)
	}
	if r.Alone <= 0 || r.Slowest == "" {
		t.Errorf("the slowest target alone was not measured: %+v", r)
	}
}

// BenchmarkPlanAcrossOrganization is the organization benchmark: 100
// accounts × 3 regions × 1,000 nodes (300,000 nodes), 10 calls per second
// per operation in each account-region, every target at once. It takes
// minutes and most of a 2-core machine: set PATCHREADY_BENCH_LARGE=1 and
// PATCHREADY_BIN to a built patchready.
func BenchmarkPlanAcrossOrganization(b *testing.B) {
	bin := os.Getenv("PATCHREADY_BIN")
	if os.Getenv("PATCHREADY_BENCH_LARGE") != "1" || bin == "" {
		b.Skip("300,000 nodes take minutes; set PATCHREADY_BENCH_LARGE=1 and PATCHREADY_BIN (or run patchready bench --org 100x3 --sizes 1000 --rate 10)")
	}
	var r OrgResult
	for b.Loop() {
		var err error
		if r, err = RunOrg(context.Background(), OrgScenario{Accounts: 100, Regions: 3, NodesPerTarget: 1000, Rate: 10, Binary: bin}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(r.Ratio(), "wall/alone")
	b.ReportMetric(float64(r.MaxRSS)/(1<<20), "maxRSS-MiB")
	b.ReportMetric(float64(r.FailedCalls), "failed-calls")
	var buf strings.Builder
	_ = WriteOrgTable(&buf, r)
	b.Log("\n" + buf.String())
}
