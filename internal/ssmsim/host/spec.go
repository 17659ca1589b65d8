package host

import (
	"fmt"
	"regexp"
	"slices"
)

// Spec describes a host as a preset plus changes: what a fleet file says
// under a node's `host:`. The zero value of every field changes nothing.
type Spec struct {
	Preset string `json:"preset" yaml:"preset"`
	// Without uninstalls packages (and what depends on them): python3,
	// python3-apt, curl, wget, which (debianutils on Debian and Ubuntu).
	Without []string `json:"without,omitempty" yaml:"without,omitempty"`
	// With installs catalogued packages the preset does not ship.
	With []string `json:"with,omitempty" yaml:"with,omitempty"`
	// Unoffered are packages the repositories do not offer, such as
	// python2-pip where EPEL is not enabled.
	Unoffered []string `json:"unoffered,omitempty" yaml:"unoffered,omitempty"`
	// Modules sets module versions by interpreter command or path:
	// {python2.7: {requests: "2.6.0"}}; "" removes a module.
	Modules map[string]map[string]string `json:"modules,omitempty" yaml:"modules,omitempty"`
	// Payload, Repos and PyPI route the node's traffic; BlockedBy says
	// how a blocked connection fails (refused, timeout, dns).
	Payload   Route  `json:"payload,omitempty" yaml:"payload,omitempty"`
	Repos     Route  `json:"repos,omitempty" yaml:"repos,omitempty"`
	PyPI      Route  `json:"pypi,omitempty" yaml:"pypi,omitempty"`
	BlockedBy string `json:"blocked_by,omitempty" yaml:"blocked_by,omitempty"`
	// Proxy is the agent's proxy.
	Proxy *Proxy `json:"proxy,omitempty" yaml:"proxy,omitempty"`
	// OverrideProxy is the proxy the service's override sets (source
	// systemd-override or upstart-override) beside a Proxy of source
	// process: the same URL for an override the agent has loaded, another
	// for one written since the agent started.
	OverrideProxy *Proxy `json:"override_proxy,omitempty" yaml:"override_proxy,omitempty"`
	WorkdirNoexec bool   `json:"workdir_noexec,omitempty" yaml:"workdir_noexec,omitempty"`
	// VarFreeMB sets the free space in /var when positive.
	VarFreeMB    int  `json:"var_free_mb,omitempty" yaml:"var_free_mb,omitempty"`
	PipBreaksYum bool `json:"pip_breaks_yum,omitempty" yaml:"pip_breaks_yum,omitempty"`
	// SkipIfUnavailable sets dnf's skip_if_unavailable when given.
	SkipIfUnavailable *bool `json:"skip_if_unavailable,omitempty" yaml:"skip_if_unavailable,omitempty"`
	// LockHeldBy names the process that holds the package manager's lock
	// (unattended-upgr, yum, zypper, packagekitd).
	LockHeldBy string `json:"lock_held_by,omitempty" yaml:"lock_held_by,omitempty"`
	// Patches replaces what a patch scan finds (the preset's figures).
	Patches *PatchCounts `json:"patches,omitempty" yaml:"patches,omitempty"`
}

// reProcessName is what a process name (comm) can be: at most 15 bytes.
var reProcessName = regexp.MustCompile(`^[a-z0-9._-]{1,15}$`)

// Build makes the host the spec describes.
func (s Spec) Build() (*Host, error) {
	h, err := FromPreset(s.Preset)
	if err != nil {
		return nil, err
	}
	for _, p := range s.Without {
		if err := h.Uninstall(p); err != nil {
			return nil, fmt.Errorf("host %s: %w", s.Preset, err)
		}
	}
	for _, p := range s.With {
		if err := h.Install(p); err != nil {
			return nil, fmt.Errorf("host %s: %w", s.Preset, err)
		}
	}
	for _, p := range s.Unoffered {
		if _, ok := h.Catalog[p]; !ok {
			return nil, fmt.Errorf("host %s: unoffered %s: not in the catalog", s.Preset, p)
		}
	}
	h.Withdraw(s.Unoffered...)
	for cmd, mods := range s.Modules {
		for m, v := range mods {
			if !h.SetModule(cmd, m, v) {
				return nil, fmt.Errorf("host %s: modules: no interpreter %s", s.Preset, cmd)
			}
		}
	}
	for _, r := range []struct {
		dst *Route
		v   Route
	}{{&h.Net.Payload, s.Payload}, {&h.Net.Repos, s.Repos}, {&h.Net.PyPI, s.PyPI}} {
		switch r.v {
		case "":
		case Direct, Proxied, Blocked:
			*r.dst = r.v
		default:
			return nil, fmt.Errorf("host %s: route %q: want direct, proxy or blocked", s.Preset, r.v)
		}
	}
	if s.BlockedBy != "" {
		if !slices.Contains([]string{"refused", "timeout", "dns"}, s.BlockedBy) {
			return nil, fmt.Errorf("host %s: blocked_by %q: want refused, timeout or dns", s.Preset, s.BlockedBy)
		}
		h.Net.BlockedBy = s.BlockedBy
	}
	if s.Proxy != nil && s.Proxy.URL != "" {
		p := *s.Proxy
		if p.Source == "" {
			p.Source = "process"
		}
		if !slices.Contains([]string{"process", "systemd-override", "upstart-override"}, p.Source) {
			return nil, fmt.Errorf("host %s: proxy source %q: want process, systemd-override or upstart-override", s.Preset, p.Source)
		}
		h.Agent.Proxy = p
	}
	if o := s.OverrideProxy; o != nil {
		if o.URL == "" || (o.Source != "systemd-override" && o.Source != "upstart-override") {
			return nil, fmt.Errorf("host %s: override_proxy: want a url and source systemd-override or upstart-override", s.Preset)
		}
		if h.Agent.Proxy.Source != "process" {
			return nil, fmt.Errorf("host %s: override_proxy: the running agent's proxy must be in its process environment (proxy source process); a proxy only in an override is proxy: with its source", s.Preset)
		}
		c := *o
		h.Agent.Override = &c
	}
	h.WorkdirNoexec = s.WorkdirNoexec
	if s.VarFreeMB > 0 {
		h.VarFreeMB = s.VarFreeMB
	}
	h.PipBreaksYum = s.PipBreaksYum
	if s.SkipIfUnavailable != nil {
		h.DNFSkipUnavailable = *s.SkipIfUnavailable
	}
	if s.LockHeldBy != "" {
		if !reProcessName.MatchString(s.LockHeldBy) {
			return nil, fmt.Errorf("host %s: lock_held_by %q: want a process name (lower case, at most 15 characters)", s.Preset, s.LockHeldBy)
		}
		h.LockHeldBy = s.LockHeldBy
	}
	if s.Patches != nil {
		if err := s.Patches.Check(); err != nil {
			return nil, fmt.Errorf("host %s: %w", s.Preset, err)
		}
		h.Patches = *s.Patches
	}
	return h, nil
}
