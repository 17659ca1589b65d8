package prereq

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed prereqs.yaml
var defaultYAML []byte

// maxPrereqsFile caps how much of a --prereqs file is read. A real file is a
// few kilobytes; the cap only stops a wrong path (a disk image, /dev/zero)
// from exhausting memory.
const maxPrereqsFile = 4 << 20

// Prereqs is the set of prerequisites a fleet is evaluated against. It is
// plain data so that a plan can record exactly what it was made with.
type Prereqs struct {
	// MinAgentVersion is the lowest acceptable SSM Agent version.
	MinAgentVersion string `json:"min_agent_version" yaml:"min_agent_version"`
	// MinRequestsVersion is the lowest acceptable Python requests version on
	// Amazon Linux nodes behind a proxy.
	MinRequestsVersion string `json:"min_requests_version" yaml:"min_requests_version"`
	// Supported lists the operating systems Patch Manager supports.
	Supported []OSRule `json:"supported" yaml:"supported"`
	// Unsupported lists operating systems excluded by name, each with a
	// reason. They are checked before Supported so that an exclusion inside a
	// supported range (CentOS 6.3 inside CentOS 6.x) wins.
	Unsupported []OSRule `json:"unsupported,omitempty" yaml:"unsupported,omitempty"`
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

// Default returns the prerequisites embedded in patchready.
func Default() Prereqs {
	p, err := Load(bytes.NewReader(defaultYAML))
	if err != nil {
		// The embedded file is checked by the tests; reaching this is a build
		// defect, not a user error.
		panic(fmt.Sprintf("embedded prereqs.yaml: %v", err))
	}
	return p
}

// Load reads prerequisites from YAML (JSON is valid YAML). Unknown fields
// are rejected so that a misspelt key is not silently ignored.
func Load(r io.Reader) (Prereqs, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPrereqsFile+1))
	if err != nil {
		return Prereqs{}, fmt.Errorf("read prerequisites: %w", err)
	}
	if len(data) > maxPrereqsFile {
		return Prereqs{}, fmt.Errorf("prerequisites file is larger than %d MiB; is it the right file?", maxPrereqsFile>>20)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Prereqs
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return Prereqs{}, errors.New("prerequisites file is empty")
		}
		return Prereqs{}, fmt.Errorf("prerequisites file is not valid: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Prereqs{}, err
	}
	return p, nil
}

// LoadFile reads prerequisites from the file at path (the --prereqs flag).
func LoadFile(path string) (Prereqs, error) {
	f, err := os.Open(path)
	if err != nil {
		return Prereqs{}, fmt.Errorf("open prerequisites: %w", err)
	}
	defer f.Close()
	p, err := Load(f)
	if err != nil {
		return Prereqs{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// WithMinAgentVersion returns a copy of p whose agent floor is v. It is how
// --min-agent-version raises the floor; v must look like a version SSM
// reports, e.g. 3.3.1142.0.
func (p Prereqs) WithMinAgentVersion(v string) (Prereqs, error) {
	if _, ok := parseAgentVersion(v); !ok {
		return Prereqs{}, fmt.Errorf("minimum agent version %s is not a version like 2.0.834.0", quoteShort(v))
	}
	p.MinAgentVersion = v
	return p, nil
}

// Validate reports the first thing in p that would make evaluation
// meaningless: a missing or malformed floor, or an OS rule that cannot match.
func (p Prereqs) Validate() error {
	if _, ok := parseAgentVersion(p.MinAgentVersion); !ok {
		return fmt.Errorf("min_agent_version %s is not a version like 2.0.834.0", quoteShort(p.MinAgentVersion))
	}
	if _, ok := parseLooseVersion(p.MinRequestsVersion); !ok {
		return fmt.Errorf("min_requests_version %s is not a version like 2.18.4", quoteShort(p.MinRequestsVersion))
	}
	if len(p.Supported) == 0 {
		return errors.New("supported: the list of supported operating systems is empty")
	}
	for i, r := range p.Supported {
		if err := r.validate(false); err != nil {
			return fmt.Errorf("supported[%d]: %w", i, err)
		}
	}
	for i, r := range p.Unsupported {
		if err := r.validate(true); err != nil {
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
