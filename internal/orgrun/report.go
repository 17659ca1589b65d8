package orgrun

import (
	"slices"
	"strings"
	"sync"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
)

// stamp marks every outcome of a target's report with the target.
func stamp(r converge.Report, t plan.Target) converge.Report {
	for i := range r.Outcomes {
		r.Outcomes[i].Account, r.Outcomes[i].Region = t.Account, t.Region
	}
	return r
}

// mergeReports is one report of every target's: outcomes in target then
// instance order, counts summed, the longest elapsed time and most rounds.
func mergeReports(ts []TargetResult) converge.Report {
	out := converge.Report{Counts: map[converge.State]int{}}
	for _, t := range ts {
		r := t.Result.Report
		out.Outcomes = append(out.Outcomes, r.Outcomes...)
		for s, n := range r.Counts {
			out.Counts[s] += n
		}
		out.Elapsed = max(out.Elapsed, r.Elapsed)
		out.Rounds = max(out.Rounds, r.Rounds)
	}
	slices.SortStableFunc(out.Outcomes, func(a, b converge.Outcome) int {
		return strings.Compare(a.Account+"/"+a.Region+"/"+a.InstanceID, b.Account+"/"+b.Region+"/"+b.InstanceID)
	})
	return out
}

// earlierReport is the report of a target the interrupted part of a
// resumed run finished: its nodes' outcomes as its journal recorded them.
func earlierReport(journal string, p *plan.Plan) converge.Report {
	r := converge.Report{Counts: map[converge.State]int{}}
	st, err := remedy.ReadJournal(journal)
	if err != nil {
		return r
	}
	t := plan.Target{Account: p.Account, Region: p.Region}
	for _, np := range p.Nodes {
		rec, ok := st.Nodes[np.Node.InstanceID]
		if !ok || len(np.Actions) == 0 {
			continue
		}
		s := converge.State(rec.State)
		r.Outcomes = append(r.Outcomes, converge.Outcome{InstanceID: np.Node.InstanceID, State: s, Reason: rec.Reason + " (earlier in this run)"})
		r.Counts[s]++
	}
	return stamp(r, t)
}

// progress sums the targets' progress into one, for the one progress line.
type progress struct {
	mu     sync.Mutex
	fn     func(converge.Progress)
	latest map[string]converge.Progress
}

func newProgress(fn func(converge.Progress)) *progress {
	return &progress{fn: fn, latest: map[string]converge.Progress{}}
}

// of returns the progress hook of one target (nil when there is no hook).
func (p *progress) of(key string) func(converge.Progress) {
	if p.fn == nil {
		return nil
	}
	return func(pr converge.Progress) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.latest[key] = pr
		var sum converge.Progress
		for _, x := range p.latest {
			sum.Total += x.Total
			sum.Verified += x.Verified
			sum.Failed += x.Failed
			sum.Pending += x.Pending
			sum.Running += x.Running
			sum.Elapsed = max(sum.Elapsed, x.Elapsed)
			sum.Round = max(sum.Round, x.Round)
		}
		p.fn(sum)
	}
}
