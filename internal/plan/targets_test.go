package plan

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/fleet"
)

// targetPlan is one target's plan as engine.MakePlan makes it: n nodes,
// every other one below the agent floor.
func targetPlan(account, region string, n int) Plan {
	var nodes []fleet.Node
	for i := range n {
		agent := "3.3.1142.0"
		if i%2 == 0 {
			agent = "2.0.700.0"
		}
		nodes = append(nodes, node(fmt.Sprintf("i-%s%03d", account[len(account)-2:], i), agent, "Ubuntu", "22.04"))
	}
	o := opts()
	o.Account, o.Region = account, region
	return Build(nodes, nil, o)
}

// mergedFixture is a plan across two accounts and two regions, one target
// of which failed; the same instance ID lives in two targets.
func mergedFixture() (Plan, []Part) {
	a := targetPlan("111111111111", "us-east-1", 3)
	b := targetPlan("222222222222", "eu-west-1", 120) // 60 to fix: two agent batches
	c := targetPlan("222222222222", "us-east-1", 2)
	c.Nodes[0].Node.InstanceID = a.Nodes[0].Node.InstanceID
	oc := opts()
	oc.Account, oc.Region = c.Account, c.Region
	c = Build([]fleet.Node{c.Nodes[0].Node, c.Nodes[1].Node}, nil, oc)
	parts := []Part{
		{Target: Target{Account: "222222222222", AccountName: "workload", Region: "eu-west-1"}, Plan: &b},
		{Target: Target{Account: "111111111111", Region: "us-east-1"}, Plan: &a},
		{Target: Target{Account: "333333333333", Region: "us-east-1", Failure: &TargetFailure{Kind: "role", Reason: "cannot assume the role"}}},
		{Target: Target{Account: "222222222222", Region: "us-east-1"}, Plan: &c},
	}
	o := opts()
	o.Region, o.Account = "", ""
	return Merge(parts, o), parts
}

func TestMergeRecordsTargetsAndKeepsBatchesWithin(t *testing.T) {
	p, parts := mergedFixture()
	if p.FormatVersion != "2.1" || p.Region != "" || p.Account != "" {
		t.Errorf("header: format %s region %q account %q", p.FormatVersion, p.Region, p.Account)
	}
	var keys []string
	for _, tg := range p.Targets {
		keys = append(keys, tg.Key())
	}
	want := []string{"111111111111/us-east-1", "222222222222/eu-west-1", "222222222222/us-east-1", "333333333333/us-east-1"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("targets %v, want %v", keys, want)
	}
	if p.Summary.Nodes != 125 || p.Summary.Fix != 2+60+1 {
		t.Errorf("summary %+v", p.Summary)
	}
	for _, part := range parts {
		for _, tg := range p.Targets {
			if tg.Key() != part.Target.Key() {
				continue
			}
			if part.Plan == nil {
				if !tg.Failed() || tg.Failure.Kind != "role" || tg.Fingerprint != "" {
					t.Errorf("%s: failed target recorded as %+v", tg.Key(), tg)
				}
				continue
			}
			if tg.Failed() || tg.Fingerprint != part.Plan.Fingerprint || !reflect.DeepEqual(tg.Summary, part.Plan.Summary) {
				t.Errorf("%s: summary %+v fingerprint %s; its own plan says %+v %s", tg.Key(), tg.Summary, tg.Fingerprint, part.Plan.Summary, part.Plan.Fingerprint)
			}
		}
	}
	for _, b := range p.Batches {
		for _, id := range b.InstanceIDs {
			found := false
			for _, np := range p.Nodes {
				if np.Node.InstanceID == id && np.Node.Account == b.Account && np.Node.Region == b.Region {
					found = true
				}
			}
			if !found {
				t.Errorf("batch in %s/%s holds %s, which is not a node of that target", b.Account, b.Region, id)
			}
		}
	}
	if got := len(p.Batches); got != 1+2+1 {
		t.Errorf("%d batches, want 4: one per planned target, two for the 60 nodes to fix in eu-west-1", got)
	}
}

// Split gives back each target's plan exactly as it was made, so that
// apply runs in each target what a plan of that target alone would run.
func TestSplitUndoesMerge(t *testing.T) {
	p, parts := mergedFixture()
	got := Split(p)
	if len(got) != 4 {
		t.Fatalf("%d parts, want 4", len(got))
	}
	byKey := map[string]Part{}
	for _, part := range parts {
		byKey[part.Target.Key()] = part
	}
	for _, g := range got {
		orig := byKey[g.Target.Key()]
		if orig.Plan == nil {
			if g.Plan != nil {
				t.Errorf("%s: failed target split into a plan", g.Target.Key())
			}
			continue
		}
		want := *orig.Plan
		got := *g.Plan
		// The header is the merged plan's: tool version and time.
		want.ToolVersion, want.CreatedAt, want.Selection = got.ToolVersion, got.CreatedAt, got.Selection
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: split plan differs from the target's own:\n got %+v\nwant %+v", g.Target.Key(), got.Batches, want.Batches)
		}
	}
}

func TestPlanWithTargetsSavesAndLoads(t *testing.T) {
	p, _ := mergedFixture()
	data := saved(t, p)
	if !bytes.Contains(data, []byte(`"format_version": "2.1"`)) || !bytes.Contains(data, []byte(`"targets": [`)) {
		t.Fatalf("saved plan lacks its format or targets:\n%.400s", data)
	}
	legacy, err := legacySave(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, legacy) {
		t.Fatal("Save of a plan with targets differs from MarshalIndent of it")
	}
	got, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Targets, p.Targets) || got.Fingerprint != p.Fingerprint || len(got.Nodes) != len(p.Nodes) {
		t.Error("loaded plan differs from the saved one")
	}
}

// A plan of one account and region is written as before 2.1, so an older
// patchready reads it and nothing changes for one-account users.
func TestPlanOfOneTargetKeepsFormat20(t *testing.T) {
	data := saved(t, samplePlan())
	if bytes.Contains(data, []byte(`"targets"`)) || !bytes.Contains(data, []byte(`"format_version": "2.0"`)) {
		t.Errorf("one-target plan is not a 2.0 plan without targets:\n%.300s", data)
	}
	// Only the plan itself names its account and region.
	if n := bytes.Count(data, []byte(`"region":`)); n != 1 {
		t.Errorf("%d region members; want only the plan's", n)
	}
}

// A plan that says a node or batch lives in a target it does not record,
// or in a failed one, is refused: apply splits by targets.
func TestLoadRefusesNodesOutsideTargets(t *testing.T) {
	for name, edit := range map[string]func(*Plan){
		"node in failed target":   func(p *Plan) { p.Nodes[0].Node.Account = "333333333333" },
		"batch in unknown target": func(p *Plan) { p.Batches[0].Region = "ap-south-1" },
		"target without region":   func(p *Plan) { p.Targets[0].Region = "" },
	} {
		t.Run(name, func(t *testing.T) {
			p, _ := mergedFixture()
			edit(&p)
			_, err := Load(bytes.NewReader(saved(t, p)))
			if err == nil || !strings.Contains(err.Error(), "not a valid patchready plan") {
				t.Fatalf("Load err = %v", err)
			}
		})
	}
}

func TestNarrowAcrossTargets(t *testing.T) {
	p, _ := mergedFixture()
	dup := p.Nodes[0].Node.InstanceID // in 111111111111 and 222222222222/us-east-1
	n, err := Narrow(p, fleet.Selection{InstanceIDs: []string{dup}})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Nodes) != 2 || n.Nodes[0].Node.Account == n.Nodes[1].Node.Account {
		t.Fatalf("narrowed to %d nodes; want the ID in both accounts", len(n.Nodes))
	}
	if len(n.Targets) != 4 || n.Targets[1].Summary.Nodes != 0 || n.Targets[0].Summary.Nodes != 1 {
		t.Errorf("targets after narrowing: %+v", n.Targets)
	}
	if n.Fingerprint == p.Fingerprint {
		t.Error("narrowing kept the fingerprint")
	}
	only := NarrowTargets(p, func(tg Target) bool { return tg.Account == "222222222222" })
	if len(only.Targets) != 2 || only.Summary.Nodes != 122 {
		t.Errorf("NarrowTargets: %d targets, %d nodes", len(only.Targets), only.Summary.Nodes)
	}
	for _, b := range only.Batches {
		if b.Account != "222222222222" {
			t.Errorf("batch of %s left in", b.Account)
		}
	}
}

// The fingerprint of a plan with targets changes when any target's facts
// change, even when the same instance ID lives in two targets.
func TestTargetsFingerprint(t *testing.T) {
	p, _ := mergedFixture()
	q, _ := mergedFixture()
	if p.Fingerprint != q.Fingerprint {
		t.Fatal("fingerprint is not deterministic")
	}
	for i := range q.Nodes {
		if q.Nodes[i].Node.Account == "222222222222" && q.Nodes[i].Node.Region == "us-east-1" {
			q.Nodes[i].Node.AgentVersion = "3.3.1142.0"
		}
	}
	q.refresh()
	if p.Fingerprint == q.Fingerprint {
		t.Error("a changed agent in one target left the plan's fingerprint unchanged")
	}
}

// Equal check results end up as one shared list; different ones stay
// apart, and the plan reads the same.
func TestChecksTableShares(t *testing.T) {
	a := targetPlan("111111111111", "us-east-1", 40)
	b := targetPlan("222222222222", "us-east-1", 40)
	want := saved(t, a)
	tbl := NewChecksTable()
	tbl.Share(a.Nodes)
	tbl.Share(b.Nodes)
	if tbl.Len() != 2 {
		t.Errorf("%d distinct lists, want 2 (below and at the agent floor)", tbl.Len())
	}
	if &a.Nodes[0].Checks[0] != &b.Nodes[0].Checks[0] || &a.Nodes[0].Checks[0] == &a.Nodes[1].Checks[0] {
		t.Error("equal results are not shared, or different ones are")
	}
	if got := saved(t, a); !bytes.Equal(got, want) {
		t.Error("sharing changed the plan")
	}
}
