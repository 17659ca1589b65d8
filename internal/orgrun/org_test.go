package orgrun

import (
	"context"
	"slices"
	"testing"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
	"github.com/patchready/patchready/internal/targets"
)

var sampleSpec = targets.Spec{Org: true, Regions: []string{"us-east-1", "eu-west-1"}}

// One plan across the organization: three accounts × two regions planned,
// the account without the role recorded as failed in both regions with
// why, and every node carrying its account and region.
func TestPlanAcrossOrganization(t *testing.T) {
	e := newOrgEnv(t, sampleSpec, nil)
	p := e.plan(context.Background(), plan.DefaultStrategy)
	var planned, failed []string
	for _, tg := range p.Targets {
		if tg.Failed() {
			failed = append(failed, tg.Key()+" "+tg.Failure.Kind)
		} else {
			planned = append(planned, tg.Key())
		}
	}
	wantPlanned := []string{mgmt + "/eu-west-1", mgmt + "/us-east-1", member1 + "/eu-west-1", member1 + "/us-east-1", member2 + "/eu-west-1", member2 + "/us-east-1"}
	wantFailed := []string{sandbox + "/eu-west-1 role", sandbox + "/us-east-1 role"}
	if !slices.Equal(planned, wantPlanned) || !slices.Equal(failed, wantFailed) {
		t.Fatalf("planned %v\nfailed %v", planned, failed)
	}
	total := 0
	for _, tg := range p.Targets {
		n := 0
		e.sim.WithAccountRegion(tg.Account, tg.Region, func(r *ssmsim.Region) { n = r.Len() })
		if !tg.Failed() && tg.Summary.Nodes != n {
			t.Errorf("%s: %d nodes planned, the simulator holds %d", tg.Key(), tg.Summary.Nodes, n)
		}
		total += tg.Summary.Nodes
	}
	if p.Summary.Nodes != total || total == 0 || !p.HasChanges() {
		t.Errorf("plan summary %+v, targets hold %d nodes", p.Summary, total)
	}
	for _, np := range p.Nodes {
		if _, ok := e.node(np.Node.Account, np.Node.Region, np.Node.InstanceID); !ok {
			t.Errorf("node %s says it is in %s/%s; it is not", np.Node.InstanceID, np.Node.Account, np.Node.Region)
		}
	}
}

// apply across the organization, each strategy: every node of every
// reached target fixed and verified (but those built to fail), the broken
// account reported, exit code 4; then cleanup finds every resource the
// targets' journals say is left (the associations were kept).
func TestApplyAcrossOrganizationEachStrategy(t *testing.T) {
	for _, strategy := range []plan.Strategy{"association", "maintenance-window", "run-command"} {
		t.Run(string(strategy), func(t *testing.T) {
			ctx := context.Background()
			e := newOrgEnv(t, sampleSpec, nil)
			p := e.plan(ctx, strategy)
			dir := t.TempDir()
			in := e.applyInput(ctx, p, "20260302T091500Z-a1b2c3", dir)
			in.Keep = true
			res, err := Apply(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			e.checkOutcomes(p, res.Report)
			if res.ExitCode() != ExitTargetFailed {
				t.Errorf("exit code %d, want %d (the sandbox account failed)", res.ExitCode(), ExitTargetFailed)
			}
			var failed []string
			for _, f := range res.Failed() {
				failed = append(failed, f.Key()+" "+f.Failure.Kind)
			}
			if !slices.Equal(failed, []string{sandbox + "/eu-west-1 role", sandbox + "/us-east-1 role"}) {
				t.Errorf("failed targets %v", failed)
			}
			verified := 0
			for _, o := range res.Report.Outcomes {
				if o.State == "verified" {
					verified++
				}
			}
			if verified < res.Nodes*3/4 {
				t.Errorf("only %d of %d nodes verified", verified, res.Nodes)
			}
			// The journal records every target that had work or failed.
			recorded := 0
			for _, tg := range p.Targets {
				if tg.Failed() || tg.Summary.Fix > 0 {
					recorded++
				}
			}
			st, err := remedy.ReadJournal(res.JournalPath)
			if err != nil || !st.Finished || st.ExitCode != ExitTargetFailed || len(st.Targets) != recorded {
				t.Fatalf("run journal: finished %v exit %d, %d targets (want %d), %v", st.Finished, st.ExitCode, len(st.Targets), recorded, err)
			}
			// Run Command leaves nothing to remove: its commands are history.
			e.checkCleanupFindsEverything(ctx, dir, res.RunID, strategy != "run-command")
		})
	}
}
