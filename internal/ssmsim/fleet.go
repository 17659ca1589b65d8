package ssmsim

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"

	"gopkg.in/yaml.v3"
)

// A fleet file is YAML (or JSON, which YAML reads too):
//
//	nodes:
//	  - id: i-0123456789abcdef0
//	    platform_type: Linux
//	    platform_name: Amazon Linux AMI
//	    platform_version: "2018.03"
//	    agent_version: 2.3.1319.0
//	    proxy: {url: "http://proxy.corp.example:3128", source: upstart-override}
//	    host:
//	      preset: amazon-linux-2          # host.Presets()
//	      without: [python3]              # packages to remove
//	      unoffered: [python2-pip]        # packages the repositories lack
//	      modules: {python2.7: {requests: "2.6.0"}}
//	      payload: proxy                  # direct | proxy | blocked
//	      blocked_by: timeout             # refused | timeout | dns
//	      workdir_noexec: true
//	      var_free_mb: 200
//
// Nodes without host: get their platform's preset, shaped by the older
// fields python, pip, requests and faults.no_pip.
//
// Field names are the json/yaml tags of Node. Unknown fields are errors, so
// a typo does not silently become a default.

var (
	reFleetEC2ID    = regexp.MustCompile(`^i-([0-9a-f]{8}|[0-9a-f]{17})$`)
	reFleetHybridID = regexp.MustCompile(`^mi-[0-9a-f]{17}$`)
)

//go:embed sample-fleet.yaml
var sampleFleetYAML []byte

// SampleFleet returns the hand-written demo fleet: old and current agents,
// proxied Amazon Linux with old requests, Windows, macOS, unsupported
// systems, an offline node, a node whose update fails and a hybrid node.
func SampleFleet() Fleet {
	f, err := LoadFleet(bytes.NewReader(sampleFleetYAML))
	if err != nil {
		panic(fmt.Sprintf("ssmsim: embedded sample fleet: %v", err)) // a build defect, caught by tests
	}
	return f
}

// LoadFleetFile reads a fleet file (YAML or JSON).
func LoadFleetFile(path string) (Fleet, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Fleet{}, fmt.Errorf("open fleet file: %w", err)
	}
	defer fh.Close()
	f, err := LoadFleet(fh)
	if err != nil {
		return Fleet{}, fmt.Errorf("fleet file %s: %w", path, err)
	}
	return f, nil
}

// LoadFleet reads a fleet in YAML or JSON, rejecting unknown fields,
// malformed or duplicate node IDs and values SSM would never report.
func LoadFleet(r io.Reader) (Fleet, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var f Fleet
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return Fleet{}, errors.New("fleet is empty: want a document with a nodes list")
		}
		return Fleet{}, fmt.Errorf("decode fleet: %w", err)
	}
	seen := make(map[string]int, len(f.Nodes))
	in := interner{}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if err := checkFleetNode(n); err != nil {
			return Fleet{}, fmt.Errorf("node %d (%s): %w", i+1, n.ID, err)
		}
		if j, dup := seen[n.ID]; dup {
			return Fleet{}, fmt.Errorf("node %d: ID %s is already used by node %d", i+1, n.ID, j+1)
		}
		seen[n.ID] = i
		in.node(n)
	}
	return f, nil
}

func checkFleetNode(n *Node) error {
	switch {
	case n.ID == "":
		return errors.New("id is required")
	case !reFleetEC2ID.MatchString(n.ID) && !reFleetHybridID.MatchString(n.ID):
		return fmt.Errorf("id %q is not a node ID: want i- and 8 or 17 hex digits, or mi- and 17", n.ID)
	}
	checks := []struct {
		field, value string
		allowed      []string
	}{
		{"platform_type", n.PlatformType, []string{"Linux", "Windows", "MacOS"}},
		{"ping_status", n.PingStatus, []string{"Online", "ConnectionLost", "Inactive"}},
		{"resource_type", n.ResourceType, []string{"EC2Instance", "ManagedInstance"}},
		{"proxy.source", n.Proxy.Source, []string{"process", "systemd-override", "upstart-override"}},
	}
	for _, c := range checks {
		if c.value != "" && !contains(c.allowed, c.value) {
			return fmt.Errorf("%s %q is not one of %v", c.field, c.value, c.allowed)
		}
	}
	if n.AgentVersion != "" && !reAgentVersion.MatchString(n.AgentVersion) {
		return fmt.Errorf("agent_version %q is not a version like 3.3.1142.0", n.AgentVersion)
	}
	if n.ResourceType == "ManagedInstance" && !reFleetHybridID.MatchString(n.ID) {
		return errors.New("resource_type ManagedInstance needs an mi- ID")
	}
	if n.Faults.Slow < 0 {
		return fmt.Errorf("faults.slow %v must not be negative", n.Faults.Slow)
	}
	if n.Patches != nil {
		if err := n.Patches.Check(); err != nil {
			return err
		}
	}
	if n.Faults.ScanFails && n.PlatformType == "Linux" {
		return errors.New("faults.scan_fails is for Windows and macOS nodes; a Linux node's scan fails by its host (repos, payload, lock_held_by...)")
	}
	if n.Host != nil {
		if n.PlatformType != "Linux" {
			return fmt.Errorf("host describes Linux software; platform_type is %q", n.PlatformType)
		}
		// Built once per distinct spec (hostFor interns), so a large fleet
		// of few kinds of node loads fast.
		h, err := hostFor(n)
		if err != nil {
			return err
		}
		n.sw = h
		n.mirrorSoftware()
	}
	return nil
}

// interner makes nodes share one copy of the strings that repeat across a
// fleet (platform names, versions, paths, tags): at 100,000 nodes the
// duplicates would cost tens of megabytes.
type interner map[string]string

func (in interner) s(p *string) {
	if *p == "" {
		return
	}
	if v, ok := in[*p]; ok {
		*p = v
		return
	}
	in[*p] = *p
}

func (in interner) node(n *Node) {
	for _, p := range []*string{&n.ResourceType, &n.PlatformType, &n.PlatformName, &n.PlatformVersion,
		&n.AgentVersion, &n.PingStatus, &n.IAMRole, &n.Proxy.URL, &n.Proxy.Source, &n.Proxy.NoProxy,
		&n.Python, &n.Pip, &n.Requests} {
		in.s(p)
	}
	if len(n.Tags) > 0 {
		tags := make(map[string]string, len(n.Tags))
		for k, v := range n.Tags {
			in.s(&k)
			in.s(&v)
			tags[k] = v
		}
		n.Tags = tags
	}
}
