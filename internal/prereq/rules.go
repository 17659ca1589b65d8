package prereq

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed rules/*.yaml
var rulesFS embed.FS

// maxRulesFile caps how much of a --rules-file is read. A real file is a few
// kilobytes; the cap only stops a wrong path (a disk image, /dev/zero) from
// exhausting memory.
const maxRulesFile = 4 << 20

// DefaultRules names the rules used unless --rules says otherwise: the
// prerequisites page patchready started from.
const DefaultRules = "seed"

// RuleSets lists the built-in rule sets, the values --rules accepts.
func RuleSets() []string { return []string{"seed", "aws-current"} }

// Rules are the prerequisites a fleet is evaluated against: versioned data
// that a plan records whole, so that it says exactly what it was made with.
type Rules struct {
	// Name is the rule set (seed, aws-current) or, for a user's file,
	// "file:NAME extends BASE".
	Name string `json:"name" yaml:"name"`
	// Version dates the page the rules come from.
	Version string `json:"version" yaml:"version"`
	// Source says where the rules come from, for a reviewer.
	Source string `json:"source,omitempty" yaml:"source,omitempty"`
	// Extends names the built-in rules a user's file starts from; only
	// files use it, and Load resolves it, so a plan never carries it.
	Extends string `json:"-" yaml:"extends,omitempty"`

	// MinAgentVersion is the lowest acceptable SSM Agent version.
	MinAgentVersion string `json:"min_agent_version" yaml:"min_agent_version"`
	// MinRequestsVersion is the lowest acceptable Python requests version
	// on Amazon Linux nodes behind a proxy.
	MinRequestsVersion string `json:"min_requests_version" yaml:"min_requests_version"`
	// Python is the range of the interpreter the patch run uses.
	Python PythonRule `json:"python" yaml:"python"`
	// VarWarnMiB is the free space in /var below which the plan notes the
	// node (0: no note).
	VarWarnMiB int `json:"var_warn_mib" yaml:"var_warn_mib"`
	// Supported lists the operating systems Patch Manager supports.
	Supported []OSRule `json:"supported" yaml:"supported"`
	// Unsupported lists operating systems excluded by name, each with a
	// reason. They are checked before Supported so that an exclusion inside a
	// supported range (CentOS 6.3 inside CentOS 6.x) wins.
	Unsupported []OSRule `json:"unsupported,omitempty" yaml:"unsupported,omitempty"`
}

// PythonRule is the interpreter range the patch run supports.
type PythonRule struct {
	// Min and Max bound the version, inclusive at their own precision
	// ("3.12" admits 3.12.4); an empty Max leaves the top open.
	Min string `json:"min" yaml:"min"`
	Max string `json:"max,omitempty" yaml:"max,omitempty"`
	// Python3Required lists platform names (prefixes, ignoring case)
	// whose patch run needs Python 3.
	Python3Required []string `json:"python3_required,omitempty" yaml:"python3_required,omitempty"`
}

// OSRule matches nodes by platform type, platform name and version.
type OSRule struct {
	// Name is how reasons refer to the rule, e.g. "CentOS Linux".
	Name string `json:"name" yaml:"name"`
	// PlatformType is Linux, Windows or MacOS; empty matches any.
	PlatformType string `json:"platform_type,omitempty" yaml:"platform_type,omitempty"`
	// PlatformNames are compared with the node's PlatformName, ignoring case.
	PlatformNames []string `json:"platform_names" yaml:"platform_names"`
	// Match says how PlatformNames are compared; empty means exact.
	Match MatchMode `json:"match,omitempty" yaml:"match,omitempty"`
	// Versions are the accepted PlatformVersion ranges; empty means any.
	Versions []VersionRange `json:"versions,omitempty" yaml:"versions,omitempty"`
	// Reason explains an exclusion; required in Unsupported rules.
	Reason string `json:"reason,omitempty" yaml:"reason,omitempty"`
}

// MatchMode is how an OSRule compares platform names.
type MatchMode string

// Match modes.
const (
	MatchExact    MatchMode = "exact"
	MatchPrefix   MatchMode = "prefix"
	MatchContains MatchMode = "contains"
)

// VersionRange is an inclusive range of platform versions. Max is inclusive
// at its own precision, so "9" admits every 9.x; an empty Min or Max leaves
// that end open.
type VersionRange struct {
	Min string `json:"min,omitempty" yaml:"min,omitempty"`
	Max string `json:"max,omitempty" yaml:"max,omitempty"`
}

// Default returns the default rules (DefaultRules).
func Default() Rules {
	r, err := Builtin(DefaultRules)
	if err != nil {
		// The embedded files are checked by the tests; reaching this is a
		// build defect, not a user error.
		panic(fmt.Sprintf("embedded rules %s: %v", DefaultRules, err))
	}
	return r
}

// Builtin returns the built-in rule set name (see RuleSets).
func Builtin(name string) (Rules, error) {
	data, err := builtinYAML(name)
	if err != nil {
		return Rules{}, err
	}
	return decodeRules(data)
}

func builtinYAML(name string) ([]byte, error) {
	if !slices.Contains(RuleSets(), name) {
		return nil, fmt.Errorf("--rules %s: unknown rule set; use one of %s, or --rules-file for your own",
			quoteShort(name), strings.Join(RuleSets(), ", "))
	}
	return rulesFS.ReadFile("rules/" + name + ".yaml")
}

// Load reads a user's rules (YAML; JSON is valid YAML) over a built-in base:
// every top-level field the file sets replaces the base's, the others are
// kept. The file's own `extends:` names the base; when it has none, base is
// used. Unknown fields are rejected so that a misspelt key is not silently
// ignored.
func Load(r io.Reader, base string) (Rules, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxRulesFile+1))
	if err != nil {
		return Rules{}, fmt.Errorf("read rules: %w", err)
	}
	if len(data) > maxRulesFile {
		return Rules{}, fmt.Errorf("rules file is larger than %d MiB; is it the right file?", maxRulesFile>>20)
	}
	var over map[string]yaml.Node
	if err := yaml.Unmarshal(data, &over); err != nil {
		return Rules{}, fmt.Errorf("rules file is not valid YAML: %w", err)
	}
	if len(over) == 0 {
		return Rules{}, errors.New("rules file is empty")
	}
	if ext, ok := over["extends"]; ok {
		base = ext.Value
	}
	baseData, err := builtinYAML(base)
	if err != nil {
		return Rules{}, fmt.Errorf("extends: %w", err)
	}
	var merged map[string]yaml.Node
	if err := yaml.Unmarshal(baseData, &merged); err != nil {
		return Rules{}, fmt.Errorf("built-in rules %s: %w", base, err)
	}
	for k, v := range over {
		merged[k] = v
	}
	out, err := yaml.Marshal(merged)
	if err != nil {
		return Rules{}, fmt.Errorf("merge rules over %s: %w", base, err)
	}
	rules, err := decodeRules(out)
	if err != nil {
		return Rules{}, err
	}
	rules.Extends = base
	return rules, nil
}

// LoadFile reads a user's rules from path over base (the --rules-file flag).
// The rules are named after the file, so a plan says which file made it.
func LoadFile(path, base string) (Rules, error) {
	f, err := os.Open(path)
	if err != nil {
		return Rules{}, fmt.Errorf("open rules file: %w", err)
	}
	defer f.Close()
	r, err := Load(f, base)
	if err != nil {
		return Rules{}, fmt.Errorf("%s: %w", path, err)
	}
	r.Name = "file:" + filepath.Base(path) + " extends " + r.Extends
	return r, nil
}

func decodeRules(data []byte) (Rules, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var r Rules
	if err := dec.Decode(&r); err != nil {
		if errors.Is(err, io.EOF) {
			return Rules{}, errors.New("rules file is empty")
		}
		return Rules{}, fmt.Errorf("rules are not valid: %w", err)
	}
	if err := r.Validate(); err != nil {
		return Rules{}, err
	}
	return r, nil
}

// WithMinAgentVersion returns a copy of r whose agent floor is v. It is how
// --min-agent-version raises the floor; v must look like a version SSM
// reports, e.g. 3.3.1142.0.
func (r Rules) WithMinAgentVersion(v string) (Rules, error) {
	if _, ok := parseAgentVersion(v); !ok {
		return Rules{}, fmt.Errorf("minimum agent version %s is not a version like 2.0.834.0", quoteShort(v))
	}
	r.MinAgentVersion = v
	return r, nil
}

// Validate reports the first thing in r that would make evaluation
// meaningless: a missing or malformed floor, or an OS rule that cannot match.
func (r Rules) Validate() error {
	if strings.TrimSpace(r.Name) == "" {
		return errors.New("name is empty: name the rules so a plan can say what it was made with")
	}
	if _, ok := parseAgentVersion(r.MinAgentVersion); !ok {
		return fmt.Errorf("min_agent_version %s is not a version like 2.0.834.0", quoteShort(r.MinAgentVersion))
	}
	if _, ok := parseLooseVersion(r.MinRequestsVersion); !ok {
		return fmt.Errorf("min_requests_version %s is not a version like 2.18.4", quoteShort(r.MinRequestsVersion))
	}
	if _, ok := parseLooseVersion(r.Python.Min); !ok {
		return fmt.Errorf("python.min %s is not a version like 2.6", quoteShort(r.Python.Min))
	}
	if r.Python.Max != "" {
		if _, ok := parseLooseVersion(r.Python.Max); !ok {
			return fmt.Errorf("python.max %s is not a version like 3.12", quoteShort(r.Python.Max))
		}
	}
	if r.VarWarnMiB < 0 {
		return fmt.Errorf("var_warn_mib %d: must be 0 (no note) or more", r.VarWarnMiB)
	}
	if len(r.Supported) == 0 {
		return errors.New("supported: the list of supported operating systems is empty")
	}
	for i, o := range r.Supported {
		if err := o.validate(false); err != nil {
			return fmt.Errorf("supported[%d]: %w", i, err)
		}
	}
	for i, o := range r.Unsupported {
		if err := o.validate(true); err != nil {
			return fmt.Errorf("unsupported[%d]: %w", i, err)
		}
	}
	return nil
}

func (r OSRule) validate(needReason bool) error {
	if strings.TrimSpace(r.Name) == "" {
		return errors.New("name is empty")
	}
	if len(r.PlatformNames) == 0 {
		return fmt.Errorf("%s: platform_names is empty", r.Name)
	}
	switch r.Match {
	case "", MatchExact, MatchPrefix, MatchContains:
	default:
		return fmt.Errorf("%s: match %q is not one of exact, prefix, contains", r.Name, r.Match)
	}
	switch r.PlatformType {
	case "", "Linux", "Windows", "MacOS":
	default:
		return fmt.Errorf("%s: platform_type %q is not one of Linux, Windows, MacOS", r.Name, r.PlatformType)
	}
	for j, vr := range r.Versions {
		if vr.Min == "" && vr.Max == "" {
			return fmt.Errorf("%s: versions[%d] has neither min nor max", r.Name, j)
		}
		for _, s := range []string{vr.Min, vr.Max} {
			if s == "" {
				continue
			}
			if _, ok := parseLooseVersion(s); !ok {
				return fmt.Errorf("%s: versions[%d]: %s is not a version", r.Name, j, quoteShort(s))
			}
		}
	}
	if needReason && strings.TrimSpace(r.Reason) == "" {
		return fmt.Errorf("%s: reason is empty; say why it is excluded", r.Name)
	}
	return nil
}
