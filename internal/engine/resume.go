package engine

import (
	"context"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/cleanup"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/remedy"
)

// What a resumed run takes from the journal of its interrupted part.

// agentWorkLeft reports whether some node of the agent batches is not
// settled in a resumed run's journal. A node the interrupt caught with its
// fix not started or running counts too: its agent update is then found
// again (by name or comment) and read back as done, which costs one
// lookup and keeps one rule.
func agentWorkLeft(batches [][]string, prior remedy.RunState) bool {
	for _, b := range batches {
		for _, id := range b {
			if _, settled := settledEarlier(prior, id); !settled {
				return true
			}
		}
	}
	return false
}

// markSent flags the targets whose fix the interrupted part of a resumed
// run already sent, so that it is awaited, not sent twice.
func markSent(ts []converge.Target, prior remedy.RunState) []converge.Target {
	sent := map[string]bool{}
	for _, r := range prior.Live {
		if isFixCommand(r) {
			for _, id := range r.InstanceIDs {
				sent[id] = true
			}
		}
	}
	scanned := map[string]bool{}
	for _, r := range prior.Live {
		if r.Type == remedy.ResourceCommand && r.Action == "scan" {
			for _, id := range r.InstanceIDs {
				scanned[id] = true
			}
		}
	}
	for i := range ts {
		t := &ts[i]
		if sent[t.InstanceID] && slices.Contains(t.Stages, stageFix) {
			t.Sent = map[string]bool{stageFix: true}
		}
		if scanned[t.InstanceID] && slices.Contains(t.Stages, stageScan) {
			if t.Sent == nil {
				t.Sent = map[string]bool{}
			}
			t.Sent[stageScan] = true
		}
	}
	return ts
}

// withoutSettled drops targets a resumed run's journal already shows
// settled.
func withoutSettled(ts []converge.Target, prior remedy.RunState) []converge.Target {
	if len(prior.Nodes) == 0 {
		return ts
	}
	out := ts[:0:0]
	for _, t := range ts {
		if _, ok := settledEarlier(prior, t.InstanceID); ok {
			continue
		}
		out = append(out, t)
	}
	return out
}

// mergeSettled adds the nodes settled by the earlier part of a resumed
// run back into the report, so it accounts for every node of the plan.
func mergeSettled(r converge.Report, prior remedy.RunState, p plan.Plan) converge.Report {
	if len(prior.Nodes) == 0 {
		return r
	}
	if r.Counts == nil {
		r.Counts = map[converge.State]int{}
	}
	for _, np := range p.Nodes {
		rec, ok := settledEarlier(prior, np.Node.InstanceID)
		if ok && np.Targeted() {
			st := converge.State(rec.State)
			r.Outcomes = append(r.Outcomes, converge.Outcome{InstanceID: np.Node.InstanceID, State: st, Reason: rec.Reason + " (earlier in this run)",
				Detail: rec.Detail, PatchState: rec.PatchState})
			r.Counts[st]++
		}
	}
	sort.Slice(r.Outcomes, func(i, j int) bool { return r.Outcomes[i].InstanceID < r.Outcomes[j].InstanceID })
	return r
}

// removeLeftovers deletes the one-shot agent resources (associations, a
// maintenance window) that the interrupted part of a resumed run created,
// when every node they were for already has an outcome: no updater runs in
// the resumed part, so none would delete them. Window targets and tasks go
// with their window.
func removeLeftovers(ctx context.Context, api *ssm.Client, prior remedy.RunState, j *remedy.Journal, log *zap.Logger) error {
	var rs []cleanup.Resource
	for _, r := range prior.Live {
		if r.Action == prereq.UpdateAgent.String() && (r.Type == remedy.ResourceAssociation || r.Type == remedy.ResourceWindow) {
			rs = append(rs, cleanup.Resource{Type: r.Type, ID: r.ID, Name: r.Name})
		}
	}
	var journalErr error
	err := cleanup.Remove(ctx, api, rs, log, func(c cleanup.Resource) {
		for _, r := range prior.Live {
			if r.ID == c.ID || r.Parent == c.ID {
				if err := j.Deleted(r); err != nil && journalErr == nil {
					journalErr = err
				}
			}
		}
	})
	if err != nil {
		return err
	}
	return journalErr
}
