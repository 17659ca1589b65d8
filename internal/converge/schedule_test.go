package converge

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/terminal"
)

// The wait between rounds grows by half while nothing changes, up to
// MaxPollInterval, and drops back to PollInterval after a round in which
// a node moved; each wait is within ±10% of that.
func TestWatchBackoff(t *testing.T) {
	clk := newRecordingClock()
	fl := &fakeFleet{clk: clk, phases: map[string][]phase{
		idA: {{0, online(idA, oldAgent)}, {2 * time.Minute, online(idA, newAgent)}},
		idB: {{0, online(idB, oldAgent)}, {6 * time.Minute, online(idB, newAgent)}},
	}}
	opts := testOptions(clk)
	opts.PollInterval, opts.MaxPollInterval = 10*time.Second, time.Minute
	var verified []int // per round
	opts.OnProgress = func(p Progress) { verified = append(verified, p.Verified) }

	r, err := Watch(context.Background(), []Target{agentTarget(idA), agentTarget(idB)}, Deps{ReadBack: fl.ReadBack, Agent: &fakeAgent{clk: clk}}, opts)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	checkReport(t, r, map[string]wantOutcome{idA: {StateVerified, "read back"}, idB: {StateVerified, "read back"}})
	if len(clk.sleeps) != r.Rounds-1 || len(verified) != r.Rounds {
		t.Fatalf("%d rounds, %d waits, %d progress reports", r.Rounds, len(clk.sleeps), len(verified))
	}
	base, before, resets, capped := opts.PollInterval, 0, 0, 0
	for i, got := range clk.sleeps {
		if verified[i] != before {
			base = opts.PollInterval
			resets++
		} else {
			base = min(opts.MaxPollInterval, base*3/2)
		}
		before = verified[i]
		if base == opts.MaxPollInterval {
			capped++
		}
		if lo, hi := base*9/10, base*11/10; got < lo || got > hi {
			t.Errorf("wait %d after round %d: %s, want %s ±10%%", i+1, i+1, got, base)
		}
	}
	if resets != 1 || capped == 0 {
		t.Errorf("waits %v: %d resets (want 1, when %s verified), %d at the maximum (want some)", clk.sleeps, resets, idA, capped)
	}
}

// SSM is asked about failures at most once per MaxPollInterval, however
// often nodes move and rounds run, and only about pending nodes.
func TestWatchAsksFailuresAtMostOncePerMaxInterval(t *testing.T) {
	clk := newRecordingClock()
	phases := map[string][]phase{idA: {{0, online(idA, oldAgent)}}} // never updated
	var targets []Target
	for i := range 12 {
		id := fmt.Sprintf("i-%017x", 0x100+i)
		phases[id] = []phase{{0, online(id, oldAgent)}, {time.Duration(i+1) * 15 * time.Second, online(id, newAgent)}}
		targets = append(targets, agentTarget(id))
	}
	targets = append(targets, agentTarget(idA))
	agent := &fakeAgent{clk: clk}
	opts := testOptions(clk)
	opts.Timeout = 10 * time.Minute

	r, err := Watch(context.Background(), targets, Deps{ReadBack: (&fakeFleet{clk: clk, phases: phases}).ReadBack, Agent: agent}, opts)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	if r.Counts[StateVerified] != 12 || r.Counts[StateTimedOut] != 1 {
		t.Errorf("counts %v, want 12 verified and 1 timed out", r.Counts)
	}
	if len(agent.asked) < 2 || len(agent.asked) >= r.Rounds {
		t.Errorf("asked %d times in %d rounds: want at least twice, and less than every round", len(agent.asked), r.Rounds)
	}
	for i := 1; i < len(agent.asked); i++ {
		if gap := agent.asked[i] - agent.asked[i-1]; gap < opts.MaxPollInterval {
			t.Errorf("asked at %s then at %s: %s apart, under %s", agent.asked[i-1], agent.asked[i], gap, opts.MaxPollInterval)
		}
	}
	if len(agent.askedFor) != 13 {
		t.Errorf("asked about %d nodes, want all 13 while pending", len(agent.askedFor))
	}
}

func TestWatchReadBackErrors(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform ssm:DescribeInstanceInformation"}
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	tests := []struct {
		name  string
		errs  map[int]error
		want  wantOutcome
		check func(t *testing.T, err error, fl *fakeFleet)
	}{
		{
			name: "an error not marked terminal is retried next round",
			errs: map[int]error{1: throttled, 2: errors.New("connection reset by peer"), 3: denied},
			want: wantOutcome{StateVerified, "agent " + newAgent + " read back"},
			check: func(t *testing.T, err error, fl *fakeFleet) {
				if err != nil {
					t.Errorf("Watch: %v, want no error", err)
				}
				if fl.calls < 3 {
					t.Errorf("%d read-backs, want the failed ones retried", fl.calls)
				}
			},
		},
		{
			// The watch does not judge errors: the read-back marks access
			// denied as terminal, and only that stops the watch.
			name: "an error marked terminal stops the watch",
			errs: map[int]error{2: terminal.Error(denied)},
			want: wantOutcome{StatePending, ""},
			check: func(t *testing.T, err error, fl *fakeFleet) {
				if !awsclient.IsAccessDenied(err) {
					t.Errorf("Watch: %v, want access denied", err)
				}
				if fl.calls != 2 {
					t.Errorf("%d read-backs, want none after access was denied", fl.calls)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newRecordingClock()
			fl := &fakeFleet{clk: clk, errs: tt.errs, phases: map[string][]phase{
				idA: {{0, online(idA, oldAgent)}, {20 * time.Second, online(idA, newAgent)}},
			}}
			r, err := Watch(context.Background(), []Target{agentTarget(idA)}, Deps{ReadBack: fl.ReadBack, Agent: &fakeAgent{clk: clk}}, testOptions(clk))
			tt.check(t, err, fl)
			checkReport(t, r, map[string]wantOutcome{idA: tt.want})
		})
	}
}

// A cancelled context ends the watch at once with the context's error and
// the report so far.
func TestWatchCancelled(t *testing.T) {
	clk := newRecordingClock()
	ctx, cancel := context.WithCancel(context.Background())
	fl := &fakeFleet{clk: clk, phases: map[string][]phase{idA: {{0, online(idA, oldAgent)}}}}
	opts := testOptions(clk)
	opts.OnProgress = func(p Progress) {
		if p.Round == 3 {
			cancel()
		}
	}
	r, err := Watch(ctx, []Target{agentTarget(idA)}, Deps{ReadBack: fl.ReadBack, Agent: &fakeAgent{clk: clk}}, opts)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Watch: %v, want context.Canceled", err)
	}
	if r.Rounds != 3 {
		t.Errorf("%d rounds, want 3", r.Rounds)
	}
	checkReport(t, r, map[string]wantOutcome{idA: {StatePending, ""}})
}
