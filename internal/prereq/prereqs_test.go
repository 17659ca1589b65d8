package prereq

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	p := Default()
	if p.MinAgentVersion != "2.0.834.0" || p.MinRequestsVersion != "2.18.4" {
		t.Fatalf("floors = %s, %s", p.MinAgentVersion, p.MinRequestsVersion)
	}
	if len(p.Unsupported) != 3 {
		t.Fatalf("want 3 named exclusions, got %d", len(p.Unsupported))
	}
}

func TestLoadOverrides(t *testing.T) {
	const doc = `
min_agent_version: "3.0.0.0"
min_requests_version: "2.20.0"
supported:
  - name: Ubuntu
    platform_names: [Ubuntu]
    versions: [{min: "22.04"}]
`
	p, err := Load(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if p.MinAgentVersion != "3.0.0.0" || len(p.Supported) != 1 || p.Supported[0].Versions[0].Min != "22.04" {
		t.Fatalf("loaded %+v", p)
	}
}

func TestLoadRejects(t *testing.T) {
	const base = "min_requests_version: \"2.18.4\"\nsupported: [{name: X, platform_names: [X]}]\n"
	tests := []struct {
		name, doc, wantErr string
	}{
		{"empty", "", "prerequisites file is empty"},
		{"unknown field", "min_agent_verison: \"2.0.834.0\"\n" + base, "field min_agent_verison not found"},
		{"bad agent floor", "min_agent_version: \"2.0\"\n" + base, `min_agent_version "2.0" is not a version like 2.0.834.0`},
		{"missing agent floor", base, `min_agent_version "" is not a version`},
		{"bad requests floor", "min_agent_version: \"2.0.834.0\"\nmin_requests_version: x\nsupported: [{name: X, platform_names: [X]}]\n", `min_requests_version "x" is not a version`},
		{"no supported", "min_agent_version: \"2.0.834.0\"\nmin_requests_version: \"2.18.4\"\n", "supported: the list of supported operating systems is empty"},
		{"bad match", "min_agent_version: \"2.0.834.0\"\n" + strings.Replace(base, "[X]}", "[X], match: regex}", 1), `supported[0]: X: match "regex" is not one of exact, prefix, contains`},
		{"bad range", "min_agent_version: \"2.0.834.0\"\n" + strings.Replace(base, "[X]}", "[X], versions: [{min: abc}]}", 1), `supported[0]: X: versions[0]: "abc" is not a version`},
		{"exclusion without reason", "min_agent_version: \"2.0.834.0\"\n" + base + "unsupported: [{name: Y, platform_names: [Y]}]\n", "unsupported[0]: Y: reason is empty"},
		{"not yaml", "{{{", "prerequisites file is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadFileNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prereqs.yaml")
	if err := os.WriteFile(path, []byte("nope: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": ") {
		t.Fatalf("err = %v, want it to start with the path", err)
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "open prerequisites") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestLoadAcceptsJSON(t *testing.T) {
	doc := `{"min_agent_version":"2.0.834.0","min_requests_version":"2.18.4","supported":[{"name":"X","platform_names":["X"]}]}`
	if _, err := Load(strings.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
}

func TestWithMinAgentVersion(t *testing.T) {
	tests := []struct {
		v       string
		wantErr bool
	}{
		{"3.3.1142.0", false},
		{"2.0.834", false},
		{"3", true},
		{"", true},
		{"3.3.1142.0-beta", true},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			p, err := Default().WithMinAgentVersion(tt.v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && p.MinAgentVersion != tt.v {
				t.Fatalf("floor = %s", p.MinAgentVersion)
			}
		})
	}
	if Default().MinAgentVersion != "2.0.834.0" {
		t.Fatal("WithMinAgentVersion changed the default")
	}
}
