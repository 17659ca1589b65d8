package prereq

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/patchready/patchready/internal/fleet"
)

// A Fact is one observed value of a node that a check reads, by name. The
// facts a check declares are the only ones it can read (Facts.Get panics
// otherwise), and they are at once its memo key, and (for checks whose
// result can decide an action or a block) part of the plan's fingerprint
// and of the stale-plan diff. Adding a fact is one line here.
type Fact struct {
	Name string
	Of   func(fleet.Node) string
}

// facts lists every fact a check may read. Probe facts read "" when the
// node has no readable probe report.
var facts = []Fact{
	{"ping_status", func(n fleet.Node) string { return n.PingStatus }},
	{"platform_type", func(n fleet.Node) string { return n.PlatformType }},
	{"platform_name", func(n fleet.Node) string { return n.PlatformName }},
	{"platform_version", func(n fleet.Node) string { return n.PlatformVersion }},
	{"agent_version", func(n fleet.Node) string { return n.AgentVersion }},
	{"is_latest_version", func(n fleet.Node) string { return strconv.FormatBool(n.IsLatestVersion) }},
	{"probe_status", probeStatus},
	{"probe_reason", func(n fleet.Node) string {
		if n.Probe == nil {
			return ""
		}
		return n.Probe.Reason
	}},
	{"proxied", probeBool(func(r fleet.ProbeFacts) bool { return r.Proxied })},
	{"proxy_scheme", probeString(func(r fleet.ProbeFacts) string { return r.ProxyScheme })},
	{"no_proxy_has_imds", probeBool(func(r fleet.ProbeFacts) bool { return r.NoProxyHasIMDS })},
	{"proxy_pending", probeBool(func(r fleet.ProbeFacts) bool { return r.ProxyPending })},
	{"pending_proxy_source", probeString(func(r fleet.ProbeFacts) string { return r.PendingProxySource })},
	{"pending_proxy_scheme", probeString(func(r fleet.ProbeFacts) string { return r.PendingProxyScheme })},
	{"pending_no_proxy_has_imds", probeBool(func(r fleet.ProbeFacts) bool { return r.PendingNoProxyHasIMDS })},
	{"which", probeBool(func(r fleet.ProbeFacts) bool { return r.Which })},
	{"package_managers", probeString(func(r fleet.ProbeFacts) string { return r.PackageManagers })},
	{"package_manager", probeString(func(r fleet.ProbeFacts) string { return r.PackageManager })},
	{"python", probeString(func(r fleet.ProbeFacts) string { return r.Python })},
	{"python_version", probeString(func(r fleet.ProbeFacts) string { return r.PythonVersion })},
	{"python_error", probeString(func(r fleet.ProbeFacts) string { return r.PythonError })},
	{"package_module", probeString(func(r fleet.ProbeFacts) string { return r.PackageModule })},
	{"requests_version", probeString(func(r fleet.ProbeFacts) string { return r.RequestsVersion })},
	{"pip", probeString(func(r fleet.ProbeFacts) string { return r.Pip })},
	{"downloader", probeString(func(r fleet.ProbeFacts) string { return r.Downloader })},
	{"payload", probeString(func(r fleet.ProbeFacts) string { return r.Payload })},
	{"payload_code", probeString(func(r fleet.ProbeFacts) string { return r.PayloadCode })},
	{"payload_after_restart", probeString(func(r fleet.ProbeFacts) string { return r.PayloadAfterRestart })},
	{"payload_after_restart_code", probeString(func(r fleet.ProbeFacts) string { return r.PayloadAfterRestartCode })},
	{"workdir_noexec", probeBool(func(r fleet.ProbeFacts) bool { return r.WorkdirNoexec })},
	{"var_free_mb", func(n fleet.Node) string {
		if !n.Probed() {
			return ""
		}
		return strconv.Itoa(n.Probe.VarFreeMB)
	}},
}

// factIndex finds a fact by name.
var factIndex = func() map[string]int {
	m := make(map[string]int, len(facts))
	for i, f := range facts {
		if _, dup := m[f.Name]; dup {
			panic("prereq: fact declared twice: " + f.Name)
		}
		m[f.Name] = i
	}
	return m
}()

// probeStatus is "not-run" for a node the probe did not run on, else the
// probe's status.
func probeStatus(n fleet.Node) string {
	if n.Probe == nil {
		return "not-run"
	}
	return string(n.Probe.Status)
}

func probeString(get func(fleet.ProbeFacts) string) func(fleet.Node) string {
	return func(n fleet.Node) string {
		if !n.Probed() {
			return ""
		}
		return get(*n.Probe)
	}
}

func probeBool(get func(fleet.ProbeFacts) bool) func(fleet.Node) string {
	return func(n fleet.Node) string {
		if !n.Probed() {
			return ""
		}
		return strconv.FormatBool(get(*n.Probe))
	}
}

// Facts is the view of one node that a check evaluates: only the facts the
// check declared can be read.
type Facts struct {
	check *Check
	node  *fleet.Node
}

// Get returns the named fact. Reading a fact the check did not declare is a
// programming error (its memo key would miss it and hand one node another
// node's result), so it panics; the registry tests exercise every check.
func (f Facts) Get(name string) string {
	if !f.check.reads(name) {
		panic(fmt.Sprintf("prereq: check %s reads fact %q without declaring it", f.check.ID, name))
	}
	return facts[factIndex[name]].Of(*f.node)
}

// Bool reads a fact written as "true" or "false".
func (f Facts) Bool(name string) bool { return f.Get(name) == "true" }

// Int reads a numeric fact; ok is false when it is empty or not a number.
func (f Facts) Int(name string) (int, bool) {
	v, err := strconv.Atoi(f.Get(name))
	return v, err == nil
}

// key encodes the values of the facts c declares, each with its length in
// front so that no choice of values can make two keys collide.
func (c *Check) key(n *fleet.Node, buf []byte) []byte {
	for _, i := range c.factIdx {
		v := facts[i].Of(*n)
		buf = binary.AppendUvarint(buf, uint64(len(v)))
		buf = append(buf, v...)
	}
	return buf
}

// DecidingFacts returns, in registry order and without repeats, the names of
// the facts read by checks whose result can decide an action or a block. A
// plan's fingerprint and its stale-plan diff are made of exactly these, so a
// fact that can only change a note never makes a saved plan stale.
func DecidingFacts() []string {
	seen := map[string]bool{}
	var out []string
	for i := range registry {
		c := &registry[i]
		if !c.deciding() {
			continue
		}
		for _, name := range c.Facts {
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out
}

// FactOf returns the named fact's value for n; it panics on an unknown name.
func FactOf(name string, n fleet.Node) string {
	i, ok := factIndex[name]
	if !ok {
		panic("prereq: unknown fact " + name)
	}
	return facts[i].Of(n)
}
