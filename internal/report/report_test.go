package report

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
)

func node(id, agent, name, version string) fleet.Node {
	return fleet.Node{InstanceID: id, PingStatus: fleet.PingOnline, AgentVersion: agent, IsLatestVersion: true,
		PlatformType: fleet.PlatformLinux, PlatformName: name, PlatformVersion: version}
}

func testPlan() plan.Plan {
	offline := node("i-4", "3.3.1142.0", "Ubuntu", "22.04")
	offline.PingStatus = fleet.PingConnectionLost
	nodes := []fleet.Node{
		node("i-1", "3.3.1142.0", "Ubuntu", "22.04"),
		node("i-2", "2.0.700.0", "Ubuntu", "22.04"),
		node("i-3", "3.3.1142.0", "CentOS", "6.3"),
		offline,
		node("i-5", "garbage", "Ubuntu", "20.04"),
		node("i-6", "3.2.100.0", "Ubuntu", "22.04"),
	}
	return plan.Build(nodes, nil, plan.Options{CreatedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Region: "eu-west-1", Rules: prereq.Default(), ProbeRan: true})
}

func TestVerdictsComeFromTheEnum(t *testing.T) {
	names := VerdictNames()
	for _, v := range []plan.Verdict{plan.Compliant, plan.Fix, plan.Blocked} {
		if !slices.Contains(names, v.String()) {
			t.Errorf("VerdictNames %v lacks %s", names, v)
		}
	}
	p := testPlan()
	pg := Build(p, Options{})
	got := map[string]int{}
	for _, c := range pg.Verdicts {
		got[c.Name] = c.N
	}
	want := map[string]int{"compliant": p.Summary.Compliant, "fix": p.Summary.Fix, "blocked": p.Summary.Blocked}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d, the plan's summary says %d", k, got[k], v)
		}
	}
	if len(pg.Verdicts) != len(names) {
		t.Errorf("every verdict is listed, zeros included: got %v", pg.Verdicts)
	}
}

func TestCausesAreRankedAndGeneric(t *testing.T) {
	p := testPlan()
	// A check the report has never heard of blocks two more nodes: it is
	// shown by its ID, counted and ranked like any other.
	for i := range p.Nodes[:2] {
		np := &p.Nodes[i]
		np.Checks = append(np.Checks, prereq.CheckResult{Check: "future-check", Status: "flaky", Reason: "the future says no"})
		np.BlockedBy = append(np.BlockedBy, "future-check")
		np.Verdict = plan.Blocked
	}
	pg := Build(p, Options{})
	if len(pg.Causes) == 0 || pg.Causes[0].Check != "future-check" || pg.Causes[0].Nodes != 2 || pg.Causes[0].Title != "future-check" {
		t.Fatalf("the new check should lead with 2 nodes: %+v", pg.Causes)
	}
	if r := pg.Causes[0].Reasons; len(r) != 1 || r[0] != (Count{"the future says no", 2}) {
		t.Errorf("reasons of the new check: %+v", r)
	}
	for _, c := range pg.Causes[1:] {
		if c.Advice == "" {
			t.Errorf("known check %s has no advice", c.Check)
		}
	}
	var row *StackRow
	for i := range pg.Checks.Rows {
		if pg.Checks.Rows[i].Label == "future-check" {
			row = &pg.Checks.Rows[i]
		}
	}
	if row == nil || !slices.Contains(pg.Checks.Keys, "flaky") {
		t.Fatalf("the checks chart lacks the new check or its status: %+v", pg.Checks)
	}
}

func TestAgentChartAgainstTheFloor(t *testing.T) {
	pg := Build(testPlan(), Options{})
	a := pg.Agents
	if a.Floor != "2.0.834.0" || a.Below != 1 || a.Unreadable != 1 || a.AtOrAbove != 4 {
		t.Fatalf("agent chart: %+v", a)
	}
	var labels []string
	for _, b := range a.Bins {
		labels = append(labels, fmt.Sprintf("%s=%d", b.Label, b.Nodes))
	}
	if got := strings.Join(labels, " "); got != "3.3.1142.0=3 3.2.100.0=1 2.0.700.0=1 none or unreadable=1" {
		t.Errorf("bins: %s", got)
	}

	// More versions than bars: families, split at the floor.
	var nodes []fleet.Node
	for i := range 30 {
		nodes = append(nodes, node(fmt.Sprintf("i-%02d", i), fmt.Sprintf("2.0.%d.0", 820+i), "Ubuntu", "22.04"))
	}
	p := plan.Build(nodes, nil, plan.Options{Rules: prereq.Default()})
	a = Build(p, Options{}).Agents
	if len(a.Bins) != 2 || a.Bins[0].Label != "2.0.x from 2.0.834.0" || a.Bins[0].Nodes != 16 ||
		a.Bins[1].Label != "2.0.x below 2.0.834.0" || a.Bins[1].Nodes != 14 || a.Bins[1].Position != BelowFloor {
		t.Errorf("family bins: %+v", a.Bins)
	}
}

func TestScopesOnlyWhenNodesCarryThem(t *testing.T) {
	p := testPlan()
	if pg := Build(p, Options{}); pg.Scopes != nil {
		t.Fatalf("nodes carry no account or region, yet a scope section: %+v", pg.Scopes)
	}
	scope := func(np plan.NodePlan) Scope {
		if np.Node.InstanceID < "i-4" {
			return Scope{Account: "111122223333", Region: "eu-west-1"}
		}
		return Scope{Account: "444455556666", Region: "us-east-1"}
	}
	pg := Build(p, Options{Scope: scope})
	if pg.Scopes == nil || len(pg.Scopes.Rows) != 2 || pg.Scopes.Rows[0].Label != "111122223333 / eu-west-1" || pg.Scopes.Rows[0].Total != 3 {
		t.Fatalf("scopes: %+v", pg.Scopes)
	}
}

func TestReadRun(t *testing.T) {
	journal := `{"time":"2026-03-02T09:00:00Z","kind":"run-started","run_id":"r1","fingerprint":"f","strategy":"association"}
{"time":"2026-03-02T09:00:01Z","kind":"resource-created","resource":{"type":"association","id":"a1"}}
{"time":"2026-03-02T09:02:00Z","kind":"node","instance_id":"i-2","state":"verified"}
{"time":"2026-03-02T09:03:00Z","kind":"node","instance_id":"i-1","state":"failed","reason":"agent update failed (Failed)"}
{"time":"2026-03-02T09:04:00Z","kind":"node","instance_id":"i-3","state":"verified"}
{"time":"2026-03-02T09:05:00Z","kind":"run-finished","exit_code":3}
{"time":"2026-03-02T09:05:0`
	r, err := ReadRun(strings.NewReader(journal))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "r1" || !r.Finished || r.ExitCode != 3 || r.Ended.Sub(r.Started) != 5*time.Minute {
		t.Errorf("run: %+v", r)
	}
	if fmt.Sprint(r.Verified) != "[{2m0s 1} {4m0s 2}]" || fmt.Sprint(r.NotVerified) != "[{3m0s 1}]" {
		t.Errorf("series: verified %v, otherwise %v", r.Verified, r.NotVerified)
	}
	if len(r.Failures) != 1 || r.Failures[0].InstanceID != "i-1" || r.Nodes["i-3"].RunID != "r1" {
		t.Errorf("failures %+v, nodes %+v", r.Failures, r.Nodes)
	}
	if _, err := ReadRun(strings.NewReader("{bad\n{}\n")); err == nil {
		t.Error("a bad line followed by more lines must be an error")
	}
	if _, err := ReadRun(strings.NewReader("")); err == nil {
		t.Error("an empty journal must be an error")
	}
}

// An EC2 instance SSM does not manage counts under its verdict, and not
// as a node whose agent cannot be read: SSM reports no agent for it.
func TestUnmanagedInstancesAreNotUnreadableAgents(t *testing.T) {
	p := testPlan()
	un := fleet.Node{InstanceID: "i-9", ResourceType: "EC2Instance", PlatformType: fleet.PlatformLinux, PlatformName: "Linux/UNIX",
		EC2: &fleet.EC2Facts{State: fleet.EC2Running, MetadataEndpoint: "enabled", HostManagement: fleet.HostManagementOff}}
	nodes := []fleet.Node{un}
	for _, np := range p.Nodes {
		nodes = append(nodes, np.Node)
	}
	pg := Build(plan.Build(nodes, nil, plan.Options{Rules: prereq.Default(), ProbeRan: true}), Options{})
	if a := pg.Agents; a.Unreadable != 1 || a.Below+a.AtOrAbove+a.Unreadable != 6 {
		t.Errorf("agent chart counts the unmanaged instance: %+v", a)
	}
	for _, c := range pg.Verdicts {
		if c.Name == "unmanaged" && c.N != 1 {
			t.Errorf("unmanaged verdicts: %d, want 1", c.N)
		}
	}
}
