package report

import "github.com/patchready/patchready/internal/plan"

// maxVerdicts bounds the walk over the verdict enum; the enum holds a
// handful of values.
const maxVerdicts = 64

// VerdictNames returns the name of every verdict the plan package defines,
// in enum order. It walks the enum from 1 until a value has no name, so a
// verdict added to the plan package shows up here with no change.
func VerdictNames() []string {
	var out []string
	for v := plan.Verdict(1); v < maxVerdicts; v++ {
		b, err := v.MarshalText()
		if err != nil {
			break
		}
		out = append(out, string(b))
	}
	return out
}

// CountVerdicts counts p's nodes by verdict name: every defined verdict
// first, in enum order, then any other name met.
func CountVerdicts(p plan.Plan) []Count {
	names := VerdictNames()
	index := make(map[string]int, len(names))
	out := make([]Count, 0, len(names))
	for _, n := range names {
		index[n] = len(out)
		out = append(out, Count{Name: n})
	}
	for _, np := range p.Nodes {
		name := np.Verdict.String()
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, Count{Name: name})
		}
		out[i].N++
	}
	return out
}
