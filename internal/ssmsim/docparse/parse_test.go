package docparse

import (
	"slices"
	"strings"
	"testing"

	"github.com/patchready/patchready/documents"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		content   string
		format    string
		wantErr   string
		wantKind  Kind
		wantSteps []string
		wantPlat  []string
		// wantRun are prefixes of the first step's runCommand elements.
		wantRun []string
	}{
		{name: "probe document", content: documents.ProbeYAML, format: "YAML", wantKind: Generic,
			wantSteps: []string{documents.ProbeStepName}, wantRun: []string{"#!/bin/sh\n"}},
		{name: "fix document", content: documents.FixYAML, format: "YAML", wantKind: Generic,
			wantSteps: []string{documents.FixStepName}, wantRun: []string{"#!/bin/sh\n"}},
		{name: "schema 1.2 shell plugin", content: `{"schemaVersion":"1.2","runtimeConfig":{"aws:runShellScript":{"properties":[{"runCommand":"{{ commands }}"}]}}}`,
			wantKind: Generic, wantSteps: []string{"aws:runShellScript"}, wantRun: []string{"{{ commands }}"}},
		{name: "2.2 runCommand list", content: `{"schemaVersion":"2.2","mainSteps":[{"action":"aws:runShellScript","name":"s","inputs":{"runCommand":["echo a","echo b"]}}]}`,
			wantKind: Generic, wantSteps: []string{"s"}, wantRun: []string{"echo a", "echo b"}},
		{name: "update agent by action", content: `{"schemaVersion":"2.2","mainSteps":[{"action":"aws:updateSsmAgent","name":"u"}]}`,
			wantKind: UpdateAgent, wantSteps: []string{"u"}, wantPlat: []string{"Windows", "Linux", "MacOS"}},
		{name: "shell is Linux and macOS", content: `{"schemaVersion":"2.2","mainSteps":[{"action":"aws:runShellScript","name":"s"}]}`,
			wantKind: Generic, wantSteps: []string{"s"}, wantPlat: []string{"Linux", "MacOS"}},
		{name: "schema 1.2 plugins sorted", content: `{"schemaVersion":"1.2","runtimeConfig":{"b:x":{},"a:y":{}}}`,
			wantKind: Generic, wantSteps: []string{"a:y", "b:x"}},
		{name: "YAML sent as JSON is refused", content: "schemaVersion: '2.2'\n", format: "JSON", wantErr: "not valid JSON"},
		{name: "unknown format", content: "{}", format: "TEXT", wantErr: "not supported"},
		{name: "bad schema version", content: `{"schemaVersion":"3.0"}`, wantErr: "schemaVersion"},
		{name: "no steps", content: `{"schemaVersion":"2.2","mainSteps":[]}`, wantErr: "mainSteps"},
		{name: "step without name", content: `{"schemaVersion":"2.2","mainSteps":[{"action":"aws:runShellScript"}]}`, wantErr: "action and name"},
		{name: "bad parameter type", content: `{"schemaVersion":"2.2","parameters":{"p":{"type":"Float"}},"mainSteps":[{"action":"a","name":"n"}]}`, wantErr: "parameter p"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(tc.content, tc.format)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Parse error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d.Kind != tc.wantKind {
				t.Errorf("Kind = %d, want %d", d.Kind, tc.wantKind)
			}
			var names []string
			for _, s := range d.Steps {
				names = append(names, s.Name)
			}
			if !slices.Equal(names, tc.wantSteps) {
				t.Errorf("steps = %v, want %v", names, tc.wantSteps)
			}
			if tc.wantRun != nil {
				run := d.Steps[0].RunCommand
				if len(run) != len(tc.wantRun) {
					t.Fatalf("runCommand has %d elements, want %d", len(run), len(tc.wantRun))
				}
				for i, w := range tc.wantRun {
					if !strings.HasPrefix(run[i], w) {
						t.Errorf("runCommand[%d] = %.40q, want it to start %q", i, run[i], w)
					}
				}
			}
			if tc.wantPlat != nil && !slices.Equal(d.PlatformTypes(), tc.wantPlat) {
				t.Errorf("PlatformTypes = %v, want %v", d.PlatformTypes(), tc.wantPlat)
			}
		})
	}
}

func TestParseParameters(t *testing.T) {
	d, err := Parse(`{"schemaVersion":"2.2","parameters":{
		"list":{"type":"StringList","default":["a","b"]},
		"n":{"type":"Integer","default":3},
		"s":{"type":"String","allowedValues":["x","y"]}},
		"mainSteps":[{"action":"aws:runShellScript","name":"n","precondition":{"StringEquals":["platformType","Linux"]}}]}`, "JSON")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"list": "a,b", "n": "3"}
	for _, p := range d.Params {
		if def, ok := want[p.Name]; ok && (p.Default == nil || *p.Default != def) {
			t.Errorf("%s default = %v, want %s", p.Name, p.Default, def)
		}
		if p.Name == "s" && (p.Default != nil || !slices.Equal(p.AllowedValues, []string{"x", "y"})) {
			t.Errorf("s = %+v", p)
		}
	}
	if d.Steps[0].Platform != "Linux" {
		t.Errorf("step platform = %q, want Linux", d.Steps[0].Platform)
	}
}

func TestConvert(t *testing.T) {
	out, err := Convert(`{"schemaVersion":"2.2"}`, "JSON", "YAML")
	if err != nil || strings.TrimSpace(out) != "schemaVersion: \"2.2\"" {
		t.Fatalf("Convert JSON to YAML = %q, %v", out, err)
	}
	back, err := Convert(out, "YAML", "JSON")
	if err != nil || !strings.Contains(back, `"schemaVersion": "2.2"`) {
		t.Fatalf("Convert YAML to JSON = %q, %v", back, err)
	}
	same, err := Convert("x: 1", "YAML", "")
	if err != nil || same != "x: 1" {
		t.Fatalf("Convert to the same format = %q, %v", same, err)
	}
}
