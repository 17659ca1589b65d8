package converge

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/hashicorp/go-version"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/terminal"
)

// node is one target as the watch follows it.
type node struct {
	Outcome
	stages []string // command stages after the agent, in order
	stage  int      // index of the current stage while StateRunning
	sent   bool     // the current stage's command was sent
	// sentBefore names stages the resumed run's earlier part sent.
	sentBefore  map[string]bool
	unreachable time.Time // when read back not Online; zero once Online again
	ping        string    // the last read-back's ping status
	// updateSucceeded is when SSM was first seen reporting the node's agent
	// update as Success.
	updateSucceeded time.Time
	// staleSince is when the node was first read back Online below the
	// floor after SSM reported its update Success.
	staleSince time.Time
	// wait is how much longer than the watch's timeout the node may take,
	// and deadline when it times out (set when the watch starts).
	wait     time.Duration
	deadline time.Time
}

func newNode(t Target) *node {
	n := &node{
		Outcome:    Outcome{InstanceID: t.InstanceID, AgentBefore: t.AgentBefore},
		stages:     t.Stages,
		sentBefore: t.Sent,
		wait:       t.Wait,
	}
	switch {
	case t.NeedsAgent:
		n.State = StatePending
	case len(t.Stages) > 0:
		n.enterStage(0)
	default:
		n.State = StateVerified
	}
	return n
}

// enterStage moves the node to stage i.
func (n *node) enterStage(i int) {
	n.State, n.stage = StateRunning, i
	n.sent = n.sentBefore[n.stages[i]]
}

func (n *node) stageName() string { return n.stages[n.stage] }

// Watch follows targets until each is final, the timeout passes, or the
// drain channel closes. It returns the report, and an error only when it
// could not go on: the context was cancelled, or a step returned an error
// marked terminal (terminal.Error), such as access denied.
func Watch(ctx context.Context, targets []Target, deps Deps, opts Options) (Report, error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return Report{}, err
	}
	floor, _ := version.NewVersion(opts.MinAgentVersion) // checked above
	w := &watcher{deps: deps, opts: opts, floor: floor, nodes: make(map[string]*node, len(targets))}
	for _, t := range targets {
		if t.NeedsAgent && deps.Agent == nil {
			return Report{}, fmt.Errorf("watch: node %s needs the agent update but no strategy delivers it", t.InstanceID)
		}
		for _, s := range t.Stages {
			if deps.Stages[s] == nil {
				return Report{}, fmt.Errorf("watch: node %s needs stage %q, which nothing runs", t.InstanceID, s)
			}
		}
		w.nodes[t.InstanceID] = newNode(t)
		w.order = append(w.order, t.InstanceID)
	}
	sort.Strings(w.order)
	return w.run(ctx)
}

type watcher struct {
	deps  Deps
	opts  Options
	floor *version.Version
	nodes map[string]*node
	order []string // the IDs of nodes, sorted: the order of reports and of work sent
	start time.Time
	// rounds counts poll rounds so far.
	rounds int
	// moves counts state changes and commands sent: a round that leaves it
	// as it was changed nothing, and the poll interval grows.
	moves int
	// statusAt is when SSM was last asked how agent updates ended.
	statusAt time.Time
}

func (w *watcher) run(ctx context.Context) (Report, error) {
	c := w.opts.Clock
	w.start = c.Now()
	for _, n := range w.nodes {
		n.deadline = w.start.Add(w.opts.Timeout + n.wait)
	}
	interval := w.opts.PollInterval
	for {
		w.rounds++
		moves := w.moves
		if err := w.round(ctx); err != nil {
			if ctx.Err() != nil || terminal.Is(err) {
				return w.report(), err
			}
			// Anything else already survived the SDK's retries: say so and
			// try again next round rather than abandon nodes mid-update.
			w.opts.Logger.Warn("poll round incomplete; retrying next round", zap.Error(err))
		}
		w.progress()
		if w.allFinal() {
			return w.report(), nil
		}
		now := c.Now()
		if w.draining() {
			w.interrupt(now)
			return w.report(), nil
		}
		// Each node has its own deadline: one that registers first may
		// take longer than the rest.
		w.timeout(now)
		if w.allFinal() {
			return w.report(), nil
		}
		if w.moves != moves {
			interval = w.opts.PollInterval
		} else {
			interval = min(w.opts.MaxPollInterval, interval*3/2)
		}
		if err := w.sleep(ctx, min(jitter(interval), w.nextDeadline().Sub(now))); err != nil {
			return w.report(), err
		}
	}
}

// sleep waits d, or less when the drain channel closes meanwhile (the
// next round then ends the watch).
func (w *watcher) sleep(ctx context.Context, d time.Duration) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if w.opts.Drain != nil {
		go func() {
			select {
			case <-w.opts.Drain:
				cancel()
			case <-sctx.Done():
			}
		}()
	}
	err := w.opts.Clock.Sleep(sctx, d)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.Canceled) {
		return nil // woken by the drain
	}
	return err
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}

// round reads back what is pending and moves nodes on. It stops at the
// first step that fails; the next round starts again from the read-back.
func (w *watcher) round(ctx context.Context) error {
	now := w.opts.Clock.Now()
	if err := w.readBack(ctx, now); err != nil {
		return err
	}
	if err := w.agentStatus(ctx, now); err != nil {
		return err
	}
	if err := w.sendStages(ctx); err != nil {
		return err
	}
	return w.stageResults(ctx, now)
}

// nextDeadline is the earliest deadline of a node still waiting.
func (w *watcher) nextDeadline() time.Time {
	var next time.Time
	for _, n := range w.nodes {
		if !n.State.Final() && (next.IsZero() || n.deadline.Before(next)) {
			next = n.deadline
		}
	}
	return next
}

// offNode reports whether the node's current stage is done around it
// (registration), so that it is neither read back nor needs to be Online.
func (w *watcher) offNode(n *node) bool {
	if n.State != StateRunning {
		return false
	}
	_, ok := w.deps.Stages[n.stageName()].(OffNode)
	return ok
}

// readBack reads the nodes waiting for their agent update, and those
// waiting to be sent a stage's command (which must be Online for it).
func (w *watcher) readBack(ctx context.Context, now time.Time) error {
	var ids []string
	for _, id := range w.order {
		if n := w.nodes[id]; n.State == StatePending || (n.State == StateRunning && !n.sent && !w.offNode(n)) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	facts, err := w.deps.ReadBack(ctx, ids)
	if err != nil {
		return fmt.Errorf("read back nodes: %w", err)
	}
	for _, id := range ids {
		n := w.nodes[id]
		f, ok := facts[id]
		if !ok {
			w.final(n, StateFailed, "no longer a managed node (terminated, stopped or deregistered)", now)
			continue
		}
		w.observe(n, f, now)
	}
	return nil
}

// observe applies one read-back to a node.
func (w *watcher) observe(n *node, f fleet.Node, now time.Time) {
	n.AgentAfter, n.ping = f.AgentVersion, f.PingStatus
	if f.PingStatus != fleet.PingOnline {
		// The version of a node that is not Online is what its agent
		// last reported before it went away, not proof that the new agent
		// runs: the agent reports its version when it pings, and a node
		// that never comes back after the restart cannot be patched
		// anyway. It is verified only once it is Online again.
		w.offline(n, now)
		return
	}
	n.unreachable = time.Time{}
	if n.State != StatePending {
		return
	}
	if !w.agentOK(f.AgentVersion) {
		// SSM said Success before this read-back and the node is Online
		// again, yet its agent is old: the updater skipped the update. One
		// such read-back can still race the agent's restart and first ping
		// (seen under load), so the node fails only when the old version
		// has stood, Online, for OfflineGrace: a real skip never changes.
		if n.updateSucceeded.IsZero() || !now.After(n.updateSucceeded) {
			return
		}
		if n.staleSince.IsZero() {
			n.staleSince = now
		}
		if now.Sub(n.staleSince) >= w.opts.OfflineGrace {
			w.final(n, StateFailed, fmt.Sprintf("agent update reported success but the agent is still %s "+
				"(update skipped: the region's agent manifest may lag, or --agent-version is not available); "+
				"retry later or pin --agent-version", f.AgentVersion), now)
		}
		return
	}
	if len(n.stages) > 0 {
		n.enterStage(0)
		w.moves++
		return
	}
	w.final(n, StateVerified, "agent "+f.AgentVersion+" read back", now)
}

// offline notes that a node was read back not Online, and fails it once
// that has lasted OfflineGrace.
func (w *watcher) offline(n *node, now time.Time) {
	if n.unreachable.IsZero() {
		n.unreachable = now
	}
	if gone := now.Sub(n.unreachable); gone >= w.opts.OfflineGrace {
		w.final(n, StateFailed, fmt.Sprintf("went offline: %s for %s", n.ping, gone.Round(time.Second)), now)
	}
}

func (w *watcher) agentOK(v string) bool {
	got, err := version.NewVersion(v)
	return err == nil && !got.LessThan(w.floor)
}

// agentStatus asks SSM how the pending nodes' agent updates ended. A
// failure settles the node; a success is only noted, for observe to
// compare with the versions read back later.
func (w *watcher) agentStatus(ctx context.Context, now time.Time) error {
	if w.deps.Agent == nil {
		return nil
	}
	// Asking State Manager costs calls per association, while a failed
	// node only waits longer to be reported: ask at most once per
	// MaxPollInterval. Read-backs still run every round, so verification is
	// not slowed.
	if !w.statusAt.IsZero() && now.Sub(w.statusAt) < w.opts.MaxPollInterval {
		return nil
	}
	w.statusAt = now
	pending := map[string]bool{}
	for id, n := range w.nodes {
		if n.State == StatePending {
			pending[id] = true
		}
	}
	if len(pending) == 0 {
		return nil
	}
	st, err := w.deps.Agent.Status(ctx, pending)
	if err != nil {
		return err
	}
	for id, reason := range st.Failed {
		// The failure report and this round's read-back agree that the
		// node is below the floor: SSM's Failed alone would not be enough.
		if pending[id] {
			w.final(w.nodes[id], StateFailed, reason, now)
		}
	}
	for id := range st.Succeeded {
		if n := w.nodes[id]; pending[id] && n.updateSucceeded.IsZero() {
			n.updateSucceeded = now
		}
	}
	return nil
}

// sendStages sends each stage's command to the nodes ready for it: their
// agent is verified, earlier stages passed, and they are Online. Once
// draining, nothing is sent.
func (w *watcher) sendStages(ctx context.Context) error {
	if w.draining() {
		return nil
	}
	byStage := map[string][]string{}
	var names []string
	for _, id := range w.order {
		n := w.nodes[id]
		if n.State != StateRunning || n.sent || !n.unreachable.IsZero() {
			continue
		}
		s := n.stageName()
		if _, seen := byStage[s]; !seen {
			names = append(names, s)
		}
		byStage[s] = append(byStage[s], id)
	}
	for _, s := range names {
		ids := byStage[s]
		if err := w.deps.Stages[s].Send(ctx, ids); err != nil {
			return fmt.Errorf("send %s: %w", s, err)
		}
		for _, id := range ids {
			w.nodes[id].sent = true
		}
		w.moves++
	}
	return nil
}

func (w *watcher) draining() bool {
	select {
	case <-w.opts.Drain: // a nil channel is never ready
		return true
	default:
		return false
	}
}

// stageResults collects what every stage's commands reported.
func (w *watcher) stageResults(ctx context.Context, now time.Time) error {
	names := make([]string, 0, len(w.deps.Stages))
	for s := range w.deps.Stages {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		results, err := w.deps.Stages[s].Results(ctx)
		if err != nil {
			return fmt.Errorf("read %s results: %w", s, err)
		}
		for id, r := range results {
			n, ok := w.nodes[id]
			if !ok || n.State != StateRunning || n.stageName() != s {
				continue
			}
			n.Changes = append(n.Changes, r.Changes...)
			if r.Detail != "" {
				n.Detail = r.Detail
			}
			if r.PatchState != nil {
				n.PatchState = r.PatchState
			}
			switch {
			case !r.OK:
				w.final(n, StateFailed, r.Reason, now)
			case r.Then != nil:
				w.follow(n, *r.Then, r.Reason, now)
			case n.stage+1 < len(n.stages):
				n.enterStage(n.stage + 1)
				w.moves++
			default:
				w.final(n, StateVerified, r.Reason, now)
			}
		}
	}
	return nil
}

// follow puts a node on the work its stage decided it needs next (its late
// plan): the agent update, then the stages named, or nothing more. reason
// is the stage's own word, the node's outcome when nothing follows.
func (w *watcher) follow(n *node, then remedy.Then, reason string, now time.Time) {
	for _, s := range then.Stages {
		if w.deps.Stages[s] == nil {
			w.final(n, StateFailed, fmt.Sprintf("needs stage %q, which nothing runs", s), now)
			return
		}
	}
	if then.UpdateAgent && w.deps.Agent == nil {
		w.final(n, StateFailed, "needs the agent update, but no strategy delivers it", now)
		return
	}
	// sentBefore stays: a resumed run may have sent a late stage already.
	n.stages, n.stage, n.sent = then.Stages, 0, false
	if then.AgentBefore != "" {
		n.AgentBefore = then.AgentBefore
	}
	w.moves++
	switch {
	case then.UpdateAgent:
		n.State = StatePending
	case len(then.Stages) > 0:
		n.enterStage(0)
	default:
		w.final(n, StateVerified, reason, now)
	}
}
