package scripttest

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/patchready/patchready/documents"
)

// ssmDoc is the part of a command document the agent reads here.
type ssmDoc struct {
	Parameters map[string]struct {
		Default        string `yaml:"default"`
		AllowedPattern string `yaml:"allowedPattern"`
	} `yaml:"parameters"`
	MainSteps []struct {
		Name   string `yaml:"name"`
		Inputs struct {
			RunCommand []string `yaml:"runCommand"`
		} `yaml:"inputs"`
	} `yaml:"mainSteps"`
}

// docScript is the script the agent runs for a document's only step: its
// runCommand lines joined, each {{ name }} replaced by the parameter's
// value (or default), after checking the value against allowedPattern as
// SSM does before sending.
func docScript(t *testing.T, content string, params map[string]string) string {
	t.Helper()
	var d ssmDoc
	if err := yaml.Unmarshal([]byte(content), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.MainSteps) != 1 {
		t.Fatalf("want one step, got %d", len(d.MainSteps))
	}
	script := strings.Join(d.MainSteps[0].Inputs.RunCommand, "\n")
	for name, p := range d.Parameters {
		v, ok := params[name]
		if !ok {
			v = p.Default
		}
		if p.AllowedPattern != "" && !regexp.MustCompile(p.AllowedPattern).MatchString(v) {
			t.Fatalf("parameter %s=%q does not match %s", name, v, p.AllowedPattern)
		}
		script = regexp.MustCompile(`\{\{\s*`+regexp.QuoteMeta(name)+`\s*\}\}`).ReplaceAllLiteralString(script, v)
	}
	if strings.Contains(script, "{{") {
		t.Fatalf("unsubstituted parameter left in the script")
	}
	return script
}

func probeScript(t *testing.T) string { return docScript(t, documents.ProbeYAML, nil) }

// fixScript is the fix document's script for actions, with minRequests
// min (its default when empty).
func fixScript(t *testing.T, actions, min string) string {
	params := map[string]string{"actions": actions}
	if min != "" {
		params["minRequests"] = min
	}
	return docScript(t, documents.FixYAML, params)
}

// lines are the non-empty lines of stdout.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// probeReport decodes a probe report line strictly, and as a map for
// comparing fields by their JSON names.
func probeReport(t *testing.T, line string) (documents.ProbeReport, map[string]any) {
	t.Helper()
	var r documents.ProbeReport
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("probe report %q: %v", line, err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatal(err)
	}
	if n := reflect.TypeOf(r).NumField(); len(m) != n {
		t.Errorf("probe report has %d fields, want every field of ProbeReport (%d): %s", len(m), n, line)
	}
	if r.Schema != documents.ProbeReportSchema {
		t.Errorf("schema %d, want %d", r.Schema, documents.ProbeReportSchema)
	}
	return r, m
}

// fields are expected report values by JSON name.
type fields map[string]any

func checkFields(t *testing.T, what string, got map[string]any, want fields) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: no field %s", what, k)
			continue
		}
		if n, isInt := w.(int); isInt {
			w = float64(n)
		}
		if g != w {
			t.Errorf("%s: %s = %#v, want %#v", what, k, g, w)
		}
	}
}
