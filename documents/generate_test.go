package documents_test

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/documents/internal/docgen"
)

// TestGeneratedDocumentsAreCurrent fails when probe.yaml or fix.yaml was
// edited by hand or the scripts changed without `go generate ./documents`.
func TestGeneratedDocumentsAreCurrent(t *testing.T) {
	files, err := docgen.Files(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	embedded := map[string]string{"probe.yaml": documents.ProbeYAML, "fix.yaml": documents.FixYAML}
	for name, want := range files {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s is not what the generator makes: run go generate ./documents", name)
		}
		if embedded[name] != string(want) {
			t.Errorf("the embedded %s differs from the generated one", name)
		}
	}
}

type command struct {
	SchemaVersion string `yaml:"schemaVersion"`
	Parameters    map[string]struct {
		Type           string `yaml:"type"`
		Default        *string
		AllowedPattern string `yaml:"allowedPattern"`
	} `yaml:"parameters"`
	MainSteps []struct {
		Action       string              `yaml:"action"`
		Name         string              `yaml:"name"`
		Precondition map[string][]string `yaml:"precondition"`
		Inputs       struct {
			RunCommand []string `yaml:"runCommand"`
		} `yaml:"inputs"`
	} `yaml:"mainSteps"`
}

// TestDocumentShapes checks what SSM and the agent read: schema, step
// name and action, the Linux precondition, the parameters, and that each
// runCommand is the concatenated scripts.
func TestDocumentShapes(t *testing.T) {
	for _, tc := range []struct {
		content, step string
		fragments     []string
		params        []string
	}{
		{documents.ProbeYAML, documents.ProbeStepName, docgen.ProbeFragments, nil},
		{documents.FixYAML, documents.FixStepName, docgen.FixFragments, []string{"actions", "minRequests"}},
	} {
		var c command
		if err := yaml.Unmarshal([]byte(tc.content), &c); err != nil {
			t.Fatal(err)
		}
		if c.SchemaVersion != "2.2" || len(c.MainSteps) != 1 {
			t.Fatalf("%s: schemaVersion %q, %d steps", tc.step, c.SchemaVersion, len(c.MainSteps))
		}
		s := c.MainSteps[0]
		if s.Action != "aws:runShellScript" || s.Name != tc.step {
			t.Errorf("step %q action %q", s.Name, s.Action)
		}
		if p := s.Precondition["StringEquals"]; len(p) != 2 || p[0] != "platformType" || p[1] != "Linux" {
			t.Errorf("%s: precondition %v", tc.step, s.Precondition)
		}
		want, err := docgen.Script(os.DirFS("."), tc.fragments)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Inputs.RunCommand) != 1 || s.Inputs.RunCommand[0] != want {
			t.Errorf("%s: runCommand is not the concatenated scripts", tc.step)
		}
		if len(c.Parameters) != len(tc.params) {
			t.Errorf("%s: parameters %v, want %v", tc.step, c.Parameters, tc.params)
		}
		for _, p := range tc.params {
			if _, ok := c.Parameters[p]; !ok {
				t.Errorf("%s: no parameter %s", tc.step, p)
			}
			if !strings.Contains(want, "{{ "+p+" }}") {
				t.Errorf("%s: the script does not use {{ %s }}", tc.step, p)
			}
		}
	}
}

// TestFixParameterPatterns holds the fix document's allowedPatterns to
// what the script may safely receive inside single quotes.
func TestFixParameterPatterns(t *testing.T) {
	var c command
	if err := yaml.Unmarshal([]byte(documents.FixYAML), &c); err != nil {
		t.Fatal(err)
	}
	if d := c.Parameters["minRequests"].Default; d == nil || *d != "2.18.4" {
		t.Errorf("minRequests default %v", d)
	}
	if c.Parameters["actions"].Default != nil {
		t.Errorf("actions has a default; the tool must always say what to fix")
	}
	for _, tc := range []struct {
		param, value string
		ok           bool
	}{
		{"actions", "python", true},
		{"actions", "requests,curl,python", true},
		{"actions", "python,curl,requests,python", false},
		{"actions", "python;reboot", false},
		{"actions", "", false},
		{"actions", "python'", false},
		{"minRequests", "2.18.4", true},
		{"minRequests", "2.28", true},
		{"minRequests", "2.18.4'", false},
		{"minRequests", "latest", false},
	} {
		re := mustCompile(t, c.Parameters[tc.param].AllowedPattern)
		if re.MatchString(tc.value) != tc.ok {
			t.Errorf("%s=%q matches %v, want %v", tc.param, tc.value, !tc.ok, tc.ok)
		}
	}
}
