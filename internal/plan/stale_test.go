package plan

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/fleet"
)

func TestFactsFingerprint(t *testing.T) {
	a := node("i-a", "2.0.700.0", "Ubuntu", "22.04")
	b := withProbe(node("i-b", "3.3.1142.0", "Amazon Linux", "2"), proxied("2.6.0"))
	base := FactsFingerprint([]fleet.Node{a, b})
	if !strings.HasPrefix(base, "sha256:") || len(base) != len("sha256:")+64 {
		t.Fatalf("fingerprint %q", base)
	}
	if got := FactsFingerprint([]fleet.Node{b, a}); got != base {
		t.Error("fingerprint depends on node order")
	}
	if FactsFingerprint(nil) != FactsFingerprint([]fleet.Node{}) || FactsFingerprint(nil) == base {
		t.Error("empty fleet fingerprint is not well defined")
	}
	change := func(f func(*fleet.Node)) string {
		bb := b
		pf := *b.Probe
		bb.Probe = &pf
		f(&bb)
		return FactsFingerprint([]fleet.Node{a, bb})
	}
	sensitive := map[string]func(*fleet.Node){
		"ping":             func(n *fleet.Node) { n.PingStatus = fleet.PingConnectionLost },
		"agent":            func(n *fleet.Node) { n.AgentVersion = "3.3.1142.1" },
		"platform name":    func(n *fleet.Node) { n.PlatformName = "Amazon Linux AMI" },
		"platform version": func(n *fleet.Node) { n.PlatformVersion = "2023" },
		"proxied":          func(n *fleet.Node) { n.Probe.Proxied = false },
		"requests":         func(n *fleet.Node) { n.Probe.RequestsVersion = "2.31.0" },
		"probe status":     func(n *fleet.Node) { n.Probe.Status = fleet.ProbeFailed },
		"probe gone":       func(n *fleet.Node) { n.Probe = nil },
		"id":               func(n *fleet.Node) { n.InstanceID = "i-c" },
	}
	for name, f := range sensitive {
		t.Run("changes with "+name, func(t *testing.T) {
			if change(f) == base {
				t.Fatal("fingerprint did not change")
			}
		})
	}
	insensitive := map[string]func(*fleet.Node){
		"is latest":    func(n *fleet.Node) { n.IsLatestVersion = !n.IsLatestVersion },
		"computer":     func(n *fleet.Node) { n.ComputerName = "web-1" },
		"proxy scheme": func(n *fleet.Node) { n.Probe.ProxyScheme = "https" },
	}
	for name, f := range insensitive {
		t.Run("ignores "+name, func(t *testing.T) {
			if change(f) != base {
				t.Fatal("fingerprint changed")
			}
		})
	}
	// Field boundaries cannot be shifted to forge a collision.
	x := node("i-a", "1", "", "")
	y := node("i-a", "", "1", "")
	if FactsFingerprint([]fleet.Node{x}) == FactsFingerprint([]fleet.Node{y}) {
		t.Error("collision across field boundaries")
	}
}

func TestDiff(t *testing.T) {
	a := node("i-a", "2.0.700.0", "Ubuntu", "22.04")
	b := withProbe(node("i-b", "3.3.1142.0", "Amazon Linux", "2"), proxied("2.6.0"))
	p := Build([]fleet.Node{a, b}, nil, opts())

	a2 := a
	a2.AgentVersion = "3.3.1142.0"
	c := node("i-c", "3.3.1142.0", "Ubuntu", "22.04")
	got := Diff(p, []fleet.Node{c, a2})
	want := []FactChange{
		{InstanceID: "i-a", Kind: FactChanged, Fact: "agent_version", Old: "2.0.700.0", New: "3.3.1142.0"},
		{InstanceID: "i-b", Kind: NodeMissing},
		{InstanceID: "i-c", Kind: NodeNew},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("diff = %+v\nwant   %+v", got, want)
	}
	if len(Diff(p, []fleet.Node{b, a})) != 0 {
		t.Error("diff of identical facts is not empty")
	}
}

func TestCheckStale(t *testing.T) {
	fix := node("i-fix", "2.0.700.0", "Ubuntu", "22.04")
	ok := node("i-ok", "3.3.1142.0", "Ubuntu", "22.04")
	req := withProbe(node("i-req", "3.3.1142.0", "Amazon Linux", "2"), proxied("2.6.0"))
	o := opts()
	o.Selection = fleet.Selection{Tags: []fleet.Tag{{Key: "env", Value: "prod"}}}
	p := Build([]fleet.Node{fix, ok, req}, nil, o)

	fixed := fix
	fixed.AgentVersion = "3.3.1142.0"
	okGone := ok
	okGone.PingStatus = fleet.PingConnectionLost
	reqUpgraded := req
	pf := *req.Probe
	pf.RequestsVersion = "2.31.0"
	reqUpgraded.Probe = &pf
	newNode := node("i-new", "2.0.700.0", "Ubuntu", "22.04")

	tests := []struct {
		name    string
		current []fleet.Node
		want    string // "" = not stale
	}{
		{"unchanged", []fleet.Node{req, ok, fix}, ""},
		{"change on a compliant node and a new node do not matter", []fleet.Node{fix, okGone, req, newNode}, ""},
		{"targeted node's agent changed", []fleet.Node{fixed, ok, req}, "  ~ i-fix: agent_version 2.0.700.0 → 3.3.1142.0"},
		{"targeted node's requests changed", []fleet.Node{fix, ok, reqUpgraded}, "  ~ i-req: requests_version 2.6.0 → 2.31.0"},
		{"targeted node vanished", []fleet.Node{ok, req}, "  ~ i-fix: no longer found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckStale(p, tt.current)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("stale: %v", err)
				}
				return
			}
			var se *StaleError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *StaleError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "Saved plan is stale\n") || !strings.Contains(msg, tt.want) ||
				!strings.Contains(msg, "Selection: --tag env=prod") {
				t.Fatalf("message:\n%s\nwant it to contain %q", msg, tt.want)
			}
		})
	}
}

func TestDescribeSelection(t *testing.T) {
	tests := []struct {
		sel  fleet.Selection
		want string
	}{
		{fleet.Selection{}, "all managed nodes in the region"},
		{fleet.Selection{Platform: "Linux", ExcludeInstanceIDs: []string{"i-1"}}, "--platform Linux --exclude-instance-ids i-1"},
		{fleet.Selection{InstanceIDs: []string{"i-1", "i-2", "i-3", "i-4", "i-5", "i-6"}}, "--instance-ids i-1,i-2,i-3,i-4,i-5,… (6 in all)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := DescribeSelection(tt.sel); got != tt.want {
				t.Fatalf("got %q", got)
			}
		})
	}
}
