package plan

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
)

var created = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func opts() Options {
	return Options{ToolVersion: "0.1.0", CreatedAt: created, Region: "eu-west-1", Account: "123456789012",
		Rules: prereq.Default(), ProbeRan: true}
}

const (
	upgradeRequests prereq.ActionKind = "upgrade-requests"
	installCurl     prereq.ActionKind = "install-curl"
	installPython   prereq.ActionKind = "install-python"
)

func node(id, agent, name, version string) fleet.Node {
	ptype := fleet.PlatformLinux
	if name == "Microsoft Windows Server 2019 Datacenter" {
		ptype = fleet.PlatformWindows
	}
	return fleet.Node{InstanceID: id, PingStatus: fleet.PingOnline, AgentVersion: agent, IsLatestVersion: true,
		PlatformType: ptype, PlatformName: name, PlatformVersion: version}
}

func withProbe(n fleet.Node, pf fleet.ProbeFacts) fleet.Node { n.Probe = &pf; return n }

// healthy is the report of a node whose patch run works: yum with
// python2.7, curl, the payload bucket answering.
func healthy(edit ...func(*documents.ProbeReport)) fleet.ProbeFacts {
	r := documents.ProbeReport{
		Schema: documents.ProbeReportSchema, Which: true, PackageManagers: "yum", PackageManager: "yum",
		Python: "python2.7", PythonPath: "/usr/bin/python2.7", PythonVersion: "2.7.18", PackageModule: documents.ModuleOK,
		RequestsVersion: "2.25.1", Pip: documents.PipOK, Downloader: "curl",
		Payload: documents.PayloadReachable, PayloadCode: "403", VarFreeMB: 4000,
	}
	for _, e := range edit {
		e(&r)
	}
	return fleet.ProbeFacts{Status: fleet.ProbeOK, ProbeReport: r}
}

func proxied(req string) fleet.ProbeFacts {
	return healthy(func(r *documents.ProbeReport) {
		r.Proxied, r.ProxyScheme, r.NoProxyHasIMDS, r.RequestsVersion = true, "http", true, req
	})
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
		wantActions []prereq.ActionKind
		wantReasons []string
		wantNotes   []string
		wantBlocked []prereq.CheckID
	}{
		{name: "compliant windows", node: node("i-ok", "3.3.1142.0", "Microsoft Windows Server 2019 Datacenter", "10.0.17763"), wantVerdict: Compliant},
		{name: "compliant with update available", node: withProbe(behind, healthy()), wantVerdict: Compliant,
			wantNotes: []string{prereq.NoteUpdateAvailable}},
		{name: "old agent", node: withProbe(node("i-old", "2.0.700.0", "Ubuntu", "22.04"), healthy()), wantVerdict: Fix,
			wantActions: []prereq.ActionKind{prereq.UpdateAgent},
			wantReasons: []string{"agent 2.0.700.0 is older than the minimum 2.0.834.0: update-agent installs the latest agent"}},
		{name: "offline beats old agent", node: func() fleet.Node { n := offline; n.AgentVersion = "2.0.700.0"; return n }(),
			wantVerdict: Blocked, wantBlocked: []prereq.CheckID{prereq.CheckOnline},
			wantReasons: []string{"agent is ConnectionLost, not Online: SSM cannot reach the node"}},
		{name: "unsupported os", node: withProbe(node("i-centos63", "3.3.1142.0", "CentOS Linux", "6.3"), healthy()), wantVerdict: Blocked,
			wantBlocked: []prereq.CheckID{prereq.CheckOSSupported},
			wantReasons: []string{"CentOS Linux 6.3 is not supported: Patch Manager's prerequisites name CentOS 6.3 as not supported"}},
		{name: "unknown agent version", node: withProbe(node("i-garbage", "garbage", "Ubuntu", "22.04"), healthy()), wantVerdict: Blocked,
			wantBlocked: []prereq.CheckID{prereq.CheckAgentVersion},
			wantReasons: []string{`agent version "garbage" is not a version SSM reports, so it cannot be compared with 2.0.834.0`}},
		{name: "al2 proxied old requests in the patch run's python", node: withProbe(node("i-req", "3.3.1142.0", "Amazon Linux", "2"), proxied("2.6.0")),
			wantVerdict: Fix, wantActions: []prereq.ActionKind{upgradeRequests},
			wantReasons: []string{"behind a proxy with requests 2.6.0 in python2.7, the patch run's interpreter, older than the minimum 2.18.4: " +
				"upgrade-requests installs a current requests with the patch run's own interpreter and its pip"}},
		{name: "al2 proxied no requests and old agent", node: withProbe(node("i-both", "2.0.700.0", "Amazon Linux", "2"), proxied("")),
			wantVerdict: Fix, wantActions: []prereq.ActionKind{prereq.UpdateAgent, upgradeRequests},
			wantReasons: []string{
				"agent 2.0.700.0 is older than the minimum 2.0.834.0: update-agent installs the latest agent",
				"behind a proxy and python2.7, the patch run's interpreter, cannot import requests (needs 2.18.4 or later): " +
					"upgrade-requests installs a current requests with the patch run's own interpreter and its pip, after the agent update is read back",
			}},
		{name: "no curl and ubuntu without python3", node: withProbe(node("i-bare", "3.3.1142.0", "Ubuntu", "22.04"), healthy(func(r *documents.ProbeReport) {
			r.PackageManagers, r.PackageManager, r.Python, r.PythonPath, r.PythonVersion = "apt", "", "", "", ""
			r.PythonError = "An unsupported package manager and python version combination was found. Apt requires Python3 to be installed."
			r.PackageModule, r.Downloader, r.Payload, r.PayloadCode = documents.ModuleNA, "", documents.PayloadUntested, ""
		})), wantVerdict: Fix, wantActions: []prereq.ActionKind{installPython, installCurl}},
		{name: "payload blocked", node: withProbe(node("i-blocked", "2.0.700.0", "Amazon Linux", "2"), healthy(func(r *documents.ProbeReport) {
			r.Payload, r.PayloadCode = documents.PayloadUnreachable, "curl:7"
		})), wantVerdict: Blocked, wantBlocked: []prereq.CheckID{prereq.CheckPayload}},
		{name: "yum broken and noexec", node: withProbe(node("i-yum", "3.3.1142.0", "Amazon Linux", "2"), healthy(func(r *documents.ProbeReport) {
			r.Python, r.PythonPath, r.PythonVersion, r.PackageModule = "", "", "", documents.ModuleNA
			r.PythonError, r.WorkdirNoexec = "Unable to import yum module, please check version compatibility between Yum and Python", true
		})), wantVerdict: Blocked, wantBlocked: []prereq.CheckID{prereq.CheckPatchPython, prereq.CheckWorkdirExec}},
		{name: "al1 not proxied", node: withProbe(node("i-al1", "3.3.1142.0", "Amazon Linux AMI", "2018.03"), healthy()),
			wantVerdict: Compliant},
		{name: "probe failed", node: withProbe(node("i-probefail", "3.3.1142.0", "Amazon Linux", "2023"), fleet.ProbeFacts{Status: fleet.ProbeFailed, Reason: "timed out"}),
			wantVerdict: Blocked, wantBlocked: []prereq.CheckID{prereq.CheckProbe},
			wantReasons: []string{"probe failed: timed out"}},
		{name: "probe turned off keeps agent verdict", node: withProbe(node("i-skipped", "2.0.700.0", "Amazon Linux", "2"), fleet.ProbeFacts{Status: fleet.ProbeSkipped}),
			wantVerdict: Fix, wantActions: []prereq.ActionKind{prereq.UpdateAgent},
			wantReasons: []string{"agent 2.0.700.0 is older than the minimum 2.0.834.0: update-agent installs the latest agent"},
			wantNotes:   []string{"warning: " + prereq.NoteProbeOff}},
		{name: "low /var is a warning", node: withProbe(node("i-var", "3.3.1142.0", "Amazon Linux", "2"), healthy(func(r *documents.ProbeReport) { r.VarFreeMB = 100 })),
			wantVerdict: Compliant, wantNotes: []string{"warning: less than 500 MiB free in /var: the patch run unpacks its payload under /var/log/amazon/ssm and the package manager fills /var/cache; a full /var fails the run (exit 152 or 155)"}},
		{name: "al2 proxied https without imds", node: withProbe(node("i-https", "3.3.1142.0", "Amazon Linux", "2"),
			healthy(func(r *documents.ProbeReport) { r.Proxied, r.ProxyScheme, r.RequestsVersion = true, "https", "2.31.0" })),
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
		withProbe(node("i-c", "2.0.700.0", "Ubuntu", "22.04"), healthy()),
		withProbe(node("i-b", "2.0.700.0", "Amazon Linux", "2"), proxied("2.6.0")),
		withProbe(node("i-a", "3.3.1142.0", "Ubuntu", "22.04"), healthy()),
		withProbe(node("i-d", "3.3.1142.0", "Fedora Linux", "39"), healthy()),
		withProbe(node("i-e", "3.3.1142.0", "Amazon Linux", "2023"), proxied("2.0.0")),
		withProbe(node("i-f", "3.3.1142.0", "Amazon Linux", "2023"), healthy(func(r *documents.ProbeReport) { r.Downloader, r.Payload = "", documents.PayloadUntested })),
	}
	o := opts()
	o.Strategy = "maintenance-window"
	p := Build(nodes, prereq.Evaluate(nodes, o.Rules), o)

	var ids []string
	for _, n := range p.Nodes {
		ids = append(ids, n.Node.InstanceID)
	}
	if want := []string{"i-a", "i-b", "i-c", "i-d", "i-e", "i-f"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("node order %v, want %v", ids, want)
	}
	wantBatches := []Batch{
		{Actions: []prereq.ActionKind{prereq.UpdateAgent}, Index: 1, InstanceIDs: []string{"i-b", "i-c"}},
		{Actions: []prereq.ActionKind{upgradeRequests}, Index: 1, InstanceIDs: []string{"i-b", "i-e"}, After: []prereq.ActionKind{prereq.UpdateAgent}},
		{Actions: []prereq.ActionKind{installCurl}, Index: 1, InstanceIDs: []string{"i-f"}},
	}
	if !reflect.DeepEqual(p.Batches, wantBatches) {
		t.Errorf("batches = %+v\nwant      %+v", p.Batches, wantBatches)
	}
	wantSummary := Summary{Nodes: 6, Compliant: 1, Fix: 4, Blocked: 1,
		Actions: map[prereq.ActionKind]int{prereq.UpdateAgent: 2, upgradeRequests: 2, installCurl: 1, installPython: 0}}
	if !reflect.DeepEqual(p.Summary, wantSummary) {
		t.Errorf("summary = %+v, want %+v", p.Summary, wantSummary)
	}
	if p.FormatVersion != "2.0" || p.Strategy != "maintenance-window" || !p.CreatedAt.Equal(created) || p.Region != "eu-west-1" || p.Rules.Name != "seed" {
		t.Errorf("header = %q %s %v %q %q", p.FormatVersion, p.Strategy, p.CreatedAt, p.Region, p.Rules.Name)
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
				if !b.IsAgentUpdate() || b.Index != i+1 {
					t.Fatalf("batch %d: %v #%d", i, b.Actions, b.Index)
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
	if p.Fingerprint == "" || p.HasChanges() || p.Summary.Nodes != 0 || p.Strategy != DefaultStrategy {
		t.Fatalf("empty plan: %+v", p)
	}
}

func TestEnumsText(t *testing.T) {
	if Verdict(0).String() != "Verdict(0)" || Blocked.String() != "blocked" {
		t.Errorf("verdict strings %s %s", Verdict(0), Blocked)
	}
	if _, err := Verdict(0).MarshalText(); err == nil {
		t.Error("zero verdict marshals")
	}
}
