package converge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/remedy"
)

const (
	idA = "i-0000000000000000a"
	idB = "i-0000000000000000b"
)

func agentTarget(id string) Target {
	return Target{InstanceID: id, NeedsAgent: true, AgentBefore: oldAgent}
}

func fixTarget(id string) Target {
	return Target{InstanceID: id, Stages: []string{"fix"}}
}

// sentTarget was sent the fix by an earlier, interrupted run.
func sentTarget(id string) Target {
	t := fixTarget(id)
	t.Sent = map[string]bool{"fix": true}
	return t
}

func bothTarget(id string) Target {
	return Target{InstanceID: id, NeedsAgent: true, AgentBefore: oldAgent, Stages: []string{"fix"}}
}

// testOptions poll every 10 s (at most 30 s) for at most 30 minutes, with
// a 5-minute offline grace.
func testOptions(clk *recordingClock) Options {
	return Options{
		Clock: clk, PollInterval: 10 * time.Second, MaxPollInterval: 30 * time.Second,
		Timeout: 30 * time.Minute, MinAgentVersion: floor, OfflineGrace: 5 * time.Minute,
	}
}

type wantOutcome struct {
	state  State
	reason string // a fragment of the reason
}

func checkReport(t *testing.T, r Report, wants map[string]wantOutcome) {
	t.Helper()
	if len(r.Outcomes) != len(wants) {
		t.Errorf("%d outcomes, want %d: %+v", len(r.Outcomes), len(wants), r.Outcomes)
	}
	for _, o := range r.Outcomes {
		w, ok := wants[o.InstanceID]
		if !ok {
			t.Errorf("unexpected outcome %+v", o)
			continue
		}
		if o.State != w.state || !strings.Contains(o.Reason, w.reason) {
			t.Errorf("%s: %s %q, want %s with %q", o.InstanceID, o.State, o.Reason, w.state, w.reason)
		}
	}
}

func TestWatchOutcomes(t *testing.T) {
	closed := make(chan struct{})
	close(closed)
	tests := []struct {
		name    string
		targets []Target
		phases  map[string][]phase
		agent   map[string]agentEvent // nil: no agent updater
		// requests are the results of the fix stage (nil: no fix
		// stage); adopted were sent before the watch.
		requests map[string]remedy.StageResult
		adopted  []string
		// took is how long a requests upgrade runs (default a minute).
		took  time.Duration
		drain bool
		// sentAfter bounds when the requests upgrade may be sent.
		sentAfter map[string]time.Duration
		want      map[string]wantOutcome
		// wantAt bounds when the watch ends, in fleet time.
		wantAtLeast, wantAtMost time.Duration
	}{
		{
			name:    "agent verified on read-back",
			targets: []Target{agentTarget(idA)},
			phases:  map[string][]phase{idA: {{0, online(idA, oldAgent)}, {2 * time.Minute, online(idA, newAgent)}}},
			want:    map[string]wantOutcome{idA: {StateVerified, "agent " + newAgent + " read back"}},
			// Read-backs every ≤ 30 s: verified within one interval.
			wantAtLeast: 2 * time.Minute, wantAtMost: 2*time.Minute + 33*time.Second,
		},
		{
			name:    "a new version read back while not Online waits for Online",
			targets: []Target{agentTarget(idA)},
			phases: map[string][]phase{idA: {
				{0, online(idA, oldAgent)}, {time.Minute, lost(idA, newAgent)}, {4 * time.Minute, online(idA, newAgent)},
			}},
			want:        map[string]wantOutcome{idA: {StateVerified, "agent " + newAgent + " read back"}},
			wantAtLeast: 4 * time.Minute, wantAtMost: 4*time.Minute + 33*time.Second,
		},
		{
			name:    "offline past the grace fails",
			targets: []Target{agentTarget(idA), agentTarget(idB)},
			phases: map[string][]phase{
				idA: {{0, online(idA, oldAgent)}, {time.Minute, lost(idA, newAgent)}},
				idB: {{0, online(idB, oldAgent)}, {time.Minute, online(idB, newAgent)}},
			},
			want: map[string]wantOutcome{
				idA: {StateFailed, "went offline: ConnectionLost for 5m"},
				idB: {StateVerified, "read back"},
			},
			wantAtLeast: 6 * time.Minute, wantAtMost: 6*time.Minute + 66*time.Second,
		},
		{
			name:    "offline less than the grace is waited for",
			targets: []Target{agentTarget(idA)},
			phases: map[string][]phase{idA: {
				{0, online(idA, oldAgent)}, {time.Minute, lost(idA, oldAgent)}, {5*time.Minute + 30*time.Second, online(idA, newAgent)},
			}},
			want: map[string]wantOutcome{idA: {StateVerified, "agent " + newAgent + " read back"}},
		},
		{
			name:    "terminated node fails",
			targets: []Target{agentTarget(idA)},
			phases:  map[string][]phase{idA: {{0, online(idA, oldAgent)}, {3 * time.Minute, gone()}}},
			want:    map[string]wantOutcome{idA: {StateFailed, "no longer a managed node"}},
		},
		{
			name:        "agent never updated times out",
			targets:     []Target{agentTarget(idA)},
			phases:      map[string][]phase{idA: {{0, online(idA, oldAgent)}}},
			want:        map[string]wantOutcome{idA: {StateTimedOut, "agent still " + oldAgent + " after 30m0s"}},
			wantAtLeast: 30 * time.Minute, wantAtMost: 30 * time.Minute,
		},
		{
			name:    "never Online again times out saying so",
			targets: []Target{agentTarget(idA)},
			phases:  map[string][]phase{idA: {{0, online(idA, oldAgent)}, {29 * time.Minute, lost(idA, newAgent)}}},
			want: map[string]wantOutcome{idA: {StateTimedOut,
				"agent " + newAgent + " but the node is ConnectionLost, not Online, after 30m0s"}},
			wantAtLeast: 30 * time.Minute, wantAtMost: 30 * time.Minute,
		},
		{
			name:    "failure reported by SSM fails the node",
			targets: []Target{agentTarget(idA), agentTarget(idB)},
			phases: map[string][]phase{
				idA: {{0, online(idA, oldAgent)}},
				idB: {{0, online(idB, oldAgent)}, {time.Minute, online(idB, newAgent)}},
			},
			agent: map[string]agentEvent{idA: {at: 2 * time.Minute, failed: "agent update failed (Failed)"}},
			want: map[string]wantOutcome{
				idA: {StateFailed, "agent update failed (Failed)"},
				idB: {StateVerified, "read back"},
			},
			// SSM is asked once per 30 s at most, in a round ≤ 33 s apart.
			wantAtLeast: 2 * time.Minute, wantAtMost: 2*time.Minute + 63*time.Second,
		},
		{
			name:    "update reported Success but the version stays below the floor: skipped",
			targets: []Target{agentTarget(idA), agentTarget(idB)},
			phases: map[string][]phase{
				idA: {{0, online(idA, oldAgent)}},
				idB: {{0, online(idB, oldAgent)}, {2 * time.Minute, online(idB, newAgent)}},
			},
			agent: map[string]agentEvent{idA: {at: time.Minute}, idB: {at: 2 * time.Minute}},
			want: map[string]wantOutcome{
				idA: {StateFailed, "agent update reported success but the agent is still " + oldAgent + " (update skipped: the region's agent manifest may lag"},
				idB: {StateVerified, "agent " + newAgent + " read back"},
			},
			// Seen at the first status check from 1 min (≤ 1m33s), read
			// back stale at the next round (≤ 33 s later), failed once it
			// has stood for OfflineGrace (5 min, ≤ one 66 s wait late).
			wantAtLeast: time.Minute + 5*time.Minute, wantAtMost: 2*time.Minute + 6*time.Second + 30*time.Second + 5*time.Minute + 66*time.Second,
		},
		{
			// Under load a read-back can land after SSM's Success but
			// before the restarted agent's first ping shows the new
			// version: the node must not be called skipped for that.
			name:    "update reported Success, one Online read-back still old, then new: verified",
			targets: []Target{agentTarget(idA)},
			phases: map[string][]phase{idA: {
				{0, online(idA, oldAgent)}, {3 * time.Minute, online(idA, newAgent)},
			}},
			agent:       map[string]agentEvent{idA: {at: time.Minute}},
			want:        map[string]wantOutcome{idA: {StateVerified, "agent " + newAgent + " read back"}},
			wantAtLeast: 3 * time.Minute,
		},
		{
			name:    "update reported Success while the agent restarts: waits for Online",
			targets: []Target{agentTarget(idA)},
			phases: map[string][]phase{idA: {
				{0, online(idA, oldAgent)}, {time.Minute, lost(idA, oldAgent)}, {4 * time.Minute, online(idA, newAgent)},
			}},
			agent:       map[string]agentEvent{idA: {at: time.Minute}},
			want:        map[string]wantOutcome{idA: {StateVerified, "agent " + newAgent + " read back"}},
			wantAtLeast: 4 * time.Minute,
		},
		{
			name:     "fix sent once the agent is verified",
			targets:  []Target{bothTarget(idA), fixTarget(idB)},
			phases:   map[string][]phase{idA: {{0, online(idA, oldAgent)}, {3 * time.Minute, online(idA, newAgent)}}, idB: {{0, online(idB, newAgent)}}},
			requests: map[string]remedy.StageResult{},
			want: map[string]wantOutcome{
				idA: {StateVerified, "read back: every patch-run check passes"},
				idB: {StateVerified, "read back: every patch-run check passes"},
			},
			sentAfter:   map[string]time.Duration{idA: 3 * time.Minute, idB: 0},
			wantAtLeast: 4 * time.Minute,
		},
		{
			name:        "fix waits for the node to be Online",
			targets:     []Target{fixTarget(idA)},
			phases:      map[string][]phase{idA: {{0, lost(idA, newAgent)}, {2 * time.Minute, online(idA, newAgent)}}},
			requests:    map[string]remedy.StageResult{},
			want:        map[string]wantOutcome{idA: {StateVerified, "read back: every patch-run check passes"}},
			sentAfter:   map[string]time.Duration{idA: 2 * time.Minute},
			wantAtLeast: 3 * time.Minute,
		},
		{
			name:     "fix failure gives its reason",
			targets:  []Target{fixTarget(idA)},
			phases:   map[string][]phase{idA: {{0, online(idA, newAgent)}}},
			requests: map[string]remedy.StageResult{idA: {Reason: "fix step requests failed: pip is not installed"}},
			want:     map[string]wantOutcome{idA: {StateFailed, "fix step requests failed: pip is not installed"}},
		},
		{
			name:        "fix never read back times out",
			targets:     []Target{sentTarget(idA)},
			phases:      map[string][]phase{idA: {{0, online(idA, newAgent)}}},
			requests:    map[string]remedy.StageResult{},
			adopted:     []string{idA}, // sent before the watch; runs past the timeout
			took:        time.Hour,
			want:        map[string]wantOutcome{idA: {StateTimedOut, "fix not read back within 30m0s"}},
			wantAtLeast: 30 * time.Minute, wantAtMost: 30 * time.Minute,
		},
		{
			// The first interrupt stops the watch after one round: work
			// not sent is not sent, work running in SSM is left to run.
			name:    "drained: not started and interrupted, at once",
			targets: []Target{fixTarget(idA), sentTarget(idB), agentTarget("i-0000000000000000c")},
			phases: map[string][]phase{idA: {{0, online(idA, newAgent)}}, idB: {{0, online(idB, newAgent)}},
				"i-0000000000000000c": {{0, online("i-0000000000000000c", oldAgent)}}},
			agent:    map[string]agentEvent{},
			requests: map[string]remedy.StageResult{},
			adopted:  []string{idB},
			took:     time.Hour,
			drain:    true,
			want: map[string]wantOutcome{
				idA:                   {StateNotStarted, "interrupted before its fix started"},
				idB:                   {StateInterrupted, "interrupted while its fix runs in SSM"},
				"i-0000000000000000c": {StateInterrupted, "interrupted while its agent update runs in SSM"},
			},
			wantAtMost: time.Nanosecond, // one round, no wait
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newRecordingClock()
			deps := Deps{ReadBack: (&fakeFleet{clk: clk, phases: tt.phases}).ReadBack, Agent: &fakeAgent{clk: clk, events: tt.agent}}
			var rq *fakeStage
			if tt.requests != nil {
				rq = &fakeStage{clk: clk, took: time.Minute, results: tt.requests, sent: map[string]time.Duration{}}
				for _, id := range tt.adopted {
					rq.sent[id] = 0
				}
				if tt.took > 0 {
					rq.took = tt.took
				}
				deps.Stages = map[string]Stage{"fix": rq}
			}
			opts := testOptions(clk)
			if tt.drain {
				opts.Drain = closed
			}
			var settled []Outcome
			opts.OnOutcome = func(o Outcome) { settled = append(settled, o) }

			r, err := Watch(context.Background(), tt.targets, deps, opts)
			if err != nil {
				t.Fatalf("Watch: %v", err)
			}
			checkReport(t, r, tt.want)
			if len(settled) != len(tt.want) {
				t.Errorf("OnOutcome called %d times, want once per node (%d)", len(settled), len(tt.want))
			}
			if r.Elapsed != clk.elapsed() {
				t.Errorf("report elapsed %s, clock says %s", r.Elapsed, clk.elapsed())
			}
			if r.Elapsed < tt.wantAtLeast || (tt.wantAtMost > 0 && r.Elapsed > tt.wantAtMost) {
				t.Errorf("ended after %s, want between %s and %s", r.Elapsed, tt.wantAtLeast, tt.wantAtMost)
			}
			for id, after := range tt.sentAfter {
				if at, ok := rq.sent[id]; !ok || at < after {
					t.Errorf("%s: fix sent at %s (sent: %v), want not before %s", id, at, ok, after)
				}
			}
		})
	}
}

// TestWatchStagesInOrder holds a node to its stages' order: the second
// stage is sent only once the first read back OK, and a failed first
// stage ends the node without the second.
func TestWatchStagesInOrder(t *testing.T) {
	clk := newRecordingClock()
	fix := &fakeStage{clk: clk, took: time.Minute, results: map[string]remedy.StageResult{idB: {Reason: "still failing after the fix: no curl"}}}
	scan := &fakeStage{clk: clk, took: 2 * time.Minute, results: map[string]remedy.StageResult{idA: {OK: true, Reason: "scan succeeded"}}}
	fl := &fakeFleet{clk: clk, phases: map[string][]phase{idA: {{0, online(idA, newAgent)}}, idB: {{0, online(idB, newAgent)}}}}
	targets := []Target{
		{InstanceID: idA, Stages: []string{"fix", "scan"}},
		{InstanceID: idB, Stages: []string{"fix", "scan"}},
	}
	r, err := Watch(context.Background(), targets, Deps{ReadBack: fl.ReadBack, Stages: map[string]Stage{"fix": fix, "scan": scan}}, testOptions(clk))
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, r, map[string]wantOutcome{idA: {StateVerified, "scan succeeded"}, idB: {StateFailed, "no curl"}})
	if scan.sent[idA] < fix.sent[idA]+time.Minute {
		t.Errorf("scan sent at %s, before the fix (sent %s) read back", scan.sent[idA], fix.sent[idA])
	}
	if _, ok := scan.sent[idB]; ok {
		t.Error("scan sent to a node whose fix failed")
	}
	if got := r.Outcomes[0].Changes; len(got) != 1 || got[0].After != "2.32.3" {
		t.Errorf("changes = %+v, want the fix's", got)
	}
}

func TestWatchRefusesWhatCannotRun(t *testing.T) {
	clk := newRecordingClock()
	fl := &fakeFleet{clk: clk}
	for name, tt := range map[string]struct {
		targets []Target
		deps    Deps
		opts    func(*Options)
		want    string
	}{
		"agent update without a strategy": {targets: []Target{agentTarget(idA)}, want: "no strategy delivers it"},
		"a stage nothing runs":            {targets: []Target{fixTarget(idA)}, want: `needs stage "fix"`},
		"no floor":                        {opts: func(o *Options) { o.MinAgentVersion = "" }, want: "no minimum agent version"},
		"poll bounds upside down":         {opts: func(o *Options) { o.MaxPollInterval = time.Second }, want: "below the poll interval"},
	} {
		t.Run(name, func(t *testing.T) {
			o := testOptions(clk)
			if tt.opts != nil {
				tt.opts(&o)
			}
			tt.deps.ReadBack = fl.ReadBack
			_, err := Watch(context.Background(), tt.targets, tt.deps, o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Watch err = %v, want %q", err, tt.want)
			}
		})
	}
}
