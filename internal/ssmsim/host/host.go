package host

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"
)

// Host is the software of one Linux node.
type Host struct {
	// Preset is the platform the host was built from (Presets).
	Preset string    `json:"preset"`
	OS     OSRelease `json:"os"`
	// Init is the agent's service manager: systemd or upstart. It decides
	// where a proxy override lives.
	Init string `json:"init"`
	// Managers are the package managers present, fixed for the host.
	Managers []Manager `json:"managers"`
	// Catalog is every package the host knows of, installed or not.
	Catalog map[string]Package `json:"catalog"`
	// Installed are the names of the installed packages, sorted.
	Installed []string `json:"installed"`
	// Repo lists the packages the repositories offer; a catalogued package
	// missing here cannot be installed (a repository not enabled, such as
	// EPEL for python2-pip on RHEL 7).
	Repo []string `json:"repo"`
	// Sites maps a site-packages directory (shared by interpreters that
	// name the same site) to its modules and their versions.
	Sites map[string]map[string]string `json:"sites"`
	Net   Network                      `json:"net"`
	Agent Agent                        `json:"agent"`
	// WorkdirNoexec mounts /var/lib/amazon noexec.
	WorkdirNoexec bool `json:"workdir_noexec,omitempty"`
	// VarFreeMB is the free space in /var.
	VarFreeMB int `json:"var_free_mb"`
	// PipBreaksYum makes a pip upgrade of requests remove the yum module's
	// footing, as pip replacing RPM-owned modules does.
	PipBreaksYum bool `json:"pip_breaks_yum,omitempty"`
	// DNFSkipUnavailable is dnf's skip_if_unavailable: dnf skips, with a
	// warning, the repositories it cannot reach (the default on Amazon
	// Linux 2023).
	DNFSkipUnavailable bool `json:"dnf_skip_unavailable,omitempty"`
	// LockHeldBy names the process (as /proc/PID/comm shows it) that
	// holds the package manager's lock, "" when none does.
	LockHeldBy string `json:"lock_held_by,omitempty"`
	// Patches is what a patch scan finds on the node.
	Patches PatchCounts `json:"patches"`
}

// LockHolderPID is the process id of the process that holds the package
// manager's lock when LockHeldBy is set.
const LockHolderPID = 3121

// OSRelease is what /etc/os-release says.
type OSRelease struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	VersionID  string `json:"version_id"`
	PrettyName string `json:"pretty_name"`
}

// Manager is a package manager command.
type Manager struct {
	Name    string `json:"name"` // apt-get | yum | dnf | zypper
	Version string `json:"version"`
	// Site and Module are the Python module the manager runs on (yum on
	// Amazon Linux 2, dnf on RHEL 8); empty for apt-get and zypper.
	Site   string `json:"site,omitempty"`
	Module string `json:"module,omitempty"`
}

// Package is something a package manager installs.
type Package struct {
	Deps []string `json:"deps,omitempty"`
	// Interpreter is the Python the package installs, if any.
	Interpreter *Interpreter `json:"interpreter,omitempty"`
	// Modules are the Python modules the package installs.
	Modules []Module `json:"modules,omitempty"`
	// Tools are plain commands the package installs: curl, wget, which.
	Tools []string `json:"tools,omitempty"`
	// PipCommands are commands (pip, pip3) the package installs that run
	// pip with the interpreter of the site its pip module goes in.
	PipCommands []string `json:"pip_commands,omitempty"`
}

// Interpreter is one Python installation.
type Interpreter struct {
	Path    string `json:"path"`    // /usr/bin/python2.7
	Version string `json:"version"` // 2.7.18
	Site    string `json:"site"`    // its site-packages, shared with others that name it
	// Commands are the names on PATH that run it: python2, python.
	// Empty for an interpreter off PATH (RHEL 8's platform-python).
	Commands []string `json:"commands,omitempty"`
}

// Module is a Python module a package puts in a site.
type Module struct {
	Site    string `json:"site"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Route is how a destination is reached from the node.
type Route string

// Routes.
const (
	Direct  Route = "direct"  // reachable without a proxy
	Proxied Route = "proxy"   // reachable only through the agent's proxy
	Blocked Route = "blocked" // not reachable at all
)

// Network is the node's paths out.
type Network struct {
	Payload Route `json:"payload"` // the patch payload buckets
	Repos   Route `json:"repos"`   // the package repositories
	PyPI    Route `json:"pypi"`    // the Python package index
	// BlockedBy is how a connection that cannot go through fails:
	// refused, timeout or dns.
	BlockedBy string `json:"blocked_by"`
}

// Agent is the running SSM Agent.
type Agent struct {
	PID   int   `json:"pid"`
	Proxy Proxy `json:"proxy"`
	// Override, when set, is the proxy the service's override sets, beside
	// a Proxy of source process: the same proxy once the agent has loaded
	// it, or another one written there since the agent started, which it
	// takes at its next restart.
	Override *Proxy `json:"override,omitempty"`
}

// Proxy is the agent's proxy. URL may carry credentials.
type Proxy struct {
	URL     string `json:"url,omitempty"`
	NoProxy string `json:"no_proxy,omitempty"`
	// Source is where it is set: process (the running agent's
	// environment, which every command it runs inherits),
	// systemd-override or upstart-override (written in the service's
	// override, the running agent not restarted since: the agent, and
	// so every command it runs, goes without it until its next restart).
	Source string `json:"source,omitempty"`
	// Down says nothing answers at the proxy's address: connections to
	// it are refused.
	Down bool `json:"down,omitempty"`
}

// Interpreters returns the installed interpreters, by path.
func (h *Host) Interpreters() []Interpreter {
	var out []Interpreter
	for _, name := range h.Installed {
		if p := h.Catalog[name]; p.Interpreter != nil {
			out = append(out, *p.Interpreter)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Interpreter returns the installed interpreter a command or path runs.
func (h *Host) Interpreter(command string) (Interpreter, bool) {
	for _, in := range h.Interpreters() {
		if in.Path == command || slices.Contains(in.Commands, command) {
			return in, true
		}
	}
	return Interpreter{}, false
}

// HasTool reports whether an installed package provides a tool.
func (h *Host) HasTool(tool string) bool {
	for _, name := range h.Installed {
		if slices.Contains(h.Catalog[name].Tools, tool) {
			return true
		}
	}
	return false
}

// IsInstalled reports whether package name is installed.
func (h *Host) IsInstalled(name string) bool { return slices.Contains(h.Installed, name) }

// Module returns the version of a module in an interpreter's site, "" and
// false when it is not there.
func (h *Host) Module(command, module string) (string, bool) {
	in, ok := h.Interpreter(command)
	if !ok {
		return "", false
	}
	v, ok := h.Sites[in.Site][module]
	return v, ok
}

// SetModule sets (version != "") or removes a module in the site of the
// interpreter a command runs. It reports whether the interpreter exists.
func (h *Host) SetModule(command, module, version string) bool {
	in, ok := h.Interpreter(command)
	if !ok {
		return false
	}
	if version == "" {
		delete(h.Sites[in.Site], module)
		return true
	}
	if h.Sites[in.Site] == nil {
		h.Sites[in.Site] = map[string]string{}
	}
	h.Sites[in.Site][module] = version
	return true
}

// Clone returns a deep copy.
func (h *Host) Clone() *Host {
	b, err := json.Marshal(h)
	if err != nil {
		panic(err) // a Host always marshals
	}
	var c Host
	if err := json.Unmarshal(b, &c); err != nil {
		panic(err)
	}
	return &c
}

// Hash identifies the host's whole software state: equal hashes render
// equal trees.
func (h *Host) Hash() string {
	b, err := json.Marshal(h)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
