package heal

import (
	"time"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
)

// DefaultMaxBackoff caps how long a failing node is left alone. A week is
// long enough that a node whose OS cannot run the updater (exit 124 on
// Ubuntu 14.04) costs one failed run a week, and short enough that a node
// fixed by hand is retried without anyone editing the state file.
const DefaultMaxBackoff = 7 * 24 * time.Hour

// Backoff says how long a node that keeps failing is left alone.
type Backoff struct {
	// Base is the heal interval.
	Base time.Duration
	// Max caps the delay (DefaultMaxBackoff when zero).
	Max time.Duration
}

// Delay returns how long a node that has failed n times in a row is left
// alone: Base × 2ⁿ, capped at Max. With Base the interval, one failure
// skips the next cycle, two skip the next three, and so on.
func (b Backoff) Delay(n int) time.Duration {
	maxD := b.Max
	if maxD <= 0 {
		maxD = DefaultMaxBackoff
	}
	if n <= 0 || b.Base <= 0 {
		return 0
	}
	d := b.Base
	for range n {
		d *= 2
		if d >= maxD || d <= 0 { // d <= 0: overflow
			return maxD
		}
	}
	return d
}

// retryAfter is when a node that failed for the nth time in the cycle that
// started at start may be tried again. The deadline is a tenth of an
// interval early, because a CronJob or timer starts each run a little
// early or late: a node due at the next-but-one run must not miss it by a
// second and wait a whole interval more.
func (b Backoff) retryAfter(start time.Time, n int) time.Time {
	return start.Add(b.Delay(n) - b.Base/10)
}

// Skipped is a node whose actions a cycle left out because the node is
// backing off.
type Skipped struct {
	InstanceID string              `json:"instance_id"`
	Actions    []prereq.ActionKind `json:"actions"`
	Failures   int                 `json:"failures"`
	RetryAfter time.Time           `json:"retry_after"`
	Reason     string              `json:"reason,omitempty"`
}

// ApplyBackoff returns p without the actions of nodes that st says are
// backing off at now, and the nodes it left out. It is pure.
//
// The result is rebuilt with plan.Build from the remaining nodes and their
// recorded checks, so its batches, summary and fingerprint are exactly what
// a plan of those nodes alone would have; the remaining NodePlans are the
// originals, notes included. The left-out nodes are gone from the result,
// not kept without actions, so that the plan apply sees never claims to fix
// a node it will not touch.
func ApplyBackoff(p plan.Plan, st State, now time.Time) (plan.Plan, []Skipped) {
	var skipped []Skipped
	drop := map[string]bool{}
	for _, np := range p.Nodes {
		key := nodeKey(np.Node.Account, np.Node.Region, np.Node.InstanceID)
		b, ok := st.Nodes[key]
		if !ok || len(np.Actions) == 0 || !now.Before(b.RetryAfter) {
			continue
		}
		drop[key] = true
		skipped = append(skipped, Skipped{
			InstanceID: np.Node.InstanceID, Actions: np.Actions, Failures: b.Failures,
			RetryAfter: b.RetryAfter, Reason: b.Reason,
		})
	}
	if len(skipped) == 0 {
		return p, nil
	}
	if p.HasTargets() {
		// A plan across targets keeps its targets: the nodes left out go,
		// and what follows from the nodes is recomputed per target.
		return plan.Without(p, func(np plan.NodePlan) bool {
			return drop[nodeKey(np.Node.Account, np.Node.Region, np.Node.InstanceID)]
		}), skipped
	}
	var kept []plan.NodePlan
	nodes := make([]fleet.Node, 0, len(p.Nodes)-len(skipped))
	evals := make([]prereq.Evaluation, 0, cap(nodes))
	for _, np := range p.Nodes {
		if drop[np.Node.InstanceID] {
			continue
		}
		kept = append(kept, np)
		nodes = append(nodes, np.Node)
		evals = append(evals, prereq.Evaluation{InstanceID: np.Node.InstanceID, Checks: np.Checks})
	}
	q := plan.Build(nodes, evals, plan.Options{
		ToolVersion: p.ToolVersion, CreatedAt: p.CreatedAt, Region: p.Region, Account: p.Account,
		Selection: p.Selection, Rules: p.Rules, Strategy: p.Strategy, ProbeRan: p.ProbeRan,
	})
	// Build decides the same verdicts and actions from the same checks;
	// the originals also carry the notes an evaluation made.
	q.Nodes = kept
	return q, skipped
}

// Record updates st with one cycle's outcomes: a verified node is
// forgiven; a failed or timed-out node backs off further; a node whose
// work never started (the run was interrupted) is left as it was, since
// nothing was learned about it.
func (st *State) Record(outcomes []converge.Outcome, cycleStart time.Time, b Backoff) {
	for _, o := range outcomes {
		switch o.State {
		case converge.StateVerified:
			delete(st.Nodes, nodeKey(o.Account, o.Region, o.InstanceID))
		case converge.StateFailed, converge.StateTimedOut:
			if st.Nodes == nil {
				st.Nodes = map[string]NodeBackoff{}
			}
			key := nodeKey(o.Account, o.Region, o.InstanceID)
			n := st.Nodes[key].Failures + 1
			st.Nodes[key] = NodeBackoff{
				Failures:    n,
				LastFailure: cycleStart.UTC(),
				RetryAfter:  b.retryAfter(cycleStart, n).UTC(),
				Reason:      string(o.State) + ": " + o.Reason,
			}
		}
	}
}

// Prune forgets what no longer matters, level-triggered: a node the plan
// finds compliant healed (by heal, by hand, or by a replacement), so its
// failures no longer count. A blocked node keeps its record: if it comes
// back needing an update, the failures that may have blocked it still
// count. Records of nodes not in this plan are kept (another selection may
// share the state directory) until they are older than twice the maximum
// backoff, by when the node has surely left the fleet.
func (st *State) Prune(p plan.Plan, now time.Time, b Backoff) {
	maxD := b.Max
	if maxD <= 0 {
		maxD = DefaultMaxBackoff
	}
	seen := map[string]bool{}
	for _, np := range p.Nodes {
		key := nodeKey(np.Node.Account, np.Node.Region, np.Node.InstanceID)
		seen[key] = true
		if np.Verdict == plan.Compliant {
			delete(st.Nodes, key)
		}
	}
	for id, nb := range st.Nodes {
		if !seen[id] && now.Sub(nb.LastFailure) > 2*maxD {
			delete(st.Nodes, id)
		}
	}
}
