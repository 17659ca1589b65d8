package plan

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
)

var created = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func opts() Options {
	return Options{ToolVersion: "0.1.0", CreatedAt: created, Region: "eu-west-1", Account: "123456789012",
		Prereqs: prereq.Default(), ProbeRan: true}
}

func node(id, agent, name, version string) fleet.Node {
	ptype := fleet.PlatformLinux
	if name == "Microsoft Windows Server 2019 Datacenter" {
		ptype = fleet.PlatformWindows
	}
	return fleet.Node{InstanceID: id, PingStatus: fleet.PingOnline, AgentVersion: agent, IsLatestVersion: true,
		PlatformType: ptype, PlatformName: name, PlatformVersion: version}
}

func withProbe(n fleet.Node, pf fleet.ProbeFacts) fleet.Node { n.Probe = &pf; return n }

func proxied(req string) fleet.ProbeFacts {
	return fleet.ProbeFacts{Status: fleet.ProbeOK, Proxied: true, ProxyScheme: "http", NoProxyHasIMDS: true, RequestsVersion: req}
}

func TestBuildVerdicts(t *testing.T) {
	offline := node("i-offline", "3.3.1142.0", "Ubuntu", "22.04")
	offline.PingStatus = fleet.PingConnectionLost
	behind := node("i-outdated", "3.3.1142.0", "Ubuntu", "22.04")
	behind.IsLatestVersion = false
	tests := []struct {
		name        string
		node        fleet.Node
		wantVerdict Verdict
		wantActions []ActionKind
		wantReasons []string
		wantNotes   []string
		wantBlocked []prereq.CheckID
	}{
		{name: "compliant ubuntu", node: node("i-ok", "3.3.1142.0", "Ubuntu", "22.04"), wantVerdict: Compliant},
		{name: "compliant with update available", node: behind, wantVerdict: Compliant,
			wantNotes: []string{prereq.NoteUpdateAvailable}},
		{name: "old agent", node: node("i-old", "2.0.700.0", "Ubuntu", "22.04"), wantVerdict: Fix,
			wantActions: []ActionKind{UpdateAgent},
			wantReasons: []string{"agent 2.0.700.0 is older than the minimum 2.0.834.0: update-agent installs the latest agent"}},
		{name: "offline beats old agent", node: func() fleet.Node { n := offline; n.AgentVersion = "2.0.700.0"; return n }(),
			wantVerdict: Blocked, wantBlocked: []prereq.CheckID{prereq.CheckOnline},
			wantReasons: []string{"agent is ConnectionLost, not Online: SSM cannot reach the node"}},
		{name: "unsupported os", node: node("i-centos63", "3.3.1142.0", "CentOS Linux", "6.3"), wantVerdict: Blocked,
			wantBlocked: []prereq.CheckID{prereq.CheckOSSupported},
			wantReasons: []string{"CentOS Linux 6.3 is not supported: Patch Manager's prerequisites name CentOS 6.3 as not supported"}},
		{name: "unknown agent version", node: node("i-garbage", "garbage", "Ubuntu", "22.04"), wantVerdict: Blocked,
			wantBlocked: []prereq.CheckID{prereq.CheckAgentVersion},
			wantReasons: []string{`agent version "garbage" is not a version SSM reports, so it cannot be compared with 2.0.834.0`}},
		{name: "al2 proxied old requests", node: withProbe(node("i-req", "3.3.1142.0", "Amazon Linux", "2"), proxied("2.6.0")),
			wantVerdict: Fix, wantActions: []ActionKind{UpgradeRequests},
			wantReasons: []string{"behind a proxy with requests 2.6.0, older than the minimum 2.18.4: upgrade-requests installs a current requests"}},
		{name: "al2 proxied old requests and old agent", node: withProbe(node("i-both", "2.0.700.0", "Amazon Linux", "2"), proxied("")),
			wantVerdict: Fix, wantActions: []ActionKind{UpdateAgent, UpgradeRequests},
			wantReasons: []string{
				"agent 2.0.700.0 is older than the minimum 2.0.834.0: update-agent installs the latest agent",
				"behind a proxy and Python requests is not installed (needs 2.18.4 or later): upgrade-requests installs a current requests after the agent update is read back",
			}},
		{name: "al1 not proxied", node: withProbe(node("i-al1", "3.3.1142.0", "Amazon Linux AMI", "2018.03"), fleet.ProbeFacts{Status: fleet.ProbeOK}),
			wantVerdict: Compliant},
		{name: "al2023 probe failed", node: withProbe(node("i-probefail", "3.3.1142.0", "Amazon Linux", "2023"), fleet.ProbeFacts{Status: fleet.ProbeFailed, Reason: "no pip"}),
			wantVerdict: Blocked, wantBlocked: []prereq.CheckID{prereq.CheckRequests},
			wantReasons: []string{"proxy status unknown: probe failed: no pip"}},
		{name: "al2 probe skipped keeps agent verdict", node: withProbe(node("i-skipped", "2.0.700.0", "Amazon Linux", "2"), fleet.ProbeFacts{Status: fleet.ProbeSkipped}),
			wantVerdict: Fix, wantActions: []ActionKind{UpdateAgent},
			wantReasons: []string{"agent 2.0.700.0 is older than the minimum 2.0.834.0: update-agent installs the latest agent"},
			wantNotes:   []string{"proxy status unknown (probe skipped); requests not checked"}},
		{name: "al2 no probe compliant", node: node("i-noprobe", "3.3.1142.0", "Amazon Linux", "2"), wantVerdict: Compliant,
			wantNotes: []string{"proxy status unknown (probe not run); requests not checked"}},
		{name: "al2 proxied https without imds", node: withProbe(node("i-https", "3.3.1142.0", "Amazon Linux", "2"),
			fleet.ProbeFacts{Status: fleet.ProbeOK, Proxied: true, ProxyScheme: "https", RequestsVersion: "2.31.0"}),
			wantVerdict: Compliant, wantNotes: []string{"warning: " + prereq.NoteNoProxyIMDS, "warning: " + prereq.NoteHTTPSProxy}},
		{name: "everything wrong", node: func() fleet.Node {
			n := node("i-bad", "", "Microsoft Windows Server 2003", "5.2")
			n.PlatformType, n.PingStatus = fleet.PlatformWindows, fleet.PingInactive
			return n
		}(), wantVerdict: Blocked, wantBlocked: []prereq.CheckID{prereq.CheckOnline, prereq.CheckOSSupported, prereq.CheckAgentVersion},
			wantReasons: []string{
				"agent is Inactive, not Online: SSM cannot reach the node",
				"Microsoft Windows Server 2003 5.2 is not supported: Patch Manager's prerequisites name Windows Server 2003 as not supported",
				"the agent did not report its version",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Build([]fleet.Node{tt.node}, nil, opts())
			if len(p.Nodes) != 1 {
				t.Fatalf("%d node plans", len(p.Nodes))
			}
			np := p.Nodes[0]
			if np.Verdict != tt.wantVerdict {
				t.Errorf("verdict = %s, want %s (reasons %q)", np.Verdict, tt.wantVerdict, np.Reasons)
			}
			if !reflect.DeepEqual(np.Actions, tt.wantActions) {
				t.Errorf("actions = %v, want %v", np.Actions, tt.wantActions)
			}
			if tt.wantReasons != nil && !reflect.DeepEqual(np.Reasons, tt.wantReasons) {
				t.Errorf("reasons = %q\nwant      %q", np.Reasons, tt.wantReasons)
			}
			if !reflect.DeepEqual(np.Notes, tt.wantNotes) {
				t.Errorf("notes = %q, want %q", np.Notes, tt.wantNotes)
			}
			if !reflect.DeepEqual(np.BlockedBy, tt.wantBlocked) {
				t.Errorf("blocked by = %v, want %v", np.BlockedBy, tt.wantBlocked)
			}
		})
	}
}

func TestBuildMixedFleet(t *testing.T) {
	nodes := []fleet.Node{
		node("i-c", "2.0.700.0", "Ubuntu", "22.04"),
		withProbe(node("i-b", "2.0.700.0", "Amazon Linux", "2"), proxied("2.6.0")),
		node("i-a", "3.3.1142.0", "Ubuntu", "22.04"),
		node("i-d", "3.3.1142.0", "Fedora Linux", "39"),
		withProbe(node("i-e", "3.3.1142.0", "Amazon Linux", "2023"), proxied("2.0.0")),
	}
	o := opts()
	o.Strategy = MaintenanceWindow
	p := Build(nodes, prereq.Evaluate(nodes, o.Prereqs), o)

	var ids []string
	for _, n := range p.Nodes {
		ids = append(ids, n.Node.InstanceID)
	}
	if want := []string{"i-a", "i-b", "i-c", "i-d", "i-e"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("node order %v, want %v", ids, want)
	}
	wantBatches := []Batch{
		{Action: UpdateAgent, Index: 1, InstanceIDs: []string{"i-b", "i-c"}},
		{Action: UpgradeRequests, Index: 1, InstanceIDs: []string{"i-b", "i-e"}, After: []ActionKind{UpdateAgent}},
	}
	if !reflect.DeepEqual(p.Batches, wantBatches) {
		t.Errorf("batches = %+v\nwant      %+v", p.Batches, wantBatches)
	}
	wantSummary := Summary{Nodes: 5, Compliant: 1, Fix: 3, Blocked: 1, Actions: map[ActionKind]int{UpdateAgent: 2, UpgradeRequests: 2}}
	if !reflect.DeepEqual(p.Summary, wantSummary) {
		t.Errorf("summary = %+v, want %+v", p.Summary, wantSummary)
	}
	if p.FormatVersion != "1.0" || p.Strategy != MaintenanceWindow || !p.CreatedAt.Equal(created) || p.Region != "eu-west-1" {
		t.Errorf("header = %q %s %v %q", p.FormatVersion, p.Strategy, p.CreatedAt, p.Region)
	}
	if p.Fingerprint != FactsFingerprint(nodes) {
		t.Error("fingerprint is not FactsFingerprint(nodes)")
	}
	if !p.HasChanges() {
		t.Error("HasChanges = false")
	}
}

func TestBuildBatchesOfFifty(t *testing.T) {
	tests := []struct {
		nodes int
		want  []int
	}{
		{0, nil},
		{1, []int{1}},
		{50, []int{50}},
		{51, []int{50, 1}},
		{120, []int{50, 50, 20}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.nodes), func(t *testing.T) {
			var nodes []fleet.Node
			// Built in reverse so that sorting is exercised.
			for i := tt.nodes - 1; i >= 0; i-- {
				nodes = append(nodes, node(fmt.Sprintf("i-%017x", i), "2.0.700.0", "Ubuntu", "22.04"))
			}
			p := Build(nodes, nil, opts())
			var sizes []int
			prev := ""
			for i, b := range p.Batches {
				if b.Action != UpdateAgent || b.Index != i+1 {
					t.Fatalf("batch %d: %s #%d", i, b.Action, b.Index)
				}
				for _, id := range b.InstanceIDs {
					if id <= prev {
						t.Fatalf("IDs not sorted across batches: %s after %s", id, prev)
					}
					prev = id
				}
				sizes = append(sizes, len(b.InstanceIDs))
			}
			if !reflect.DeepEqual(sizes, tt.want) {
				t.Fatalf("batch sizes %v, want %v", sizes, tt.want)
			}
		})
	}
}

func TestBuildEmptyFleet(t *testing.T) {
	p := Build(nil, nil, opts())
	if p.Fingerprint == "" || p.HasChanges() || p.Summary.Nodes != 0 || p.Strategy != Association {
		t.Fatalf("empty plan: %+v", p)
	}
}

func TestEnumsText(t *testing.T) {
	for _, a := range ActionKinds() {
		got, err := ParseActionKind(a.String())
		if err != nil || got != a {
			t.Errorf("ParseActionKind(%s) = %v, %v", a, got, err)
		}
	}
	if _, err := ParseStrategy("cron"); err == nil || err.Error() != `unknown strategy "cron" (want one of [association maintenance-window])` {
		t.Errorf("ParseStrategy(cron) err = %v", err)
	}
	if s, err := ParseStrategy("maintenance-window"); err != nil || s != MaintenanceWindow {
		t.Errorf("ParseStrategy = %v, %v", s, err)
	}
	if Verdict(0).String() != "Verdict(0)" || Blocked.String() != "blocked" {
		t.Errorf("verdict strings %s %s", Verdict(0), Blocked)
	}
	if _, err := Verdict(0).MarshalText(); err == nil {
		t.Error("zero verdict marshals")
	}
}
