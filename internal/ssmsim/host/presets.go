package host

import (
	"fmt"
	"maps"
	"slices"
	"sort"
)

// Preset names.
const (
	AmazonLinux1    = "amazon-linux-1"
	AmazonLinux2    = "amazon-linux-2"
	AmazonLinux2023 = "amazon-linux-2023"
	RHEL7           = "rhel-7"
	RHEL8           = "rhel-8"
	RHEL9           = "rhel-9"
	Rocky8          = "rocky-8"
	Rocky9          = "rocky-9"
	Alma8           = "alma-8"
	Alma9           = "alma-9"
	Ubuntu2204      = "ubuntu-22.04"
	Ubuntu2404      = "ubuntu-24.04"
	Debian12        = "debian-12"
	SLES15          = "sles-15"
)

// AgentPID is the process id the agent runs under in every preset.
const AgentPID = 2214

// presets build each platform as its stock image ships it: which
// interpreters, which modules (yum, dnf, apt, requests, pip) with which
// versions, which tools, and what the repositories offer.
var presets = map[string]func() *Host{
	AmazonLinux1:    amazonLinux1,
	AmazonLinux2:    amazonLinux2,
	AmazonLinux2023: amazonLinux2023,
	RHEL7:           rhel7,
	RHEL8:           func() *Host { return rhel8("rhel", "Red Hat Enterprise Linux", "8.8") },
	RHEL9:           func() *Host { return rhel9("rhel", "Red Hat Enterprise Linux", "9.3") },
	Rocky8:          func() *Host { return rhel8("rocky", "Rocky Linux", "8.9") },
	Rocky9:          func() *Host { return rhel9("rocky", "Rocky Linux", "9.3") },
	Alma8:           func() *Host { return rhel8("almalinux", "AlmaLinux", "8.9") },
	Alma9:           func() *Host { return rhel9("almalinux", "AlmaLinux", "9.3") },
	Ubuntu2204:      func() *Host { return ubuntu("22.04", "python3.10", "3.10.12", "2.4.0", "2.25.1", "22.0.2") },
	Ubuntu2404:      func() *Host { return ubuntu("24.04", "python3.12", "3.12.3", "2.7.7", "2.31.0", "24.0") },
	Debian12:        debian12,
	SLES15:          sles15,
}

// Presets lists the preset names, sorted.
func Presets() []string { return slices.Sorted(maps.Keys(presets)) }

// FromPreset builds the host a preset describes.
func FromPreset(name string) (*Host, error) {
	build, ok := presets[name]
	if !ok {
		return nil, fmt.Errorf("unknown host preset %q (known: %v)", name, Presets())
	}
	h := build()
	h.Preset = name
	h.Patches = presetPatches[name]
	return h, nil
}

// newHost starts a host with the common parts; callers add packages.
func newHost(os OSRelease, init string, managers ...Manager) *Host {
	return &Host{
		OS: os, Init: init, Managers: managers,
		Catalog: map[string]Package{}, Sites: map[string]map[string]string{},
		Net:       Network{Payload: Direct, Repos: Direct, PyPI: Direct, BlockedBy: "timeout"},
		Agent:     Agent{PID: AgentPID},
		VarFreeMB: 6144,
	}
}

// add catalogues packages; the repositories offer them all.
func (h *Host) add(pkgs map[string]Package) {
	for name, p := range pkgs {
		h.Catalog[name] = p
		h.Repo = append(h.Repo, name)
	}
	sort.Strings(h.Repo)
}

// ship installs packages while building a preset.
func (h *Host) ship(names ...string) {
	for _, n := range names {
		if err := h.Install(n); err != nil {
			panic(err) // presets are fixed data; a bad one is a programming error
		}
	}
}

func tools(names ...string) Package { return Package{Tools: names} }

func interp(path, version, site string, commands ...string) *Interpreter {
	return &Interpreter{Path: path, Version: version, Site: site, Commands: commands}
}

func mod(site, name, version string) Module { return Module{Site: site, Name: name, Version: version} }

func amazonLinux1() *Host {
	h := newHost(OSRelease{ID: "amzn", Name: "Amazon Linux AMI", VersionID: "2018.03", PrettyName: "Amazon Linux AMI 2018.03"},
		"upstart", Manager{Name: "yum", Version: "3.4.3", Site: "python2.7", Module: "yum"})
	h.add(map[string]Package{
		"python27":     {Interpreter: interp("/usr/bin/python2.7", "2.7.18", "python2.7", "python", "python2", "python2.7", "python27"), Modules: []Module{mod("python2.7", "yum", "3.4.3")}},
		"python26":     {Interpreter: interp("/usr/bin/python2.6", "2.6.9", "python2.6", "python2.6", "python26")},
		"python27-pip": {Deps: []string{"python27"}, Modules: []Module{mod("python2.7", "pip", "9.0.3")}, PipCommands: []string{"pip", "pip-2.7"}},
		"python-pip":   {Deps: []string{"python27-pip"}},
		"curl":         tools("curl"),
		"wget":         tools("wget"),
		"which":        tools("which"),
	})
	h.ship("python27", "python26", "python27-pip", "curl", "wget", "which")
	h.Sites["python2.7"]["requests"] = "2.6.0"
	return h
}

func amazonLinux2() *Host {
	h := newHost(OSRelease{ID: "amzn", Name: "Amazon Linux", VersionID: "2", PrettyName: "Amazon Linux 2"},
		"systemd", Manager{Name: "yum", Version: "3.4.3", Site: "python2.7", Module: "yum"})
	h.add(map[string]Package{
		"python":      {Interpreter: interp("/usr/bin/python2.7", "2.7.18", "python2.7", "python", "python2", "python2.7"), Modules: []Module{mod("python2.7", "yum", "3.4.3")}},
		"python2-pip": {Deps: []string{"python"}, Modules: []Module{mod("python2.7", "pip", "9.0.3")}, PipCommands: []string{"pip", "pip2", "pip2.7"}},
		"python-pip":  {Deps: []string{"python2-pip"}},
		"python3":     {Interpreter: interp("/usr/bin/python3.7", "3.7.16", "python3.7", "python3", "python3.7"), Modules: []Module{mod("python3.7", "pip", "20.2.2")}, PipCommands: []string{"pip3", "pip3.7"}},
		"python3-pip": {Deps: []string{"python3"}, Modules: []Module{mod("python3.7", "pip", "20.2.2")}, PipCommands: []string{"pip3", "pip3.7"}},
		"curl":        tools("curl"),
		"wget":        tools("wget"),
		"which":       tools("which"),
	})
	h.ship("python", "python3", "curl", "wget", "which")
	h.Sites["python2.7"]["requests"] = "2.6.0"
	return h
}

func amazonLinux2023() *Host {
	dnf := Manager{Name: "dnf", Version: "4.14.0", Site: "python3.9", Module: "dnf"}
	yum := dnf
	yum.Name = "yum"
	h := newHost(OSRelease{ID: "amzn", Name: "Amazon Linux", VersionID: "2023", PrettyName: "Amazon Linux 2023"}, "systemd", yum, dnf)
	h.DNFSkipUnavailable = true
	h.add(map[string]Package{
		"python3":     {Interpreter: interp("/usr/bin/python3.9", "3.9.16", "python3.9", "python3", "python3.9"), Modules: []Module{mod("python3.9", "dnf", "4.14.0")}},
		"python3-pip": {Deps: []string{"python3"}, Modules: []Module{mod("python3.9", "pip", "21.3.1")}, PipCommands: []string{"pip3", "pip"}},
		"curl":        tools("curl"),
		"wget":        tools("wget"),
		"which":       tools("which"),
	})
	h.ship("python3", "python3-pip", "curl", "which")
	h.Sites["python3.9"]["requests"] = "2.25.1"
	return h
}

func rhel7() *Host {
	h := newHost(OSRelease{ID: "rhel", Name: "Red Hat Enterprise Linux Server", VersionID: "7.9", PrettyName: "Red Hat Enterprise Linux Server 7.9 (Maipo)"},
		"systemd", Manager{Name: "yum", Version: "3.4.3", Site: "python2.7", Module: "yum"})
	h.add(map[string]Package{
		"python":      {Interpreter: interp("/usr/bin/python2.7", "2.7.5", "python2.7", "python", "python2", "python2.7"), Modules: []Module{mod("python2.7", "yum", "3.4.3")}},
		"python2-pip": {Deps: []string{"python"}, Modules: []Module{mod("python2.7", "pip", "8.1.2")}, PipCommands: []string{"pip", "pip2"}},
		"python-pip":  {Deps: []string{"python2-pip"}},
		"python3":     {Interpreter: interp("/usr/bin/python3.6", "3.6.8", "python3.6", "python3", "python3.6"), Modules: []Module{mod("python3.6", "pip", "9.0.3")}, PipCommands: []string{"pip3"}},
		"curl":        tools("curl"),
		"wget":        tools("wget"),
		"which":       tools("which"),
	})
	h.ship("python", "curl", "which")
	h.Sites["python2.7"]["requests"] = "2.6.0"
	// python2-pip is in EPEL, which a stock RHEL 7 does not enable.
	h.Withdraw("python2-pip", "python-pip")
	return h
}

// rhel8 is RHEL 8 and its rebuilds: dnf runs on platform-python, which is
// off PATH; python3 (python36) shares its site-packages, dnf module
// included. `yum` is dnf under another name.
func rhel8(id, name, version string) *Host {
	dnf := Manager{Name: "dnf", Version: "4.7.0", Site: "python3.6", Module: "dnf"}
	yum := dnf
	yum.Name = "yum"
	h := newHost(OSRelease{ID: id, Name: name, VersionID: version, PrettyName: name + " " + version}, "systemd", yum, dnf)
	h.add(map[string]Package{
		"platform-python": {Interpreter: interp("/usr/libexec/platform-python", "3.6.8", "python3.6"), Modules: []Module{mod("python3.6", "dnf", "4.7.0")}},
		"python3":         {Deps: []string{"platform-python"}, Interpreter: interp("/usr/bin/python3.6", "3.6.8", "python3.6", "python3", "python3.6"), Modules: []Module{mod("python3.6", "pip", "9.0.3")}, PipCommands: []string{"pip3"}},
		"python3-pip":     {Deps: []string{"python3"}, Modules: []Module{mod("python3.6", "pip", "9.0.3")}, PipCommands: []string{"pip3"}},
		"python2":         {Interpreter: interp("/usr/bin/python2.7", "2.7.18", "python2.7", "python2", "python2.7")},
		"python2-pip":     {Deps: []string{"python2"}, Modules: []Module{mod("python2.7", "pip", "9.0.3")}, PipCommands: []string{"pip2"}},
		"curl":            tools("curl"),
		"wget":            tools("wget"),
		"which":           tools("which"),
	})
	h.ship("platform-python", "python3", "curl", "which")
	h.Sites["python3.6"]["requests"] = "2.20.0"
	return h
}

// rhel9 is RHEL 9 and its rebuilds: dnf runs on python3 itself.
func rhel9(id, name, version string) *Host {
	dnf := Manager{Name: "dnf", Version: "4.14.0", Site: "python3.9", Module: "dnf"}
	yum := dnf
	yum.Name = "yum"
	h := newHost(OSRelease{ID: id, Name: name, VersionID: version, PrettyName: name + " " + version}, "systemd", yum, dnf)
	h.add(map[string]Package{
		"python3":     {Interpreter: interp("/usr/bin/python3.9", "3.9.18", "python3.9", "python3", "python3.9"), Modules: []Module{mod("python3.9", "dnf", "4.14.0")}},
		"python3-pip": {Deps: []string{"python3"}, Modules: []Module{mod("python3.9", "pip", "21.2.3")}, PipCommands: []string{"pip3", "pip"}},
		"curl":        tools("curl"),
		"wget":        tools("wget"),
		"which":       tools("which"),
	})
	h.ship("python3", "curl", "which")
	h.Sites["python3.9"]["requests"] = "2.25.1"
	return h
}

// ubuntu is an Ubuntu server image: python3 with the apt bindings
// (python3-apt) and requests, no pip.
func ubuntu(version, site, python, aptModule, requests, pip string) *Host {
	h := newHost(OSRelease{ID: "ubuntu", Name: "Ubuntu", VersionID: version, PrettyName: "Ubuntu " + version + " LTS"},
		"systemd", Manager{Name: "apt-get", Version: "apt 2.4.11"})
	h.add(debianPackages(site, python, aptModule, pip))
	h.ship("python3", "python3-apt", "curl", "wget", "debianutils")
	h.Sites[site]["requests"] = requests
	return h
}

func debian12() *Host {
	h := newHost(OSRelease{ID: "debian", Name: "Debian GNU/Linux", VersionID: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)"},
		"systemd", Manager{Name: "apt-get", Version: "apt 2.6.1"})
	h.add(debianPackages("python3.11", "3.11.2", "2.6.0", "23.0.1"))
	h.ship("python3", "python3-apt", "curl", "wget", "debianutils")
	h.Sites["python3.11"]["requests"] = "2.28.1"
	return h
}

func debianPackages(site, python, aptModule, pip string) map[string]Package {
	path := "/usr/bin/" + site
	return map[string]Package{
		"python3":           {Interpreter: interp(path, python, site, "python3", site)},
		"python3-apt":       {Deps: []string{"python3"}, Modules: []Module{mod(site, "apt", aptModule)}},
		"python3-pip":       {Deps: []string{"python3"}, Modules: []Module{mod(site, "pip", pip)}},
		"python-is-python3": {Deps: []string{"python3"}, Interpreter: interp(path, python, site, "python3", site, "python")},
		"curl":              tools("curl"),
		"wget":              tools("wget"),
		"debianutils":       tools("which"),
	}
}

func sles15() *Host {
	h := newHost(OSRelease{ID: "sles", Name: "SLES", VersionID: "15.5", PrettyName: "SUSE Linux Enterprise Server 15 SP5"},
		"systemd", Manager{Name: "zypper", Version: "zypper 1.14.64"})
	h.add(map[string]Package{
		"python3":     {Interpreter: interp("/usr/bin/python3.6", "3.6.15", "python3.6", "python3", "python3.6")},
		"python3-pip": {Deps: []string{"python3"}, Modules: []Module{mod("python3.6", "pip", "20.0.2")}, PipCommands: []string{"pip3"}},
		"curl":        tools("curl"),
		"wget":        tools("wget"),
		"which":       tools("which"),
	})
	h.ship("python3", "curl", "wget", "which")
	h.Sites["python3.6"]["requests"] = "2.24.0"
	return h
}
