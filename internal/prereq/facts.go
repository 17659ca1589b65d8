package prereq

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/patchready/patchready/documents"
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

// facts lists every fact a check may read: what SSM reports of a node, and
// every field of the probe's report (probeFacts). Probe facts read "" when
// the node has no readable probe report.
var facts = append([]Fact{
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
}, probeFacts()...)

// probeFacts makes every field of the probe's report a fact, named by its
// JSON name: a fact the probe prints needs no line here. The report's
// fields are strings, booleans and integers; anything else is a
// programming error, found when the package loads.
func probeFacts() []Fact {
	t := reflect.TypeFor[documents.ProbeReport]()
	var out []Fact
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || name == "schema" {
			continue
		}
		kind := f.Type.Kind()
		if kind != reflect.String && kind != reflect.Bool && kind != reflect.Int {
			panic(fmt.Sprintf("prereq: probe report field %s is a %s, not a string, bool or int", f.Name, kind))
		}
		out = append(out, Fact{Name: name, Of: func(n fleet.Node) string {
			if !n.Probed() {
				return ""
			}
			// Through a pointer: reading a field allocates nothing.
			v := reflect.ValueOf(&n.Probe.ProbeReport).Elem().Field(i)
			switch kind {
			case reflect.Bool:
				return strconv.FormatBool(v.Bool())
			case reflect.Int:
				return strconv.FormatInt(v.Int(), 10)
			}
			return v.String()
		}})
	}
	return out
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
