package plan

import (
	"errors"
	"slices"
	"testing"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
)

func narrowFixture() Plan {
	node := func(id, platform, agent string) fleet.Node {
		n := fleet.Node{InstanceID: id, PingStatus: fleet.PingOnline, AgentVersion: agent, PlatformType: platform, PlatformName: "Ubuntu", PlatformVersion: "22.04"}
		if platform == fleet.PlatformWindows {
			n.PlatformName, n.PlatformVersion = "Microsoft Windows Server 2019 Datacenter", "10.0.17763"
		}
		return n
	}
	nodes := []fleet.Node{
		node("i-00000001", fleet.PlatformLinux, "2.0.700.0"),
		node("i-00000002", fleet.PlatformLinux, "2.0.700.0"),
		node("i-00000003", fleet.PlatformWindows, "2.0.700.0"),
		node("i-00000004", fleet.PlatformLinux, "3.3.1142.0"),
	}
	return Build(nodes, nil, Options{Region: "us-east-1", Rules: prereq.Default()})
}

func TestNarrow(t *testing.T) {
	p := narrowFixture()
	if p.Summary.Fix != 3 {
		t.Fatalf("fixture: %d to fix, want 3", p.Summary.Fix)
	}
	cases := []struct {
		name    string
		sel     fleet.Selection
		kept    []string
		targets []string
	}{
		{"exclude", fleet.Selection{ExcludeInstanceIDs: []string{"i-00000001", "i-00000002"}}, []string{"i-00000003", "i-00000004"}, []string{"i-00000003"}},
		{"instance ids", fleet.Selection{InstanceIDs: []string{"i-00000002", "i-00000004"}}, []string{"i-00000002", "i-00000004"}, []string{"i-00000002"}},
		{"platform", fleet.Selection{Platform: fleet.PlatformWindows}, []string{"i-00000003"}, []string{"i-00000003"}},
		{"all of them", fleet.Selection{}, []string{"i-00000001", "i-00000002", "i-00000003", "i-00000004"}, []string{"i-00000001", "i-00000002", "i-00000003"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := Narrow(p, c.sel)
			if err != nil {
				t.Fatal(err)
			}
			var kept, targets []string
			for _, np := range n.Nodes {
				kept = append(kept, np.Node.InstanceID)
			}
			for _, b := range n.Batches {
				targets = append(targets, b.InstanceIDs...)
			}
			if !slices.Equal(kept, c.kept) || !slices.Equal(targets, c.targets) {
				t.Errorf("kept %v targets %v, want %v and %v", kept, targets, c.kept, c.targets)
			}
			if n.Summary.Nodes != len(c.kept) || n.Summary.Fix != len(c.targets) {
				t.Errorf("summary %+v", n.Summary)
			}
			var facts []fleet.Node
			for _, np := range n.Nodes {
				facts = append(facts, np.Node)
			}
			if n.Fingerprint != FactsFingerprint(facts) {
				t.Error("the fingerprint is not the kept nodes'")
			}
		})
	}
	// The original is untouched.
	if len(p.Nodes) != 4 || p.Summary.Fix != 3 {
		t.Errorf("Narrow changed its input: %+v", p.Summary)
	}
}

func TestNarrowRefuses(t *testing.T) {
	p := narrowFixture()
	_, err := Narrow(p, fleet.Selection{InstanceIDs: []string{"i-00000001", "i-0000000f"}})
	var nip *NotInPlanError
	if !errors.As(err, &nip) || !slices.Equal(nip.IDs, []string{"i-0000000f"}) {
		t.Errorf("an ID the plan lacks: %v", err)
	}
	if _, err := Narrow(p, fleet.Selection{Tags: []fleet.Tag{{Key: "Env", Value: "prod"}}}); !errors.Is(err, ErrNarrowByTag) {
		t.Errorf("a tag: %v", err)
	}
}
