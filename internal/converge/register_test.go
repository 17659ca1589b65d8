package converge

import (
	"context"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/remedy"
)

// offNodeStage is a fakeStage done around the node (registration).
type offNodeStage struct{ *fakeStage }

func (offNodeStage) OffNode() {}

const idC = "i-0000000000000000c"

// A node that registers goes through an off-node stage without being read
// back (it is not a managed node yet, so a read-back would call it gone),
// then does what the stage's result says it needs next, in the same
// watch: the agent update then the fix, the fix alone, or nothing more.
func TestWatchFollowsWhatAStageDecides(t *testing.T) {
	clk := newRecordingClock()
	register := offNodeStage{&fakeStage{clk: clk, took: 20 * time.Minute, results: map[string]remedy.StageResult{
		idA: {OK: true, Reason: "registered", Then: &remedy.Then{UpdateAgent: true, AgentBefore: oldAgent, Stages: []string{"fix"}}},
		idB: {OK: true, Reason: "registered; meets every prerequisite", Then: &remedy.Then{}},
		idC: {Reason: "not registered with SSM within 35m0s: likely SSM Agent not installed"},
	}}}
	fix := &fakeStage{clk: clk, took: time.Minute}
	// A is no managed node for the first 20 minutes, then an old agent
	// until its update lands at 25 minutes.
	fl := &fakeFleet{clk: clk, phases: map[string][]phase{
		idA: {{0, gone()}, {20 * time.Minute, online(idA, oldAgent)}, {25 * time.Minute, online(idA, newAgent)}},
		idB: {{0, gone()}, {20 * time.Minute, online(idB, newAgent)}},
		idC: {{0, gone()}},
	}}
	agent := &fakeAgent{clk: clk, events: map[string]agentEvent{idA: {at: 24 * time.Minute}}}
	targets := []Target{
		{InstanceID: idA, Stages: []string{"register"}, Wait: 35 * time.Minute},
		{InstanceID: idB, Stages: []string{"register"}, Wait: 35 * time.Minute},
		{InstanceID: idC, Stages: []string{"register"}, Wait: 35 * time.Minute},
	}
	r, err := Watch(context.Background(), targets, Deps{ReadBack: fl.ReadBack, Agent: agent,
		Stages: map[string]Stage{"register": register, "fix": fix}}, testOptions(clk))
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, r, map[string]wantOutcome{
		idA: {StateVerified, "every patch-run check passes"},
		idB: {StateVerified, "meets every prerequisite"},
		idC: {StateFailed, "not registered with SSM within 35m0s"},
	})
	if at := fix.sent[idA]; at < 25*time.Minute {
		t.Errorf("fix sent at %s, before the agent update was read back", at)
	}
	if _, ok := fix.sent[idB]; ok {
		t.Error("fix sent to a node whose late plan had none")
	}
	if !agent.askedFor[idA] || agent.askedFor[idB] {
		t.Errorf("agent asked about %v, want A only", agent.askedFor)
	}
	for _, o := range r.Outcomes {
		if o.InstanceID == idA && (o.AgentBefore != oldAgent || o.AgentAfter != newAgent) {
			t.Errorf("A: agent %s → %s, want %s → %s", o.AgentBefore, o.AgentAfter, oldAgent, newAgent)
		}
	}
}

// Each node has its own deadline: one that may take longer to register
// does not time out with the others, and does not keep them waiting.
func TestWatchPerNodeDeadline(t *testing.T) {
	clk := newRecordingClock()
	register := offNodeStage{&fakeStage{clk: clk, took: 50 * time.Minute}} // never reports in time
	fl := &fakeFleet{clk: clk, phases: map[string][]phase{idA: {{0, online(idA, oldAgent)}}}}
	agent := &fakeAgent{clk: clk}
	o := testOptions(clk)
	o.Timeout = 10 * time.Minute
	r, err := Watch(context.Background(), []Target{agentTarget(idA), {InstanceID: idB, Stages: []string{"register"}, Wait: 20 * time.Minute}},
		Deps{ReadBack: fl.ReadBack, Agent: agent, Stages: map[string]Stage{"register": register}}, o)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, r, map[string]wantOutcome{
		idA: {StateTimedOut, "after 10m0s"},
		idB: {StateTimedOut, "register not read back within 30m0s"},
	})
	if got := clk.elapsed(); got < 30*time.Minute || got > 31*time.Minute {
		t.Errorf("watch ended after %s, want B's deadline, 30 minutes", got)
	}
	if fl.calls == 0 {
		t.Fatal("A was never read back")
	}
}

// A stage's decision that names work nothing runs fails the node, not the
// watch.
func TestWatchFollowRefusesWhatCannotRun(t *testing.T) {
	clk := newRecordingClock()
	register := offNodeStage{&fakeStage{clk: clk, took: time.Minute, results: map[string]remedy.StageResult{
		idA: {OK: true, Then: &remedy.Then{Stages: []string{"scan"}}},
		idB: {OK: true, Then: &remedy.Then{UpdateAgent: true}},
	}}}
	fl := &fakeFleet{clk: clk}
	r, err := Watch(context.Background(), []Target{{InstanceID: idA, Stages: []string{"register"}}, {InstanceID: idB, Stages: []string{"register"}}},
		Deps{ReadBack: fl.ReadBack, Stages: map[string]Stage{"register": register}}, testOptions(clk))
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, r, map[string]wantOutcome{idA: {StateFailed, `needs stage "scan"`}, idB: {StateFailed, "no strategy delivers it"}})
}
