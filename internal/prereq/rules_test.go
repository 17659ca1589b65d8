package prereq

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltinRuleSets(t *testing.T) {
	for _, name := range RuleSets() {
		t.Run(name, func(t *testing.T) {
			r, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			if r.Name != name || r.Version == "" || r.MinAgentVersion != "2.0.834.0" || r.MinRequestsVersion != "2.18.4" {
				t.Fatalf("rules %s: name %q version %q floors %s, %s", name, r.Name, r.Version, r.MinAgentVersion, r.MinRequestsVersion)
			}
		})
	}
	if d := Default(); d.Name != "seed" || len(d.Unsupported) != 3 {
		t.Fatalf("default rules = %s with %d exclusions, want seed with the page's 3", d.Name, len(d.Unsupported))
	}
	cur, _ := Builtin("aws-current")
	if cur.Python.Max != "3.12" || len(cur.Python.Python3Required) != 3 {
		t.Fatalf("aws-current python rule = %+v", cur.Python)
	}
	if _, err := Builtin("aws-latest"); err == nil || !strings.Contains(err.Error(), "use one of seed, aws-current") {
		t.Fatalf("unknown rule set: %v", err)
	}
}

func TestLoadOverlaysTheBase(t *testing.T) {
	const doc = `
min_agent_version: "3.0.0.0"
supported:
  - name: Ubuntu
    platform_names: [Ubuntu]
    versions: [{min: "22.04"}]
`
	r, err := Load(strings.NewReader(doc), "aws-current")
	if err != nil {
		t.Fatal(err)
	}
	if r.MinAgentVersion != "3.0.0.0" || len(r.Supported) != 1 || r.Supported[0].Versions[0].Min != "22.04" {
		t.Fatalf("overridden fields not taken: %+v", r)
	}
	// Fields the file does not set come from the base.
	if r.Python.Max != "3.12" || r.MinRequestsVersion != "2.18.4" || len(r.Unsupported) != 3 || r.Extends != "aws-current" {
		t.Fatalf("base fields lost: %+v", r)
	}
	// The file's own extends wins over the flag's base.
	r, err = Load(strings.NewReader("extends: seed\nvar_warn_mib: 100\n"), "aws-current")
	if err != nil {
		t.Fatal(err)
	}
	if r.Python.Max != "" || r.VarWarnMiB != 100 || r.Extends != "seed" {
		t.Fatalf("extends: seed not honoured: %+v", r)
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name, doc, wantErr string
	}{
		{"empty", "", "rules file is empty"},
		{"unknown field", "min_agent_verison: \"2.0.834.0\"\n", "field min_agent_verison not found"},
		{"bad agent floor", "min_agent_version: \"2.0\"\n", `min_agent_version "2.0" is not a version like 2.0.834.0`},
		{"bad requests floor", "min_requests_version: x\n", `min_requests_version "x" is not a version`},
		{"bad python", "python: {min: two}\n", `python.min "two" is not a version`},
		{"negative var", "var_warn_mib: -1\n", "var_warn_mib -1"},
		{"no supported", "supported: []\n", "supported: the list of supported operating systems is empty"},
		{"bad match", "supported: [{name: X, platform_names: [X], match: regex}]\n", `supported[0]: X: match "regex" is not one of exact, prefix, contains`},
		{"bad range", "supported: [{name: X, platform_names: [X], versions: [{min: abc}]}]\n", `supported[0]: X: versions[0]: "abc" is not a version`},
		{"exclusion without reason", "unsupported: [{name: Y, platform_names: [Y]}]\n", "unsupported[0]: Y: reason is empty"},
		{"unknown base", "extends: newest\n", "extends: --rules \"newest\": unknown rule set"},
		{"not yaml", "{{{", "rules file is not valid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.doc), "seed")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadFileNamesThePath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ours.yaml")
	if err := os.WriteFile(path, []byte("var_warn_mib: 1000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := LoadFile(path, "aws-current")
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "file:ours.yaml extends aws-current" || r.VarWarnMiB != 1000 {
		t.Fatalf("rules from a file: name %q, var_warn_mib %d", r.Name, r.VarWarnMiB)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("nope: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(bad, "seed"); err == nil || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Fatalf("err = %v, want it to start with the path", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yaml"), "seed"); err == nil || !strings.Contains(err.Error(), "open rules file") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestLoadAcceptsJSON(t *testing.T) {
	doc := `{"min_agent_version":"2.0.834.0","supported":[{"name":"X","platform_names":["X"]}]}`
	if _, err := Load(strings.NewReader(doc), "seed"); err != nil {
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
