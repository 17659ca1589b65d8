package heal

import (
	"context"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/notify"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/report"
)

// notify tells the notifier about a finished cycle. Whatever happens to
// the message, the cycle's result stands.
func (l *loop) notify(ctx context.Context, r CycleResult) {
	n := l.o.Notifier
	if n == nil {
		return
	}
	if n.Observe == nil && l.o.Metrics != nil {
		n.Observe = l.o.Metrics.notified
	}
	n.Cycle(ctx, notifyCycle(l.o.Plan.Region, r))
}

// notified counts one notification's outcome.
func (m *Metrics) notified(channel string, err error) {
	if m == nil {
		return
	}
	result := "sent"
	if err != nil {
		result = "failed"
	}
	m.notifications.WithLabelValues(channel, result).Inc()
}

// notifyCycle is what a notification may say about r: counts, the IDs of
// failed nodes and reasons in words.
func notifyCycle(region string, r CycleResult) notify.Cycle {
	c := notify.Cycle{
		RunID: r.RunID, Region: region, Result: r.Result, Error: r.Error,
		Nodes: r.Summary.Nodes, Blocked: r.Summary.Blocked, Targets: r.Targets,
		Verified: r.Report.Counts[converge.StateVerified], BackingOff: len(r.Skipped),
	}
	reasons := map[string]int{}
	for _, o := range r.Report.Outcomes {
		if o.State == converge.StateFailed || o.State == converge.StateTimedOut {
			c.Failed = append(c.Failed, o.InstanceID)
			reason := o.Reason
			if reason == "" {
				reason = string(o.State)
			}
			reasons[reason]++
		}
	}
	if r.Plan != nil {
		for _, v := range report.CountVerdicts(*r.Plan) {
			c.Verdicts = append(c.Verdicts, notify.Count{Name: v.Name, N: v.N})
		}
		for _, np := range r.Plan.Nodes {
			for _, id := range np.BlockedBy {
				reasons["blocked: "+report.CheckTitle(prereq.CheckID(id))]++
			}
		}
	}
	for k, n := range reasons {
		c.Reasons = append(c.Reasons, notify.Count{Name: k, N: n})
	}
	slices.SortFunc(c.Reasons, func(a, b notify.Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Name, b.Name)
	})
	return c
}
