package docparse

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Kind is how a simulated node reacts to a document: the agent update is
// modelled in Go; every other document's aws:runShellScript steps run
// their scripts on the node (whatever they are, the project's documents
// included), and other actions succeed doing nothing.
type Kind int

const (
	Generic     Kind = iota // runs its shell steps, if any
	UpdateAgent             // uses aws:updateSsmAgent
)

// Param is one declared parameter of a document.
type Param struct {
	Name           string
	Type           string // String | StringList | Boolean | Integer | MapList | StringMap
	Description    string
	Default        *string
	AllowedValues  []string
	AllowedPattern string
}

// Step is one step (2.x mainSteps) or plugin (1.2 runtimeConfig).
type Step struct {
	Name   string
	Action string
	// Platform is the platformType a StringEquals precondition requires,
	// or "" when the step runs everywhere.
	Platform string
	// RunCommand is an aws:runShellScript step's runCommand, before
	// parameter substitution: one element per line or block, or a single
	// "{{ param }}" that a StringList parameter expands to.
	RunCommand []string
}

// Doc is what the simulator needs from a document's content.
type Doc struct {
	SchemaVersion string
	Description   string
	Params        []Param
	Steps         []Step
	Kind          Kind
}

// rawDoc mirrors the parts of an SSM document the simulator reads.
type rawDoc struct {
	SchemaVersion string                    `yaml:"schemaVersion" json:"schemaVersion"`
	Description   string                    `yaml:"description" json:"description"`
	Parameters    map[string]rawParam       `yaml:"parameters" json:"parameters"`
	MainSteps     []rawStep                 `yaml:"mainSteps" json:"mainSteps"`
	RuntimeConfig map[string]map[string]any `yaml:"runtimeConfig" json:"runtimeConfig"`
}

type rawParam struct {
	Type           string   `yaml:"type" json:"type"`
	Description    string   `yaml:"description" json:"description"`
	Default        any      `yaml:"default" json:"default"`
	AllowedValues  []string `yaml:"allowedValues" json:"allowedValues"`
	AllowedPattern string   `yaml:"allowedPattern" json:"allowedPattern"`
}

type rawStep struct {
	Action       string              `yaml:"action" json:"action"`
	Name         string              `yaml:"name" json:"name"`
	Precondition map[string][]string `yaml:"precondition" json:"precondition"`
	Inputs       map[string]any      `yaml:"inputs" json:"inputs"`
}

// Parse checks a Command document's content in its declared format
// and extracts its parameters and steps. Errors become InvalidDocumentContent.
func Parse(content, format string) (*Doc, error) {
	var raw rawDoc
	switch format {
	case "JSON", "":
		// AWS's default format is JSON: YAML content sent without
		// DocumentFormat YAML is rejected, so the simulator rejects it too.
		if err := json.Unmarshal([]byte(content), &raw); err != nil {
			return nil, fmt.Errorf("content is not valid JSON: %w", err)
		}
	case "YAML":
		if err := yaml.Unmarshal([]byte(content), &raw); err != nil {
			return nil, fmt.Errorf("content is not valid YAML: %w", err)
		}
	default:
		return nil, fmt.Errorf("document format %s is not supported for Command documents", format)
	}
	d := &Doc{SchemaVersion: raw.SchemaVersion, Description: raw.Description}
	switch raw.SchemaVersion {
	case "2.0", "2.2":
		if len(raw.MainSteps) == 0 {
			return nil, fmt.Errorf("mainSteps must list at least one step")
		}
		for i, s := range raw.MainSteps {
			if s.Action == "" || s.Name == "" {
				return nil, fmt.Errorf("step %d needs both action and name", i+1)
			}
			d.Steps = append(d.Steps, Step{Name: s.Name, Action: s.Action, Platform: platformOf(s.Precondition),
				RunCommand: textList(s.Inputs["runCommand"])})
		}
	case "1.2":
		if len(raw.RuntimeConfig) == 0 {
			return nil, fmt.Errorf("runtimeConfig must name at least one plugin")
		}
		for action, plugin := range raw.RuntimeConfig {
			st := Step{Name: action, Action: action}
			if props, ok := plugin["properties"].([]any); ok && len(props) > 0 {
				if p0, ok := props[0].(map[string]any); ok {
					st.RunCommand = textList(p0["runCommand"])
				}
			}
			d.Steps = append(d.Steps, st)
		}
		sort.Slice(d.Steps, func(i, j int) bool { return d.Steps[i].Name < d.Steps[j].Name })
	default:
		return nil, fmt.Errorf("schemaVersion %q is not valid for a Command document (1.2, 2.0 or 2.2)", raw.SchemaVersion)
	}
	names := make([]string, 0, len(raw.Parameters))
	for n := range raw.Parameters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p, err := convertParam(n, raw.Parameters[n])
		if err != nil {
			return nil, err
		}
		d.Params = append(d.Params, p)
	}
	d.Kind = kindOf(d.Steps)
	return d, nil
}

func convertParam(name string, p rawParam) (Param, error) {
	switch p.Type {
	case "String", "StringList", "Boolean", "Integer", "MapList", "StringMap":
	default:
		return Param{}, fmt.Errorf("parameter %s has type %q; want String, StringList, Boolean, Integer, MapList or StringMap", name, p.Type)
	}
	out := Param{Name: name, Type: p.Type, Description: p.Description, AllowedValues: p.AllowedValues, AllowedPattern: p.AllowedPattern}
	if p.Default != nil {
		var def string
		switch v := p.Default.(type) {
		case string:
			def = v
		case []any:
			parts := make([]string, len(v))
			for i, x := range v {
				parts[i] = fmt.Sprint(x)
			}
			def = strings.Join(parts, ",")
		default:
			def = fmt.Sprint(v)
		}
		out.Default = &def
	}
	return out, nil
}

// platformOf reads a `StringEquals: [platformType, X]` precondition.
func platformOf(pre map[string][]string) string {
	if v := pre["StringEquals"]; len(v) == 2 && v[0] == "platformType" {
		return v[1]
	}
	return ""
}

func kindOf(steps []Step) Kind {
	for _, s := range steps {
		if s.Action == "aws:updateSsmAgent" {
			return UpdateAgent
		}
	}
	return Generic
}

// textList reads a runCommand value: a list of strings or one string.
func textList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// PlatformTypes returns the PlatformTypes DescribeDocument reports, from
// the actions the document uses.
func (d *Doc) PlatformTypes() []string {
	set := map[string]bool{}
	for _, s := range d.Steps {
		switch s.Action {
		case "aws:runShellScript":
			set["Linux"], set["MacOS"] = true, true
		case "aws:runPowerShellScript":
			set["Windows"] = true
		default:
			set["Linux"], set["MacOS"], set["Windows"] = true, true, true
		}
	}
	out := make([]string, 0, len(set))
	for _, p := range []string{"Windows", "Linux", "MacOS"} {
		if set[p] {
			out = append(out, p)
		}
	}
	return out
}
