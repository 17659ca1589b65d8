package converge

import (
	"fmt"
	"time"

	"go.uber.org/zap"
)

// final settles a node, unless it has settled already.
func (w *watcher) final(n *node, s State, reason string, now time.Time) {
	if n.State.Final() {
		return
	}
	n.State, n.Reason = s, reason
	if s == StateVerified {
		n.VerifiedAt = now
	}
	w.moves++
	w.opts.Logger.Info("node settled", zap.String("instance_id", n.InstanceID), zap.String("state", string(s)), zap.String("reason", reason))
	if w.opts.OnOutcome != nil {
		w.opts.OnOutcome(n.Outcome)
	}
}

// timeout settles every node still waiting past its deadline as timed
// out, saying what it was waiting for.
func (w *watcher) timeout(now time.Time) {
	for _, id := range w.order {
		n := w.nodes[id]
		if now.Before(n.deadline) {
			continue
		}
		limit := w.opts.Timeout + n.wait
		switch {
		case n.State == StateRunning:
			w.final(n, StateTimedOut, fmt.Sprintf("%s not read back within %s", n.stageName(), limit), now)
		case n.State != StatePending:
		case !n.unreachable.IsZero():
			// Its version may be new, but it was never read back from
			// the node Online (see observe).
			w.final(n, StateTimedOut, fmt.Sprintf("agent %s but the node is %s, not Online, after %s", orUnknown(n.AgentAfter), n.ping, limit), now)
		default:
			w.final(n, StateTimedOut, fmt.Sprintf("agent still %s after %s", orUnknown(n.AgentAfter), limit), now)
		}
	}
}

// interrupt settles every node still waiting when the run is stopped:
// interrupted when its work is running in SSM (left to finish), not-started
// when its next work was not sent. Either way a resumed run picks it up.
func (w *watcher) interrupt(now time.Time) {
	for _, id := range w.order {
		n := w.nodes[id]
		switch {
		case n.State == StatePending:
			w.final(n, StateInterrupted, "interrupted while its agent update runs in SSM; resume the run to follow it", now)
		case n.State == StateRunning && n.sent:
			w.final(n, StateInterrupted, fmt.Sprintf("interrupted while its %s runs in SSM; resume the run to follow it", n.stageName()), now)
		case n.State == StateRunning:
			w.final(n, StateNotStarted, fmt.Sprintf("interrupted before its %s started; resume the run to finish", n.stageName()), now)
		}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func (w *watcher) allFinal() bool {
	for _, n := range w.nodes {
		if !n.State.Final() {
			return false
		}
	}
	return true
}

func (w *watcher) progress() {
	if w.opts.OnProgress == nil {
		return
	}
	p := Progress{Total: len(w.nodes), Round: w.rounds, Elapsed: w.opts.Clock.Now().Sub(w.start)}
	for _, n := range w.nodes {
		switch n.State {
		case StateVerified:
			p.Verified++
		case StatePending:
			p.Pending++
		case StateRunning:
			p.Running++
		default:
			p.Failed++
		}
	}
	w.opts.OnProgress(p)
}

func (w *watcher) report() Report {
	r := Report{Counts: map[State]int{}, Elapsed: w.opts.Clock.Now().Sub(w.start), Rounds: w.rounds}
	for _, id := range w.order {
		o := w.nodes[id].Outcome
		r.Outcomes = append(r.Outcomes, o)
		r.Counts[o.State]++
	}
	return r
}
