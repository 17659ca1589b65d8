package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteTable writes results as markdown: one summary table with a row per
// apply run, one with a row per plan-only run, then per run a table of
// calls per operation against the minimum and against the naive AWS CLI
// loop.
func WriteTable(w io.Writer, results []Result) error {
	var b strings.Builder
	var applies, plans []Result
	for _, r := range results {
		if r.Scenario.PlanOnly {
			plans = append(plans, r)
		} else {
			applies = append(applies, r)
		}
	}
	if len(applies) > 0 {
		writeApplyTable(&b, applies)
	}
	if len(plans) > 0 {
		if len(applies) > 0 {
			b.WriteString("\n")
		}
		writePlanTable(&b, plans)
	}
	writeScanTable(&b, results)
	for _, r := range results {
		fmt.Fprintf(&b, "\n**%s** — calls per operation\n\n", r.Name)
		b.WriteString("| Operation | Plan | Apply | Minimum | Counted / minimum | Naive CLI loop | Retries | Throttles |\n")
		b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, o := range r.Ops {
			fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %d | %d |\n",
				o.Op, o.PlanCalls, o.Calls-o.PlanCalls, orDash(o.Minimum), ratio(o.Counted, o.Minimum), orDash(o.Naive), o.Retries, o.Throttles)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeApplyTable(b *strings.Builder, results []Result) {
	b.WriteString("| Scenario | Targets (K) | Probed (P) | Verified | Calls | Naive CLI calls | Retries | Throttles | Failed calls | Wall | CPU | Peak heap in use | Peak Go sys | Max RSS | Fleet time | Last verified after last visible update | Verified after visible update, p50 / worst | Hottest op under limit |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, r := range results {
		hot := "—"
		switch {
		case r.HotOp != "" && r.HotRate == 0:
			hot = fmt.Sprintf("%s: no paced stretch (work fit in the burst of %g)", r.HotOp, r.Scenario.RatePerSecond)
		case r.HotOp != "":
			hot = fmt.Sprintf("%s %.1f/s = %.0f%% of %g/s", r.HotOp, r.HotRate, 100*r.HotFraction, r.Scenario.RatePerSecond)
		}
		last, lags := "—", "—"
		if r.LagResolution > 0 {
			last = round(r.LastVerifiedLag)
			lags = fmt.Sprintf("%s / %s (±%s)", round(r.MedianVerifiedLag), round(r.MaxVerifiedLag), round(r.LagResolution))
		}
		fmt.Fprintf(b, "| %s | %d | %d | %d/%d | %d | %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Name, r.Targets, r.Probed, r.Verified, r.Verified+r.NotVerified, r.TotalCalls, r.NaiveCalls,
			r.Retries, r.Throttles, r.FailedCalls, round(r.Wall), round(r.CPU),
			mib(r.PeakHeapInuse), mib(r.PeakSys), mib(r.MaxRSS), round(r.SimElapsed),
			last, lags, hot)
	}
}

func writePlanTable(b *strings.Builder, results []Result) {
	b.WriteString("| Scenario | Targets (K) | Probed (P) | Calls | Failed calls | Wall (plan + save) | CPU | Peak heap in use | Peak Go sys | Max RSS | Plan file | show: wall | show: max RSS |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range results {
		showWall, showRSS := "—", "—"
		if r.ShowWall > 0 {
			showWall, showRSS = round(r.ShowWall), mib(r.ShowMaxRSS)
		}
		fmt.Fprintf(b, "| %s | %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Name, r.Targets, r.Probed, r.TotalCalls, r.FailedCalls, round(r.Wall), round(r.CPU),
			mib(r.PeakHeapInuse), mib(r.PeakSys), mib(r.MaxRSS), mib(uint64(r.PlanFileBytes)), showWall, showRSS)
	}
}

func orDash(n int) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprint(n)
}

func ratio(calls, minimum int) string {
	if minimum == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", float64(calls)/float64(minimum))
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func round(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	default:
		return d.Round(100 * time.Microsecond).String()
	}
}
