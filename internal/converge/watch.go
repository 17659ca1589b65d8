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

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/remedy"
)

// Options configure a watch.
type Options struct {
	Clock clock.Clock
	// PollInterval is the first wait between rounds; it grows by half when
	// a round changes nothing, up to MaxPollInterval, and drops back when
	// something changes. Each wait has ±10% jitter.
	PollInterval    time.Duration
	MaxPollInterval time.Duration
	// Timeout bounds the whole watch.
	Timeout time.Duration
	// MinAgentVersion is the version a node's agent must reach.
	MinAgentVersion string
	// OfflineGrace is how long a node may stay unreachable while it is being
	// updated (the agent restarts) before it counts as gone offline.
	OfflineGrace time.Duration
	// Drain, once closed, stops new work from starting (the first Ctrl-C):
	// requests upgrades not yet sent end not-started; work already running
	// is still followed to its end.
	Drain  <-chan struct{}
	Logger *zap.Logger
	// OnOutcome is called once per node when it reaches a final state
	// (the journal hook).
	OnOutcome  func(Outcome)
	OnProgress func(Progress)
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 15 * time.Second
	}
	if o.MaxPollInterval < o.PollInterval {
		o.MaxPollInterval = max(o.PollInterval, time.Minute)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Minute
	}
	if o.OfflineGrace <= 0 {
		o.OfflineGrace = 10 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return o
}

// Deps are the readers and executors a watch drives. Agent and Requests
// may be nil when no target needs them.
type Deps struct {
	ReadBack ReadBack
	Agent    remedy.AgentUpdater
	Requests RequestsRunner
}

type node struct {
	Outcome
	needsRequests bool
	sent          bool      // requests upgrade sent
	unreachable   time.Time // first seen not Online while pending; zero if reachable
	ping          string    // the last read-back's ping status
}

// Watch follows targets until each is final or the timeout passes. It
// returns the report, and an error only when it could not go on (the
// context was cancelled, or access was denied).
func Watch(ctx context.Context, targets []Target, deps Deps, opts Options) (Report, error) {
	opts = opts.withDefaults()
	min, err := version.NewVersion(opts.MinAgentVersion)
	if err != nil {
		return Report{}, fmt.Errorf("minimum agent version %q: %w", opts.MinAgentVersion, err)
	}
	w := &watcher{deps: deps, opts: opts, min: min, nodes: map[string]*node{}}
	for _, t := range targets {
		n := &node{Outcome: Outcome{InstanceID: t.InstanceID, AgentBefore: t.AgentBefore, RequestsBefore: t.RequestsBefore}, needsRequests: t.NeedsRequests, sent: t.RequestsSent}
		switch {
		case t.NeedsAgent:
			n.State = StatePending
		case t.NeedsRequests:
			n.State = StateRequests
		default:
			n.State = StateVerified
		}
		w.nodes[t.InstanceID] = n
		w.order = append(w.order, t.InstanceID)
	}
	sort.Strings(w.order)
	return w.run(ctx)
}

type watcher struct {
	deps  Deps
	opts  Options
	min   *version.Version
	nodes map[string]*node
	order []string
	start time.Time
	// failuresAt is when SSM was last asked which nodes failed.
	failuresAt time.Time
}

func (w *watcher) run(ctx context.Context) (Report, error) {
	c := w.opts.Clock
	w.start = c.Now()
	deadline := w.start.Add(w.opts.Timeout)
	interval := w.opts.PollInterval
	rounds := 0
	for {
		rounds++
		changed, err := w.round(ctx)
		if err != nil {
			if ctx.Err() != nil || awsclient.IsAccessDenied(err) {
				return w.report(rounds), err
			}
			// Anything else already survived the SDK's retries: say so and
			// try again next round rather than abandon nodes mid-update.
			w.opts.Logger.Warn("poll round incomplete; retrying next round", zap.Error(err))
		}
		w.progress(rounds)
		if w.allFinal() {
			return w.report(rounds), nil
		}
		now := c.Now()
		if !now.Before(deadline) {
			w.timeout()
			return w.report(rounds), nil
		}
		if changed {
			interval = w.opts.PollInterval
		} else {
			interval = min(w.opts.MaxPollInterval, interval*3/2)
		}
		wait := jitter(interval)
		if rest := deadline.Sub(now); wait > rest {
			wait = rest
		}
		if err := c.Sleep(ctx, wait); err != nil {
			return w.report(rounds), err
		}
	}
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}

func (w *watcher) draining() bool {
	if w.opts.Drain == nil {
		return false
	}
	select {
	case <-w.opts.Drain:
		return true
	default:
		return false
	}
}

// round reads back what is pending and moves nodes on. It reports whether
// any node changed state.
func (w *watcher) round(ctx context.Context) (bool, error) {
	changed := false
	now := w.opts.Clock.Now()
	var readIDs []string
	for _, id := range w.order {
		n := w.nodes[id]
		if n.State == StatePending || (n.State == StateRequests && !n.sent) {
			readIDs = append(readIDs, id)
		}
	}
	if len(readIDs) > 0 {
		facts, err := w.deps.ReadBack(ctx, readIDs)
		if err != nil {
			return false, fmt.Errorf("read back nodes: %w", err)
		}
		for _, id := range readIDs {
			if w.observe(w.nodes[id], facts, now) {
				changed = true
			}
		}
	}
	if c, err := w.agentFailures(ctx, now); err != nil {
		return changed, err
	} else if c {
		changed = true
	}
	if c, err := w.requests(ctx, now); err != nil {
		return changed, err
	} else if c {
		changed = true
	}
	return changed, nil
}

// observe applies one read-back to a node.
func (w *watcher) observe(n *node, facts map[string]fleet.Node, now time.Time) bool {
	f, ok := facts[n.InstanceID]
	if !ok {
		w.final(n, StateFailed, "no longer a managed node (terminated, stopped or deregistered)", now)
		return true
	}
	n.AgentAfter, n.ping = f.AgentVersion, f.PingStatus
	if f.PingStatus != fleet.PingOnline {
		if n.unreachable.IsZero() {
			n.unreachable = now
		}
		if now.Sub(n.unreachable) >= w.opts.OfflineGrace {
			w.final(n, StateFailed, fmt.Sprintf("went offline: %s for %s", f.PingStatus, now.Sub(n.unreachable).Round(time.Second)), now)
			return true
		}
		// The version of a node that is not Online is what its agent
		// last reported before it went away, not proof that the new agent
		// runs: the agent reports its version when it pings, and a node
		// that never comes back after the restart cannot be patched
		// anyway. It is verified only once it is Online again.
		return false
	}
	n.unreachable = time.Time{}
	if n.State != StatePending {
		return false
	}
	if !w.agentOK(f.AgentVersion) {
		return false
	}
	if n.needsRequests {
		n.State = StateRequests
		return true
	}
	w.final(n, StateVerified, "agent "+f.AgentVersion+" read back", now)
	return true
}

func (w *watcher) agentOK(v string) bool {
	got, err := version.NewVersion(v)
	return err == nil && !got.LessThan(w.min)
}

func (w *watcher) agentFailures(ctx context.Context, now time.Time) (bool, error) {
	if w.deps.Agent == nil {
		return false, nil
	}
	// Asking State Manager about failures costs calls per association, while
	// a failed node only waits longer to be reported: ask at most once per
	// MaxPollInterval. Read-backs still run every round, so verification is
	// not slowed.
	if !w.failuresAt.IsZero() && now.Sub(w.failuresAt) < w.opts.MaxPollInterval {
		return false, nil
	}
	w.failuresAt = now
	pending := map[string]bool{}
	for id, n := range w.nodes {
		if n.State == StatePending {
			pending[id] = true
		}
	}
	if len(pending) == 0 {
		return false, nil
	}
	failed, err := w.deps.Agent.Failures(ctx, pending)
	if err != nil {
		return false, err
	}
	for id, reason := range failed {
		// The failure report and this round's read-back agree that the
		// node is below the floor: SSM's Failed alone would not be enough.
		w.final(w.nodes[id], StateFailed, reason, now)
	}
	return len(failed) > 0, nil
}

func (w *watcher) requests(ctx context.Context, now time.Time) (bool, error) {
	if w.deps.Requests == nil {
		return false, nil
	}
	changed := false
	var send []string
	for _, id := range w.order {
		n := w.nodes[id]
		if n.State == StateRequests && !n.sent && n.unreachable.IsZero() {
			send = append(send, id)
		}
	}
	if len(send) > 0 && w.draining() {
		for _, id := range send {
			w.final(w.nodes[id], StateNotStarted, "interrupted before the requests upgrade started; resume the run to finish", now)
		}
		changed, send = true, nil
	}
	if len(send) > 0 {
		if err := w.deps.Requests.Send(ctx, send); err != nil {
			return changed, err
		}
		for _, id := range send {
			w.nodes[id].sent = true
		}
		changed = true
	}
	results, err := w.deps.Requests.Results(ctx)
	if err != nil {
		return changed, err
	}
	for id, r := range results {
		n, ok := w.nodes[id]
		if !ok || n.State.Final() {
			continue
		}
		n.RequestsAfter = r.After
		if r.OK {
			w.final(n, StateVerified, "requests "+r.After+" read back", now)
		} else {
			w.final(n, StateFailed, r.Reason, now)
		}
		changed = true
	}
	return changed, nil
}

func (w *watcher) final(n *node, s State, reason string, now time.Time) {
	if n.State.Final() {
		return
	}
	n.State, n.Reason = s, reason
	if s == StateVerified {
		n.VerifiedAt = now
	}
	w.opts.Logger.Info("node settled", zap.String("instance_id", n.InstanceID), zap.String("state", string(s)), zap.String("reason", reason))
	if w.opts.OnOutcome != nil {
		w.opts.OnOutcome(n.Outcome)
	}
}

func (w *watcher) timeout() {
	now := w.opts.Clock.Now()
	for _, id := range w.order {
		n := w.nodes[id]
		switch n.State {
		case StatePending:
			if !n.unreachable.IsZero() {
				// Its version may be new, but it was never read back from
				// the node Online (see observe).
				w.final(n, StateTimedOut, fmt.Sprintf("agent %s but the node is %s, not Online, after %s", orUnknown(n.AgentAfter), n.ping, w.opts.Timeout), now)
				continue
			}
			w.final(n, StateTimedOut, fmt.Sprintf("agent still %s after %s", orUnknown(n.AgentAfter), w.opts.Timeout), now)
		case StateRequests:
			w.final(n, StateTimedOut, fmt.Sprintf("requests upgrade not read back within %s", w.opts.Timeout), now)
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

func (w *watcher) progress(round int) {
	if w.opts.OnProgress == nil {
		return
	}
	p := Progress{Total: len(w.nodes), Round: round, Elapsed: w.opts.Clock.Now().Sub(w.start)}
	for _, n := range w.nodes {
		switch n.State {
		case StateVerified:
			p.Verified++
		case StatePending:
			p.Pending++
		case StateRequests:
			p.Requests++
		default:
			p.Failed++
		}
	}
	w.opts.OnProgress(p)
}

func (w *watcher) report(rounds int) Report {
	r := Report{Counts: map[State]int{}, Elapsed: w.opts.Clock.Now().Sub(w.start), Rounds: rounds}
	for _, id := range w.order {
		o := w.nodes[id].Outcome
		r.Outcomes = append(r.Outcomes, o)
		r.Counts[o.State]++
	}
	return r
}

// ErrNothingToDo is returned by callers that find no targets; kept here so
// every command words it the same way.
var ErrNothingToDo = errors.New("nothing to apply: every selected node already meets the prerequisites")
