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

func TestRunCallsNearMinimum(t *testing.T) {
	tests := []struct {
		name string
		sc   Scenario
	}{
		{"unlimited", Scenario{Nodes: 1000, NeedUpdateFraction: 0.4, TimeScale: 500}},
		// 20 discovery pages against a burst of 5 make the pacer work. The
		// time scale of 5 keeps the test short; it skews the achieved rate
		// (see RateScenario) but not whether any call fails.
		{"rate limited", func() Scenario { sc := RateScenario(1000, 5); sc.TimeScale = 5; return sc }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			sc := tc.sc
			sc.Logger = zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel))
			r, err := Run(ctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			var buf strings.Builder
			if err := WriteTable(&buf, []Result{r}); err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + buf.String())
			if r.Targets == 0 {
				t.Fatal("the plan targets no node: the scenario measures nothing")
			}
			for _, o := range r.Ops {
				if o.Op != "DescribeInstanceInformation" && o.Op != "CreateAssociation" {
					continue
				}
				if float64(o.Counted) > 1.02*float64(o.Minimum) {
					t.Errorf("%s: %d calls, more than 1.02 × the minimum %d", o.Op, o.Counted, o.Minimum)
				}
			}
			if r.FailedCalls != 0 {
				t.Errorf("%d calls failed with a throttle or server error after retries; want 0", r.FailedCalls)
			}
		})
	}
}

func BenchmarkPlanApply1k(b *testing.B) {
	benchPlanApply(b, Scenario{Nodes: 1000, NeedUpdateFraction: 0.4, TimeScale: 500})
}

func BenchmarkPlanApplyLarge(b *testing.B) {
	if os.Getenv("PATCHREADY_BENCH_LARGE") != "1" {
		b.Skip("10k and 100k runs take minutes; set PATCHREADY_BENCH_LARGE=1 to run them")
	}
	for _, n := range []int{10000, 100000} {
		b.Run(thousands(n), func(b *testing.B) {
			benchPlanApply(b, Scenario{Nodes: n, NeedUpdateFraction: 0.4, TimeScale: 500})
		})
	}
}

func benchPlanApply(b *testing.B, sc Scenario) {
	var r Result
	for b.Loop() {
		var err error
		if r, err = Run(context.Background(), sc); err != nil {
			b.Fatal(err)
		}
	}
	for _, o := range r.Ops {
		if o.Minimum > 0 {
			b.ReportMetric(float64(o.Counted)/float64(o.Minimum), o.Op+"/min")
		}
	}
	b.ReportMetric(float64(r.TotalCalls), "calls")
	b.ReportMetric(float64(r.NaiveCalls), "naive-calls")
	b.ReportMetric(float64(r.Throttles), "throttles")
	b.ReportMetric(float64(r.PeakHeapInuse)/(1<<20), "MiB-peak-heap")
	b.ReportMetric(r.LastVerifiedLag.Seconds(), "s-verify-lag")
}
