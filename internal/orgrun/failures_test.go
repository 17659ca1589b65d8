package orgrun

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
	"github.com/patchready/patchready/internal/targets"
)

func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// failedKinds lists the plan's failed targets as "account/region kind".
func failedKinds(ts []plan.Target) []string {
	var out []string
	for _, t := range ts {
		if t.Failed() {
			out = append(out, t.Key()+" "+t.Failure.Kind)
		}
	}
	return out
}

// verifiedIn counts the verified outcomes per target.
func verifiedIn(r converge.Report) map[string]int {
	out := map[string]int{}
	for _, o := range r.Outcomes {
		if o.State == converge.StateVerified {
			out[o.Account+"/"+o.Region]++
		}
	}
	return out
}

// A target whose account-region limit never lets calls through fails on
// its own, as throttled, and every other target is planned and applied.
func TestThrottledTargetFailsAlone(t *testing.T) {
	ctx := testCtx(t, 60*time.Second)
	e := newOrgEnv(t, sampleSpec, func(o *ssmsim.Options) {
		o.Faults.AccountRates = map[string]float64{member2: 0.0001}
	})
	p := e.plan(ctx, plan.DefaultStrategy)
	want := []string{member2 + "/eu-west-1 throttled", member2 + "/us-east-1 throttled", sandbox + "/eu-west-1 role", sandbox + "/us-east-1 role"}
	if got := failedKinds(p.Targets); !slices.Equal(got, want) {
		t.Fatalf("failed targets %v, want %v", got, want)
	}
	for _, tg := range p.FailedTargets() {
		if tg.Account == member2 && !strings.Contains(tg.Failure.Reason, "after every retry") {
			t.Errorf("throttled target's reason: %q", tg.Failure.Reason)
		}
	}
	res, err := Apply(ctx, e.applyInput(ctx, p, "20260302T091500Z-0000a1", t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	e.checkOutcomes(p, res.Report)
	if res.ExitCode() != ExitTargetFailed || len(res.Failed()) != 4 {
		t.Errorf("exit %d, failed %v", res.ExitCode(), failedKinds(res.Failed()))
	}
}

// Between plan and apply, one target's node changes and one account is
// suspended: those targets fail (stale; suspended) before anything is
// changed in them, and the rest is applied exactly as planned.
func TestStaleAndSuspendedTargetsFailAlone(t *testing.T) {
	ctx := testCtx(t, 60*time.Second)
	e := newOrgEnv(t, sampleSpec, nil)
	p := e.plan(ctx, plan.DefaultStrategy)
	var changed, region string
	for _, np := range p.Nodes {
		if np.Node.Account == member1 && len(np.Actions) > 0 {
			changed, region = np.Node.InstanceID, np.Node.Region
			break
		}
	}
	if changed == "" {
		t.Fatal("no node to fix in the first member account")
	}
	stale := member1 + "/" + region
	e.sim.WithAccountRegion(member1, region, func(r *ssmsim.Region) {
		r.UpdateNode(changed, func(n *ssmsim.Node) { n.PlatformVersion = "2023" })
	})
	e.sim.SetAccountStatus(member2, ssmsim.AccountSuspended)
	before := e.sim.Stats().Calls("CreateAssociation")
	res, err := Apply(ctx, e.applyInput(ctx, p, "20260302T091500Z-0000a2", t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, f := range res.Failed() {
		kinds[f.Key()] = f.Failure.Kind
	}
	if kinds[stale] != targets.KindStale {
		t.Errorf("changed target failed as %q, want stale", kinds[stale])
	}
	for _, r := range []string{"us-east-1", "eu-west-1"} {
		if k := kinds[member2+"/"+r]; k != targets.KindSuspended && hasWork(p, member2, r) {
			t.Errorf("suspended account's %s failed as %q, want suspended", r, k)
		}
	}
	v := verifiedIn(res.Report)
	for _, tg := range p.Targets {
		if tg.Failed() || tg.Account == member2 || tg.Key() == stale || tg.Summary.Fix == 0 {
			continue
		}
		if v[tg.Key()] == 0 {
			t.Errorf("%s: nothing verified; a failure elsewhere stopped it", tg.Key())
		}
	}
	for _, o := range res.Report.Outcomes {
		if o.Account+"/"+o.Region == stale {
			t.Errorf("the stale target has an outcome: %+v", o)
		}
	}
	if created := e.sim.Stats().Calls("CreateAssociation") - before; created == 0 {
		t.Error("nothing was created anywhere")
	}
}

func hasWork(p plan.Plan, account, region string) bool {
	for _, tg := range p.Targets {
		if tg.Account == account && tg.Region == region {
			return tg.Summary.Fix > 0
		}
	}
	return false
}

// A region the account has not enabled is a failed target of the plan.
func TestPlanReportsDisabledRegion(t *testing.T) {
	ctx := testCtx(t, 30*time.Second)
	e := newOrgEnv(t, targets.Spec{Accounts: []string{member1, member2}, Regions: []string{ssmsim.SampleOptInRegion}}, nil)
	p := e.plan(ctx, plan.DefaultStrategy)
	if got := failedKinds(p.Targets); !slices.Equal(got, []string{member2 + "/af-south-1 region-disabled"}) {
		t.Fatalf("failed %v", got)
	}
	if len(p.Targets) != 2 || p.Targets[0].Summary.Nodes == 0 {
		t.Errorf("targets %+v", p.Targets)
	}
}

// A run across the organization drained mid-apply stays resumable;
// resuming it finishes every target without creating anything twice.
func TestResumeAcrossOrganization(t *testing.T) {
	for _, strategy := range []plan.Strategy{"association", "maintenance-window"} {
		t.Run(string(strategy), func(t *testing.T) {
			ctx := testCtx(t, 60*time.Second)
			e := newOrgEnv(t, sampleSpec, nil)
			p := e.plan(ctx, strategy)
			dir := t.TempDir()
			const runID = "20260302T091500Z-0000a3"
			drain := make(chan struct{})
			var once sync.Once
			in := e.applyInput(ctx, p, runID, dir)
			in.Drain = drain
			in.OnProgress = func(pr converge.Progress) {
				if pr.Round >= 1 {
					once.Do(func() { close(drain) })
				}
			}
			res, err := Apply(ctx, in)
			if err != nil {
				t.Fatalf("drained apply: %v", err)
			}
			if res.Report.Resumable() == 0 {
				t.Fatal("the drain left nothing to resume: the test proves nothing")
			}
			if st, _ := remedy.ReadJournal(res.JournalPath); st.Finished {
				t.Fatal("a drained run is recorded finished")
			}
			created := e.sim.Stats().Calls("CreateAssociation") + e.sim.Stats().Calls("CreateMaintenanceWindow")

			in = e.applyInput(ctx, p, runID, dir)
			in.Resume = true
			res, err = Apply(ctx, in)
			if err != nil {
				t.Fatalf("resumed apply: %v", err)
			}
			e.checkOutcomes(p, res.Report)
			if n := e.sim.Stats().Calls("CreateAssociation") + e.sim.Stats().Calls("CreateMaintenanceWindow"); n != created {
				t.Errorf("creations went from %d to %d on resume", created, n)
			}
			st, _ := remedy.ReadJournal(res.JournalPath)
			if !st.Finished || st.ExitCode != ExitTargetFailed {
				t.Errorf("resumed run: finished %v exit %d", st.Finished, st.ExitCode)
			}
			// Nothing of the run is left in any target once it finished.
			e.checkCleanupFindsEverything(ctx, dir, runID, false)
		})
	}
}
