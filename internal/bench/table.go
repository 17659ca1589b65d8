package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteTable writes results as markdown: one summary table with a row per
// run, then per run a table of calls per operation against the minimum and
// against the naive AWS CLI loop.
func WriteTable(w io.Writer, results []Result) error {
	var b strings.Builder
	b.WriteString("| Scenario | Targets (K) | Probed (P) | Verified | Calls | Naive CLI calls | Retries | Throttles | Failed calls | Wall | CPU | Peak heap in use | Peak Go sys | Max RSS | Fleet time | Last verified after last update | Worst node lag | Hottest op under limit |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, r := range results {
		hot := "—"
		switch {
		case r.HotOp != "" && r.HotRate == 0:
			hot = fmt.Sprintf("%s: no paced stretch (work fit in the burst of %g)", r.HotOp, r.Scenario.RatePerSecond)
		case r.HotOp != "":
			hot = fmt.Sprintf("%s %.1f/s = %.0f%% of %g/s", r.HotOp, r.HotRate, 100*r.HotFraction, r.Scenario.RatePerSecond)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d/%d | %d | %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s (±%s) | %s |\n",
			r.Name, r.Targets, r.Probed, r.Verified, r.Verified+r.NotVerified, r.TotalCalls, r.NaiveCalls,
			r.Retries, r.Throttles, r.FailedCalls, round(r.Wall), round(r.CPU),
			mib(r.PeakHeapInuse), mib(r.PeakSys), mib(r.MaxRSS), round(r.SimElapsed),
			round(r.LastVerifiedLag), round(r.MaxVerifiedLag), round(r.LagResolution), hot)
	}
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
