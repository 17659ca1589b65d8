package ssmsim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSampleFleet(t *testing.T) {
	f := SampleFleet()
	if len(f.Nodes) < 30 || len(f.Nodes) > 40 {
		t.Fatalf("sample fleet has %d nodes, want about 36", len(f.Nodes))
	}
	var credProxy, noPip, lost, fails, hybrid, mac, win2003, centos, raspbian bool
	for _, n := range f.Nodes {
		credProxy = credProxy || strings.Contains(n.Proxy.URL, "user:secret@")
		noPip = noPip || (n.Proxy.URL != "" && n.Faults.NoPip)
		lost = lost || n.PingStatus == "ConnectionLost"
		fails = fails || n.Faults.UpdateFails
		hybrid = hybrid || strings.HasPrefix(n.ID, "mi-")
		mac = mac || n.PlatformType == "MacOS"
		win2003 = win2003 || n.PlatformName == "Microsoft Windows Server 2003 R2 Standard"
		centos = centos || (n.PlatformName == "CentOS" && n.PlatformVersion == "6.3")
		raspbian = raspbian || n.PlatformName == "Raspbian GNU/Linux"
	}
	if !credProxy || !noPip || !lost || !fails || !hybrid || !mac || !win2003 || !centos || !raspbian {
		t.Errorf("sample fleet lacks a case: credProxy=%v noPip=%v lost=%v fails=%v hybrid=%v mac=%v win2003=%v centos=%v raspbian=%v",
			credProxy, noPip, lost, fails, hybrid, mac, win2003, centos, raspbian)
	}
}

func TestLoadFleetRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"unknown field", "nodes:\n  - id: i-0123456789abcdef0\n    platfrom_type: Linux\n", "platfrom_type"},
		{"bad id", "nodes:\n  - id: i-12345\n", "not a node ID"},
		{"duplicate", "nodes:\n  - id: i-01234567\n  - id: i-01234567\n", "already used"},
		{"bad ping", "nodes:\n  - id: i-01234567\n    ping_status: Asleep\n", "ping_status"},
		{"bad agent", "nodes:\n  - id: i-01234567\n    agent_version: latest\n", "agent_version"},
		{"hybrid type on ec2", "nodes:\n  - id: i-01234567\n    resource_type: ManagedInstance\n", "mi- ID"},
		{"empty", "", "empty"},
		{"json unknown", `{"nodes":[{"id":"i-01234567","colour":"red"}]}`, "colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFleet(strings.NewReader(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestLoadFleetFileJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.json")
	doc := `{"nodes":[{"id":"mi-0123456789abcdef0","platform_type":"Linux","platform_name":"Ubuntu","platform_version":"22.04","agent_version":"3.2.582.0","tags":{"Env":"prod"},"registration_date":"2024-01-02T03:04:05Z"}]}`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFleetFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.Nodes[0]; n.ID != "mi-0123456789abcdef0" || n.Tags["Env"] != "prod" || n.RegistrationDate.Year() != 2024 {
		t.Errorf("node = %+v", n)
	}
	if _, err := LoadFleetFile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("missing file loaded")
	}
}

func TestGenerateMix(t *testing.T) {
	f := Generate(20000, 42)
	again := Generate(20000, 42)
	seen := map[string]bool{}
	count := map[string]int{}
	for i, n := range f.Nodes {
		if n.ID != again.Nodes[i].ID || n.AgentVersion != again.Nodes[i].AgentVersion {
			t.Fatalf("node %d differs between runs with one seed", i)
		}
		if seen[n.ID] {
			t.Fatalf("duplicate ID %s", n.ID)
		}
		seen[n.ID] = true
		if err := checkFleetNode(&n); err != nil {
			t.Fatalf("node %s: %v", n.ID, err)
		}
		switch {
		case n.PingStatus == "ConnectionLost":
			count["lost"]++
		case n.Faults.UpdateFails:
			count["fails"]++
		}
		if n.ResourceType == "ManagedInstance" {
			count["hybrid"]++
		}
		if n.PlatformName == "Amazon Linux AMI" && n.Proxy.URL != "" {
			count["al1proxied"]++
		}
		if compareVersions(n.AgentVersion, "2.0.834.0") < 0 {
			count["ancient"]++
		}
		count[n.PlatformType]++
	}
	within := func(k string, lo, hi int) {
		if count[k] < lo || count[k] > hi {
			t.Errorf("%s = %d, want %d..%d", k, count[k], lo, hi)
		}
	}
	within("lost", 400, 800)   // ~3%
	within("fails", 100, 300)  // ~1%
	within("hybrid", 250, 600) // ~2%
	within("al1proxied", 400, 1500)
	within("ancient", 200, 3000)
	within("MacOS", 50, 400)
	within("Windows", 3000, 7000)
}
