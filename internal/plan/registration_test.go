package plan

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/unmanaged"
)

func ec2Node(id string, mod func(*fleet.EC2Facts)) fleet.Node {
	f := &fleet.EC2Facts{State: fleet.EC2Running, MetadataEndpoint: "enabled", HostManagement: fleet.HostManagementOff}
	if mod != nil {
		mod(f)
	}
	return fleet.Node{InstanceID: id, ResourceType: "EC2Instance", PlatformType: fleet.PlatformLinux, PlatformName: "Linux/UNIX", EC2: f}
}

// unmanagedPlan holds a managed node to fix and three unmanaged instances:
// one without credentials, one stopped, one whose role lacks the policy.
func unmanagedPlan(fixes unmanaged.Options) Plan {
	o := opts()
	o.Fixes = fixes
	o.Unmanaged = &unmanaged.Region{Searched: true, Instances: 4, Unmanaged: 3,
		HostManagement: unmanaged.HostManagement{State: fleet.HostManagementOff, Setting: unmanaged.HostManagementOffValue,
			Documented: unmanaged.RoleState{Name: unmanaged.HostManagementRoleName}}}
	if fixes.AttachProfile != "" {
		o.Unmanaged.Profile = &unmanaged.Profile{Name: fixes.AttachProfile, Role: fixes.AttachProfile}
	}
	nodes := []fleet.Node{
		node("i-0b", "2.0.700.0", "Ubuntu", "22.04"),
		ec2Node("i-0e1", nil),
		ec2Node("i-0e2", func(f *fleet.EC2Facts) { f.State = fleet.EC2Stopped }),
		ec2Node("i-0e3", func(f *fleet.EC2Facts) { f.Profile, f.Role, f.RoleProblem = "app", "app", fleet.RoleNoSSMPolicy }),
	}
	evals := prereq.Evaluate(nodes[:1], o.Rules)
	return Build(nodes, evals, o)
}

func TestBuildUnmanaged(t *testing.T) {
	p := unmanagedPlan(unmanaged.Options{})
	if p.Summary.Unmanaged != 3 || p.Summary.Register != 0 || p.Summary.Fix != 1 {
		t.Errorf("summary = %+v", p.Summary)
	}
	for _, np := range p.Nodes[1:] {
		if np.Verdict != Unmanaged || np.Unmanaged == nil || len(np.Reasons) == 0 || len(np.Checks) != 0 || len(np.Actions) != 0 {
			t.Errorf("%s: %+v", np.Node.InstanceID, np)
		}
	}
	if got := p.Nodes[2].Reasons[0]; !strings.HasPrefix(got, "stopped:") {
		t.Errorf("stopped instance's reason = %q", got)
	}
	r := p.Registration
	if r == nil || len(r.Fixes) != 3 || r.Then != "" {
		t.Fatalf("registration = %+v", r)
	}
	for _, fp := range r.Fixes {
		if fp.Requested || !strings.HasPrefix(fp.Does, "would ") {
			t.Errorf("%s not asked for, yet: %+v", fp.Kind, fp)
		}
	}
	// Without a fix the plan changes nothing on the unmanaged instances.
	if got := []string{p.Batches[0].InstanceIDs[0]}; len(p.Batches) != 1 || got[0] != "i-0b" {
		t.Errorf("batches = %+v", p.Batches)
	}

	asked := unmanagedPlan(unmanaged.Options{EnableDHMC: true, FixRole: true})
	if asked.Summary.Register != 2 || !asked.HasChanges() {
		t.Errorf("summary = %+v", asked.Summary)
	}
	if got := asked.Nodes[1].Unmanaged.Fixes; !slices.Equal(got, []unmanaged.FixKind{unmanaged.EnableDHMC}) {
		t.Errorf("i-0e1 fixes = %v", got)
	}
	if got := asked.Nodes[3].Unmanaged.Fixes; !slices.Equal(got, []unmanaged.FixKind{unmanaged.FixRole, unmanaged.EnableDHMC}) {
		t.Errorf("i-0e3 fixes = %v", got)
	}
	if !strings.Contains(asked.Registration.Then, "updates its agent (strategy association)") {
		t.Errorf("then = %q", asked.Registration.Then)
	}
	// The fingerprint depends on the facts, not on the fixes asked for;
	// an unmanaged instance's facts are among them.
	if asked.Fingerprint != p.Fingerprint {
		t.Error("asking for fixes changed the fingerprint")
	}
	changed := p.Nodes[1].Node
	f := *changed.EC2
	f.HostManagement = fleet.HostManagementOn
	changed.EC2 = &f
	if FactsFingerprint([]fleet.Node{p.Nodes[0].Node, changed, p.Nodes[2].Node, p.Nodes[3].Node}) == p.Fingerprint {
		t.Error("the fingerprint ignores Default Host Management")
	}
}

// A plan whose only change is a registration fix has changes, and a fix
// that cannot work is taken off the nodes.
func TestBuildDropsAFixThatCannotWork(t *testing.T) {
	o := opts()
	o.Fixes = unmanaged.Options{AttachProfile: "gone"}
	o.Unmanaged = &unmanaged.Region{Searched: true, Profile: &unmanaged.Profile{Name: "gone", Problem: unmanaged.ProfileMissing}}
	p := Build([]fleet.Node{ec2Node("i-0e1", nil)}, nil, o)
	if p.Nodes[0].Registers() || p.HasChanges() {
		t.Errorf("a missing profile is still planned: %+v", p.Nodes[0].Unmanaged)
	}
	if fp := p.Registration.Fixes[0]; !fp.Requested || fp.Cannot != "instance profile gone does not exist" {
		t.Errorf("fix plan = %+v", fp)
	}
}

func TestUnmanagedPlanSavesLoadsAndNarrows(t *testing.T) {
	p := unmanagedPlan(unmanaged.Options{AttachProfile: "ssm", FixRole: true})
	data := saved(t, p)
	want, err := legacySave(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Fatalf("Save wrote\n%s\nwant\n%s", data, want)
	}
	got, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got.Registration == nil || len(got.Registration.Fixes) != 3 || got.Nodes[1].Node.EC2 == nil || got.Nodes[1].Unmanaged == nil {
		t.Fatalf("loaded plan lost its unmanaged part: %+v", got.Registration)
	}
	n, err := Narrow(got, fleet.Selection{InstanceIDs: []string{"i-0e3"}})
	if err != nil {
		t.Fatal(err)
	}
	if n.Summary.Register != 1 || len(n.Registration.Fixes) != 2 || n.Registration.Fixes[0].Kind != unmanaged.FixRole ||
		!slices.Equal(n.Registration.Fixes[0].InstanceIDs, []string{"i-0e3"}) {
		t.Errorf("narrowed registration = %+v, summary %+v", n.Registration, n.Summary)
	}
}

func TestStaleUnmanaged(t *testing.T) {
	p := unmanagedPlan(unmanaged.Options{EnableDHMC: true})
	cur := []fleet.Node{p.Nodes[0].Node, p.Nodes[1].Node, p.Nodes[3].Node}
	if err := CheckStale(p, cur); err != nil {
		t.Fatalf("unchanged plan is stale: %v", err)
	}
	on := ec2Node("i-0e1", func(f *fleet.EC2Facts) { f.HostManagement = fleet.HostManagementOn })
	registered := node("i-0e3", "3.3.1142.0", "Amazon Linux", "2")
	err := CheckStale(p, []fleet.Node{p.Nodes[0].Node, on, registered})
	var se *StaleError
	if !errors.As(err, &se) || len(se.Changes) != 2 {
		t.Fatalf("err = %v", err)
	}
	if s := se.Changes[0].String(); s != "i-0e1: host_management off → on" {
		t.Errorf("change = %q", s)
	}
	if s := se.Changes[1].String(); s != "i-0e3: managed no → \"yes: registered with SSM since the plan was made\"" {
		t.Errorf("change = %q", s)
	}
}
