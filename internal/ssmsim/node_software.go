package ssmsim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// softwareOf returns the node's software model, building it on first use
// from its host spec, or, for a node without one, from its platform and
// its python/pip/requests/no_pip fields. Windows and macOS nodes have
// none (nil): their shell steps succeed doing nothing.
func (n *Node) softwareOf() (*host.Host, error) {
	if n.sw != nil || n.PlatformType != "Linux" {
		return n.sw, nil
	}
	h, err := hostFor(n)
	if err != nil {
		return nil, err
	}
	n.sw = h
	return h, nil
}

// hosts interns built hosts by what they were built from: nodes built
// alike share one immutable Host, so a 100,000-node fleet holds one per
// distinct kind of node, and cached script runs hit across nodes.
var (
	hosts      sync.Map // key string → *host.Host
	hostsCount atomic.Int64
)

// maxInternedHosts bounds the interning table; past it hosts are built
// per node (a fuzzer's fleets, not a real one's).
const maxInternedHosts = 10000

// hostInput is everything a node's initial software depends on.
type hostInput struct {
	Spec            *host.Spec        `json:"spec,omitempty"`
	Patches         *host.PatchCounts `json:"patches,omitempty"`
	PlatformName    string            `json:"platform_name"`
	PlatformVersion string            `json:"platform_version"`
	Proxy           Proxy             `json:"proxy"`
	Python          string            `json:"python"`
	Pip             string            `json:"pip"`
	Requests        string            `json:"requests"`
	NoPip           bool              `json:"no_pip"`
}

func hostFor(n *Node) (*host.Host, error) {
	in := hostInput{Spec: n.Host, Proxy: n.Proxy, Patches: n.Patches}
	if n.Host == nil {
		in = hostInput{PlatformName: n.PlatformName, PlatformVersion: n.PlatformVersion, Proxy: n.Proxy,
			Python: n.Python, Pip: n.Pip, Requests: n.Requests, NoPip: n.Faults.NoPip, Patches: n.Patches}
	}
	b, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("node %s host: %w", n.ID, err)
	}
	key := string(b)
	if h, ok := hosts.Load(key); ok {
		return h.(*host.Host), nil
	}
	h, err := buildHost(in)
	if err != nil {
		return nil, fmt.Errorf("node %s host: %w", n.ID, err)
	}
	if hostsCount.Load() >= maxInternedHosts {
		return h, nil
	}
	actual, loaded := hosts.LoadOrStore(key, h)
	if !loaded {
		hostsCount.Add(1)
	}
	return actual.(*host.Host), nil
}

// buildHost makes the software a node starts with. A node's proxy and
// patch figures apply unless its host spec names its own; a node described by the older fields
// alone gets the preset of its platform, its requests on the interpreter
// the patch run uses, and, when proxied, a network that reaches AWS and
// the package sources only through the proxy.
func buildHost(in hostInput) (*host.Host, error) {
	spec := host.Spec{Preset: presetFor(in.PlatformName, in.PlatformVersion)}
	legacy := in.Spec == nil
	if !legacy {
		spec = *in.Spec
	}
	if spec.Proxy == nil && in.Proxy.URL != "" {
		spec.Proxy = &host.Proxy{URL: in.Proxy.URL, NoProxy: in.Proxy.NoProxy, Source: orDefault(in.Proxy.Source, "process")}
		if legacy {
			spec.Payload, spec.Repos, spec.PyPI = host.Proxied, host.Proxied, host.Proxied
		}
	}
	if spec.Patches == nil {
		spec.Patches = in.Patches
	}
	h, err := spec.Build()
	if err != nil || !legacy {
		return h, err
	}
	if in.NoPip {
		h.Withdraw(pipPackages(h)...)
	}
	if in.Python == "" {
		// No interpreter on PATH at all.
		for _, it := range h.Interpreters() {
			if len(it.Commands) > 0 {
				for name, p := range h.Catalog {
					if p.Interpreter != nil && p.Interpreter.Path == it.Path {
						_ = h.Uninstall(name) // catalogued, so it cannot fail
					}
				}
			}
		}
		return h, nil
	}
	if cmd, py, ok := h.PatchPython(); ok {
		h.SetModule(cmd, "requests", in.Requests)
		switch _, has := h.Module(cmd, "pip"); {
		case in.Pip == "" && has:
			for _, name := range pipPackages(h, py.Site) {
				_ = h.Uninstall(name) // catalogued, so it cannot fail
			}
			h.SetModule(cmd, "pip", "")
		case in.Pip != "" && !has:
			for _, name := range pipPackages(h, py.Site) {
				if h.Install(name) == nil {
					break
				}
			}
		}
	}
	return h, nil
}

// pipPackages are the packages that install a pip module, into site when
// site is given.
func pipPackages(h *host.Host, site ...string) []string {
	var out []string
	for name, p := range h.Catalog {
		for _, m := range p.Modules {
			if m.Name == "pip" && (len(site) == 0 || m.Site == site[0]) {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// presetFor maps an agent-reported platform to the nearest host preset.
func presetFor(name, version string) string {
	n := strings.ToLower(name)
	major, _, _ := strings.Cut(version, ".")
	switch {
	case n == "amazon linux ami":
		return host.AmazonLinux1
	case n == "amazon linux" && version == "2023":
		return host.AmazonLinux2023
	case strings.HasPrefix(n, "ubuntu"):
		if major >= "24" {
			return host.Ubuntu2404
		}
		return host.Ubuntu2204
	case strings.HasPrefix(n, "debian"), strings.HasPrefix(n, "raspbian"):
		return host.Debian12
	case strings.HasPrefix(n, "sles"), strings.Contains(n, "suse"):
		return host.SLES15
	case strings.HasPrefix(n, "rocky"):
		return map[bool]string{true: host.Rocky8, false: host.Rocky9}[major == "8"]
	case strings.HasPrefix(n, "alma"):
		return map[bool]string{true: host.Alma8, false: host.Alma9}[major == "8"]
	case strings.HasPrefix(n, "red hat"), strings.HasPrefix(n, "centos"), strings.HasPrefix(n, "oracle"):
		switch major {
		case "6", "7":
			return host.RHEL7
		case "8":
			return host.RHEL8
		}
		return host.RHEL9
	}
	return host.AmazonLinux2
}

// agentRestarted is what a restart of the agent changes on the node: a
// proxy set in the service's override, which the old process never read,
// is in the new process's environment, so the commands it runs (the patch
// run's download included) go through it.
func (n *Node) agentRestarted() {
	sw, err := n.softwareOf()
	if err != nil || sw == nil {
		return
	}
	h := sw.Restarted()
	if h == sw {
		return
	}
	n.sw = h
	n.Proxy = Proxy{URL: h.Agent.Proxy.URL, NoProxy: h.Agent.Proxy.NoProxy, Source: "process"}
}

// mirrorSoftware keeps the node's summary fields in step with its model:
// the interpreter the patch run uses, whether it has pip, its requests.
func (n *Node) mirrorSoftware() {
	if n.sw == nil {
		return
	}
	cmd, in, ok := n.sw.PatchPython()
	if !ok {
		n.Python, n.Pip, n.Requests = "", "", ""
		return
	}
	n.Python = in.Path
	n.Pip = ""
	if _, has := n.sw.Module(cmd, "pip"); has {
		n.Pip = in.Path + " -m pip"
	}
	n.Requests, _ = n.sw.Module(cmd, "requests")
}
