package converge

import (
	"context"
	"sync"
	"time"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/remedy"
)

// t0 is when every watch under test starts.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	floor    = "3.0.0.0"
	oldAgent = "2.0.790.0"
	newAgent = "3.3.1142.0"
)

// recordingClock is a manual clock that also records every wait.
type recordingClock struct {
	*clock.Manual
	mu     sync.Mutex
	sleeps []time.Duration
}

func newRecordingClock() *recordingClock {
	return &recordingClock{Manual: clock.NewManual(t0)}
}

func (c *recordingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	return c.Manual.Sleep(ctx, d)
}

// elapsed is the time since the watch started.
func (c *recordingClock) elapsed() time.Duration { return c.Now().Sub(t0) }

// phase is what a node looks like from a time on.
type phase struct {
	from time.Duration
	// node is its read-back; a zero InstanceID means it is missing
	// (terminated or deregistered).
	node fleet.Node
}

func online(id, agent string) fleet.Node {
	return fleet.Node{InstanceID: id, AgentVersion: agent, PingStatus: fleet.PingOnline}
}

func lost(id, agent string) fleet.Node {
	return fleet.Node{InstanceID: id, AgentVersion: agent, PingStatus: fleet.PingConnectionLost}
}

func gone() fleet.Node { return fleet.Node{} }

// fakeFleet answers read-backs from each node's phases, at the clock's
// time.
type fakeFleet struct {
	clk    *recordingClock
	phases map[string][]phase
	// errs are returned by the read-back calls of those numbers (1-based).
	errs  map[int]error
	calls int
}

func (f *fakeFleet) ReadBack(_ context.Context, ids []string) (map[string]fleet.Node, error) {
	f.calls++
	if err := f.errs[f.calls]; err != nil {
		return nil, err
	}
	now := f.clk.elapsed()
	out := map[string]fleet.Node{}
	for _, id := range ids {
		var cur fleet.Node
		for _, p := range f.phases[id] {
			if now >= p.from {
				cur = p.node
			}
		}
		if cur.InstanceID != "" {
			out[id] = cur
		}
	}
	return out, nil
}

// agentEvent is what SSM says of one node's agent update from a time on.
type agentEvent struct {
	at     time.Duration
	failed string // the reason; "" for Success
}

// fakeAgent reports agent update outcomes once their time has come, and
// records when it was asked and about which nodes.
type fakeAgent struct {
	clk    *recordingClock
	events map[string]agentEvent
	asked  []time.Duration
	// askedFor is every node it was asked about.
	askedFor map[string]bool
}

func (a *fakeAgent) Start(context.Context, [][]string) error { return nil }
func (a *fakeAgent) Finish(context.Context) error            { return nil }
func (a *fakeAgent) Interrupt(context.Context) error         { return nil }

func (a *fakeAgent) Status(_ context.Context, pending map[string]bool) (remedy.AgentStatus, error) {
	now := a.clk.elapsed()
	a.asked = append(a.asked, now)
	if a.askedFor == nil {
		a.askedFor = map[string]bool{}
	}
	out := remedy.AgentStatus{Failed: map[string]string{}, Succeeded: map[string]bool{}}
	for id := range pending {
		a.askedFor[id] = true
		switch e, ok := a.events[id]; {
		case !ok || now < e.at:
		case e.failed != "":
			out.Failed[id] = e.failed
		default:
			out.Succeeded[id] = true
		}
	}
	return out, nil
}

var _ remedy.AgentUpdater = (*fakeAgent)(nil)

// fakeStage finishes each node's command a fixed time after it was sent,
// with the node's result (OK, requests 2.6.0 → 2.32.3, unless given).
type fakeStage struct {
	clk     *recordingClock
	took    time.Duration
	results map[string]remedy.StageResult
	sendErr error
	// sent is when each node was sent the stage's command.
	sent     map[string]time.Duration
	reported map[string]bool
}

func (r *fakeStage) Send(_ context.Context, ids []string) error {
	if r.sendErr != nil {
		return r.sendErr
	}
	if r.sent == nil {
		r.sent = map[string]time.Duration{}
	}
	for _, id := range ids {
		if _, dup := r.sent[id]; dup {
			panic("stage sent twice to " + id)
		}
		r.sent[id] = r.clk.elapsed()
	}
	return nil
}

func (r *fakeStage) Results(context.Context) (map[string]remedy.StageResult, error) {
	if r.reported == nil {
		r.reported = map[string]bool{}
	}
	out := map[string]remedy.StageResult{}
	for id, at := range r.sent {
		if r.reported[id] || r.clk.elapsed() < at+r.took {
			continue
		}
		res, ok := r.results[id]
		if !ok {
			res = remedy.StageResult{OK: true, Reason: "read back: every patch-run check passes",
				Changes: []remedy.Change{{What: "requests", Before: "2.6.0", After: "2.32.3"}}}
		}
		out[id] = res
		r.reported[id] = true
	}
	return out, nil
}
