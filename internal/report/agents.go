package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/patchready/patchready/internal/plan"
)

// maxAgentBins is how many distinct versions the chart shows one by one.
// A fleet with more is binned by version family (major.minor), split at
// the floor so that no bar mixes nodes below it with nodes above it.
const maxAgentBins = 16

// AgentVersion is a parsed SSM Agent version: 3 or 4 numeric parts, as
// the SSM API's pattern allows.
type AgentVersion [4]int

// ParseAgentVersion accepts what the SSM API's AgentVersion pattern
// accepts (three or four dot-separated numbers of up to six digits);
// anything else is unreadable and never placed against the floor.
func ParseAgentVersion(s string) (AgentVersion, bool) {
	var v AgentVersion
	parts := strings.Split(s, ".")
	if len(parts) < 3 || len(parts) > 4 {
		return v, false
	}
	for i, p := range parts {
		if p == "" || len(p) > 6 {
			return v, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p[0] == '+' || p[0] == '-' {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

// Compare returns -1, 0 or +1 as a is older than, equal to or newer than b.
func (a AgentVersion) Compare(b AgentVersion) int {
	for i := range a {
		if c := cmp.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// agentChart places every node's agent version against the plan's floor.
func agentChart(p plan.Plan) AgentChart {
	ch := AgentChart{Floor: AgentFloor(p)}
	floor, floorOK := ParseAgentVersion(ch.Floor)

	type entry struct {
		v     AgentVersion
		label string
		nodes int
	}
	versions := map[string]*entry{}
	for _, np := range p.Nodes {
		if np.Node.Unmanaged() {
			// SSM reports no agent for an instance it does not manage:
			// it counts under its verdict, not as an unreadable agent.
			continue
		}
		s := np.Node.AgentVersion
		if e, ok := versions[s]; ok {
			e.nodes++
			continue
		}
		v, ok := ParseAgentVersion(s)
		if !ok {
			ch.Unreadable++
			continue
		}
		versions[s] = &entry{v: v, label: s, nodes: 1}
	}
	list := make([]*entry, 0, len(versions))
	for _, e := range versions {
		list = append(list, e)
	}
	slices.SortFunc(list, func(a, b *entry) int { return b.v.Compare(a.v) })

	position := func(v AgentVersion) Position { return positionOf(v, floor, floorOK) }
	byFamily := len(list) > maxAgentBins
	for _, e := range list {
		pos := position(e.v)
		if pos == BelowFloor {
			ch.Below += e.nodes
		} else {
			ch.AtOrAbove += e.nodes
		}
		label := e.label
		if byFamily {
			label = strconv.Itoa(e.v[0]) + "." + strconv.Itoa(e.v[1]) + ".x"
			if floorOK && e.v[0] == floor[0] && e.v[1] == floor[1] {
				// The floor's own family is split in two bars.
				if pos == BelowFloor {
					label += " below " + ch.Floor
				} else {
					label += " from " + ch.Floor
				}
			}
		}
		if n := len(ch.Bins); n > 0 && ch.Bins[n-1].Label == label {
			ch.Bins[n-1].Nodes += e.nodes
			continue
		}
		ch.Bins = append(ch.Bins, AgentBin{Label: label, Nodes: e.nodes, Position: pos})
	}
	if ch.Unreadable > 0 {
		ch.Bins = append(ch.Bins, AgentBin{Label: "none or unreadable", Nodes: ch.Unreadable, Position: Unreadable})
	}
	return ch
}

// AgentPosition places one agent version against the floor.
func AgentPosition(version, floor string) Position {
	v, ok := ParseAgentVersion(version)
	if !ok {
		return Unreadable
	}
	f, fok := ParseAgentVersion(floor)
	return positionOf(v, f, fok)
}

// positionOf places a readable version against the floor; with no readable
// floor there is nothing to be below.
func positionOf(v, floor AgentVersion, floorOK bool) Position {
	if floorOK && v.Compare(floor) < 0 {
		return BelowFloor
	}
	return AtOrAboveFloor
}

// AgentFloor is the minimum agent version p was evaluated against. It is
// the one place the report reads it from the plan.
func AgentFloor(p plan.Plan) string { return p.Rules.MinAgentVersion }
