package engine

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/hashicorp/go-version"

	"github.com/patchready/patchready/internal/awsclient"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
)

// faultTimeout bounds each watch in fleet time. It is generous because
// the fleet clock runs hundreds of times faster than real time while the
// SDK's retries, the race detector and the simulator's real scripts take
// real time: on a loaded machine the first round can come many fleet
// minutes after the apply started. No node of the fleet is built to wait
// for it, so only a stuck node would.
const faultTimeout = 3 * time.Hour

// unpacedRetryer is awsclient's retry policy (10 attempts, no retry quota,
// exponential backoff with jitter capped at 50 ms here) without its
// per-operation pacer. Under random throttling the pacer reads every
// throttle as "too fast" and cuts its rate until calls are spaced by
// hundreds of real milliseconds (100 sequential calls at 30% throttling:
// about a minute), and on a 1000x clock the fleet then moves on by minutes
// between two calls of one poll round. Random throttles are a storm no
// pacing avoids, so the storm tests what must hold whatever the pacing:
// retries carry every call through and the run's outcome is right.
func unpacedRetryer(o *ssm.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = awsclient.DefaultMaxAttempts
		so.MaxBackoff = 50 * time.Millisecond
		so.RateLimiter = ratelimit.None
	})
}

const idSkipped = "i-00000000000000f05" // the updater succeeds without raising the version

// faultFleet is mixedFleet, a node whose update is skipped, and a
// generated fleet of realistic nodes around them.
func faultFleet() ssmsim.Fleet {
	f := mixedFleet()
	skipped := al2(idSkipped, belowFloor)
	skipped.Faults.UpdateSkipped = true
	f.Nodes = append(f.Nodes, skipped)
	f.Nodes = append(f.Nodes, ssmsim.Generate(150, 3).Nodes...)
	return f
}

// faultWant is where the hand-made nodes must end under faults; the
// generated nodes must only be accounted for.
func faultWant() map[string]want {
	w := maps.Clone(mixedWant)
	w[idSkipped] = want{"failed", "agent update reported success but the agent is still " + belowFloor + " (update skipped"}
	w[idOld3] = want{"failed", "no longer a managed node"} // terminated after the plan
	return w
}

// knownReasons are the starts of every reason a node may end with.
var knownReasons = []string{
	"agent ", // "agent X read back", "agent update failed/not delivered/not started/reported success but …", "agent still X after"
	"read back: every patch-run check passes",
	"fix step ",
	"still failing after the fix: ",
	"went offline: ",
	"no longer a managed node",
	"fix not read back within",
}

// Issue #7: a run against a storm of faults (30% of calls throttled, 5%
// answered 500, 20% of list pages empty, invocations invisible for three
// seconds, two-minute agent restarts), with every per-node fault and a
// node terminated between plan and apply, interrupted and resumed: every
// targeted node ends accounted for, nothing is created twice, and the
// journal matches what exists.
func TestFaultStorm(t *testing.T) {
	for _, st := range strategies {
		t.Run(st.String(), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 50*time.Second)
			e := newEnv(t, faultFleet(), func(o *ssmsim.Options) {
				o.Faults = ssmsim.Faults{ThrottleRate: 0.3, ServerErrorRate: 0.05, EmptyPageRate: 0.2}
				o.Behaviour = ssmsim.Behaviour{InvocationLag: 3 * time.Second, RestartWindow: 2 * time.Minute}
			})
			e.api, e.calls = e.client(unpacedRetryer)
			p := e.plan(ctx, st)
			targets := targeted(p)
			wants := faultWant()
			for id := range wants {
				if !slices.Contains(targets, id) {
					t.Fatalf("plan does not target %s", id)
				}
			}
			e.updateNode(idOld3, func(n *ssmsim.Node) { n.Terminated = true })

			file, _ := savePlan(t, p)
			const runID = "20260302T090000Z-0000f7"
			stateDir := t.TempDir()

			// Interrupted hard after the first poll round...
			cctx, cancel := context.WithCancel(ctx)
			in := e.applyInput(p, runID, stateDir)
			in.PlanFile, in.Fresh = file, true
			in.Timeout = faultTimeout
			// After the first round: with the real scripts running and -race,
			// a loaded machine can let a fast fleet settle by round three.
			in.OnProgress = cancelAt(1, cancel)
			_, err := Apply(cctx, e.api, in)
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted Apply: %v, want context.Canceled", err)
			}
			createdBefore := e.creations()
			journal := remedy.JournalPath(stateDir, runID)
			if jl, live := journalLive(t, journal), e.liveIDs(ctx); !maps.Equal(jl, live) {
				t.Errorf("after the interrupt: journal live %v, simulator %v", jl, live)
			}

			// ... then resumed to the end.
			in = e.applyInput(p, runID, stateDir)
			in.PlanFile, in.Fresh, in.Resume = file, true, true
			in.Timeout = faultTimeout
			res, err := Apply(ctx, e.api, in)
			if err != nil {
				t.Fatalf("resumed Apply: %v", err)
			}

			byID := outcomes(res.Report)
			accounted, verified := 0, 0
			for _, id := range targets {
				o, ok := byID[id]
				if !ok {
					t.Errorf("%s: not accounted for", id)
					continue
				}
				if o.State != converge.StateVerified && o.State != converge.StateFailed && o.State != converge.StateTimedOut {
					t.Errorf("%s: ended %s (%s)", id, o.State, o.Reason)
					continue
				}
				if !hasKnownReason(o.Reason) {
					t.Errorf("%s: %s with an unexpected reason %q", id, o.State, o.Reason)
				}
				if o.State == converge.StateVerified {
					verified++
					checkVerifiedInSim(t, e, p, id)
				}
				accounted++
			}
			if len(res.Report.Outcomes) != len(targets) {
				t.Errorf("%d outcomes for %d targets", len(res.Report.Outcomes), len(targets))
			}
			for id, w := range wants {
				if o := byID[id]; string(o.State) != w.state || !strings.Contains(o.Reason, w.reason) {
					t.Errorf("%s: %s %q, want %s with %q", id, o.State, o.Reason, w.state, w.reason)
				}
			}

			// Faults are still on while the test lists what exists: the
			// listing's own retries must not count against the run.
			stats := e.sim.Stats().Total()
			calls := e.calls.Total()
			created := e.creations()
			dups := e.duplicates(ctx)
			if created != createdBefore {
				t.Errorf("create calls went from %d to %d on resume", createdBefore, created)
			}
			live := e.liveIDs(ctx)
			jl := journalLive(t, journal)
			if len(live) != 0 || !maps.Equal(jl, live) {
				t.Errorf("after the run: journal live %v, simulator %v", jl, live)
			}
			t.Logf("%s: %d calls received, %d throttled, %d answered 500 (faults injected); client: %d calls, %d retries, %d throttles met; "+
				"%d/%d targeted nodes accounted for (%d verified, %d failed, %d timed out); %d create calls; %d duplicates; %d live resources (journal %d)",
				st, stats.Calls, stats.Throttled, stats.ServerErrors, calls.Calls, calls.Retries, calls.Throttles,
				accounted, len(targets), verified, res.Report.Counts[converge.StateFailed], res.Report.Counts[converge.StateTimedOut],
				created, dups, len(live), len(jl))
		})
	}
}

func hasKnownReason(r string) bool {
	for _, k := range knownReasons {
		if strings.HasPrefix(r, k) {
			return true
		}
	}
	return false
}

// checkVerifiedInSim asserts that a node the report calls verified is
// compliant in the simulator: agent at the floor or above, requests
// upgraded when the plan asked for it.
func checkVerifiedInSim(t *testing.T, e *env, p plan.Plan, id string) {
	t.Helper()
	n := e.node(id)
	floor := version.Must(version.NewVersion(p.Rules.MinAgentVersion))
	if v, err := version.NewVersion(n.AgentVersion); err != nil || v.LessThan(floor) {
		t.Errorf("%s: verified, but its agent is %s in the simulator", id, n.AgentVersion)
	}
	for _, np := range p.Nodes {
		if np.Node.InstanceID == id && np.HasAction("upgrade-requests") {
			min := version.Must(version.NewVersion(p.Rules.MinRequestsVersion))
			if v, err := version.NewVersion(n.Requests); err != nil || v.LessThan(min) {
				t.Errorf("%s: verified, but its requests is %q in the simulator", id, n.Requests)
			}
		}
	}
}
