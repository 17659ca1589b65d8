package prereq

import (
	"reflect"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/fleet"
)

func al2(agent string, probe *fleet.ProbeFacts) fleet.Node {
	return fleet.Node{
		InstanceID: "i-0123456789abcdef0", PingStatus: fleet.PingOnline,
		AgentVersion: agent, IsLatestVersion: true,
		PlatformType: fleet.PlatformLinux, PlatformName: "Amazon Linux", PlatformVersion: "2",
		Probe: probe,
	}
}

func TestCheckAgentVersion(t *testing.T) {
	p := Default()
	tests := []struct {
		name, agent string
		want        Status
	}{
		{"just below floor", "2.0.833.9", StatusFail},
		{"at floor", "2.0.834.0", StatusPass},
		{"just above floor", "2.0.834.1", StatusPass},
		{"major 3", "3.3.1142.0", StatusPass},
		{"three parts", "3.3.1142", StatusPass},
		{"old", "1.2.3.4", StatusFail},
		{"empty", "", StatusUnknown},
		{"one part", "3", StatusUnknown},
		{"two parts", "3.1", StatusUnknown},
		{"five parts", "2.0.834.0.1", StatusUnknown},
		{"prerelease", "2.0.834.0-beta", StatusUnknown},
		{"v prefix", "v3.3.1142.0", StatusUnknown},
		{"garbage", "garbage", StatusUnknown},
		{"seven digit part", "3.3.1142000.0", StatusUnknown},
		{"space", " 3.3.1142.0", StatusUnknown},
		{"newline", "3.3.1142.0\n", StatusUnknown},
		{"10 MB", strings.Repeat("9", 10<<20), StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkAgent(al2(tt.agent, nil), p)
			if got.Status != tt.want {
				t.Fatalf("agent %.40q: %s (%s), want %s", tt.agent, got.Status, got.Reason, tt.want)
			}
			if len(got.Reason) > 300 {
				t.Fatalf("reason is %d bytes; a huge version must not be echoed", len(got.Reason))
			}
		})
	}
}

func TestCheckAgentVersionRaisedFloor(t *testing.T) {
	p, err := Default().WithMinAgentVersion("3.3.1142.0")
	if err != nil {
		t.Fatal(err)
	}
	if got := checkAgent(al2("3.2.0.0", nil), p); got.Status != StatusFail {
		t.Fatalf("3.2.0.0 against 3.3.1142.0: %s", got.Status)
	}
	if got := checkAgent(al2("3.3.1142.0", nil), p); got.Status != StatusPass {
		t.Fatalf("3.3.1142.0 against 3.3.1142.0: %s", got.Status)
	}
}

func TestCheckOnline(t *testing.T) {
	tests := []struct {
		ping string
		want Status
	}{
		{fleet.PingOnline, StatusPass},
		{fleet.PingConnectionLost, StatusFail},
		{fleet.PingInactive, StatusFail},
		{"", StatusFail},
		{"online", StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.ping, func(t *testing.T) {
			n := al2("3.3.1142.0", nil)
			n.PingStatus = tt.ping
			if got := checkOnline(n); got.Status != tt.want {
				t.Fatalf("%q: %s, want %s", tt.ping, got.Status, tt.want)
			}
		})
	}
}

func TestCheckRequests(t *testing.T) {
	p := Default()
	proxied := func(req string) *fleet.ProbeFacts {
		return &fleet.ProbeFacts{Status: fleet.ProbeOK, Proxied: true, ProxyScheme: "http", NoProxyHasIMDS: true, RequestsVersion: req}
	}
	tests := []struct {
		name       string
		node       fleet.Node
		want       Status
		wantReason string
	}{
		{"no probe", al2("3.3.1142.0", nil), StatusUnknown, "proxy status unknown: probe not run"},
		{"probe skipped", al2("3.3.1142.0", &fleet.ProbeFacts{Status: fleet.ProbeSkipped}), StatusUnknown, "proxy status unknown: probe not run"},
		{"probe failed", al2("3.3.1142.0", &fleet.ProbeFacts{Status: fleet.ProbeFailed, Reason: "DeliveryTimedOut"}), StatusUnknown, "proxy status unknown: probe failed: DeliveryTimedOut"},
		{"not proxied, old requests", al2("3.3.1142.0", &fleet.ProbeFacts{Status: fleet.ProbeOK, RequestsVersion: "2.6.0"}), StatusPass, "not behind a proxy"},
		{"proxied, missing", al2("3.3.1142.0", proxied("")), StatusFail, "behind a proxy and Python requests is not installed (needs 2.18.4 or later)"},
		{"proxied, older", al2("3.3.1142.0", proxied("2.18.3")), StatusFail, "behind a proxy with requests 2.18.3, older than the minimum 2.18.4"},
		{"proxied, at floor", al2("3.3.1142.0", proxied("2.18.4")), StatusPass, "behind a proxy with requests 2.18.4 (minimum 2.18.4)"},
		{"proxied, newer", al2("3.3.1142.0", proxied("2.31.0")), StatusPass, "behind a proxy with requests 2.31.0 (minimum 2.18.4)"},
		{"proxied, unreadable", al2("3.3.1142.0", proxied("two")), StatusUnknown, `behind a proxy and the requests version "two" cannot be read`},
		{"ubuntu", fleet.Node{PlatformType: "Linux", PlatformName: "Ubuntu", Probe: proxied("")}, StatusNA, "applies only to Amazon Linux"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkRequests(tt.node, p)
			if got.Status != tt.want || got.Reason != tt.wantReason {
				t.Fatalf("got %s %q, want %s %q", got.Status, got.Reason, tt.want, tt.wantReason)
			}
		})
	}
}

func TestEvaluateNodeNotes(t *testing.T) {
	p := Default()
	tests := []struct {
		name string
		node fleet.Node
		want []Note
	}{
		{"latest, no probe", al2("3.3.1142.0", nil), nil},
		{"update available", func() fleet.Node { n := al2("3.3.1142.0", nil); n.IsLatestVersion = false; return n }(),
			[]Note{{NoteInfo, NoteUpdateAvailable}}},
		{"below floor: an action, not a note", func() fleet.Node { n := al2("2.0.700.0", nil); n.IsLatestVersion = false; return n }(), nil},
		{"windows ignores IsLatestVersion", fleet.Node{PingStatus: "Online", AgentVersion: "3.3.1142.0", PlatformType: "Windows", PlatformName: "Microsoft Windows Server 2019 Datacenter"}, nil},
		{"proxied without IMDS in no_proxy over https", al2("3.3.1142.0", &fleet.ProbeFacts{Status: fleet.ProbeOK, Proxied: true, ProxyScheme: "https", RequestsVersion: "2.31.0"}),
			[]Note{{NoteWarning, NoteNoProxyIMDS}, {NoteWarning, NoteHTTPSProxy}}},
		{"proxied, well configured", al2("3.3.1142.0", &fleet.ProbeFacts{Status: fleet.ProbeOK, Proxied: true, ProxyScheme: "http", NoProxyHasIMDS: true, RequestsVersion: "2.31.0"}), nil},
		{"not proxied", al2("3.3.1142.0", &fleet.ProbeFacts{Status: fleet.ProbeOK}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EvaluateNode(tt.node, p).Notes
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("notes = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestEvaluateRunsEveryCheckInOrder(t *testing.T) {
	nodes := []fleet.Node{
		al2("2.0.700.0", nil),
		{InstanceID: "mi-00000000000000001", PingStatus: fleet.PingConnectionLost, AgentVersion: "garbage", PlatformType: "Windows", PlatformName: "Microsoft Windows Server 2003"},
	}
	evs := Evaluate(nodes, Default())
	if len(evs) != 2 || evs[0].InstanceID != nodes[0].InstanceID || evs[1].InstanceID != nodes[1].InstanceID {
		t.Fatalf("evaluations not in input order: %+v", evs)
	}
	want := [][]Status{
		{StatusPass, StatusPass, StatusFail, StatusUnknown},
		{StatusFail, StatusFail, StatusUnknown, StatusNA},
	}
	for i, ev := range evs {
		var got []Status
		for j, c := range ev.Checks {
			if c.Check != []CheckID{CheckOnline, CheckOSSupported, CheckAgentVersion, CheckRequests}[j] {
				t.Fatalf("node %d check %d is %s", i, j, c.Check)
			}
			got = append(got, c.Status)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("node %d statuses = %v, want %v", i, got, want[i])
		}
	}
	if c, ok := evs[0].Check(CheckAgentVersion); !ok || c.Reason != "agent 2.0.700.0 is older than the minimum 2.0.834.0" {
		t.Errorf("agent reason = %q", c.Reason)
	}
}

func fleet0(agent string) fleet.Node { return al2(agent, nil) }

// TestEvaluateMemoMatchesEachNode checks that nodes evaluated together,
// sharing memoized results, get exactly what each would get alone.
func TestEvaluateMemoMatchesEachNode(t *testing.T) {
	p := Default()
	var nodes []fleet.Node
	probes := []*fleet.ProbeFacts{
		nil,
		{Status: fleet.ProbeOK, Proxied: true, RequestsVersion: "2.20.0", ProxyScheme: "https"},
		{Status: fleet.ProbeOK, Proxied: true, RequestsVersion: "2.31.0", NoProxyHasIMDS: true},
		{Status: fleet.ProbeOK, Proxied: true},
		{Status: fleet.ProbeOK},
		{Status: fleet.ProbeFailed, Reason: "timed out"},
		{Status: fleet.ProbeSkipped},
	}
	for _, ping := range []string{fleet.PingOnline, fleet.PingConnectionLost, ""} {
		for _, agent := range []string{"2.0.700.0", "3.3.1142.0", "garbage", ""} {
			for _, os := range [][3]string{{fleet.PlatformLinux, "Amazon Linux", "2"}, {fleet.PlatformLinux, "Ubuntu", "22.04"},
				{fleet.PlatformLinux, "Ubuntu", "x.y"}, {fleet.PlatformWindows, "Microsoft Windows Server 2022 Datacenter", "10.0.20348"}} {
				for _, pr := range probes {
					for _, latest := range []bool{true, false} {
						nodes = append(nodes, fleet.Node{
							InstanceID: "i-" + ping + agent + os[1], PingStatus: ping, AgentVersion: agent, IsLatestVersion: latest,
							PlatformType: os[0], PlatformName: os[1], PlatformVersion: os[2], Probe: pr,
						})
					}
				}
			}
		}
	}
	got := Evaluate(nodes, p)
	for i, n := range nodes {
		if want := EvaluateNode(n, p); !reflect.DeepEqual(got[i], want) {
			t.Fatalf("node %d (%+v):\n together %+v\n alone    %+v", i, n, got[i], want)
		}
	}
}
