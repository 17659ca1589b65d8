package render

import (
	"fmt"
	"strings"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/unmanaged"
)

// unmanagedGroup is the unmanaged instances of one cause, with what to do.
type unmanagedGroup struct {
	group
	cause  unmanaged.Cause
	known  bool
	advice string
}

// unmanagedGroups groups unmanaged instances by their first cause, in the
// registry's order, so that the instances not running come first, listed
// apart as not fixable now.
func unmanagedGroups(p plan.Plan) []unmanagedGroup {
	index := map[unmanaged.CauseID]int{}
	var out []unmanagedGroup
	for _, c := range unmanaged.Causes() {
		index[c.ID] = len(out)
		out = append(out, unmanagedGroup{group: group{title: c.Heading}, cause: c, known: true, advice: c.Advice})
	}
	var other []plan.NodePlan
	for _, np := range p.Nodes {
		if np.Verdict != plan.Unmanaged {
			continue
		}
		if np.Unmanaged != nil && len(np.Unmanaged.Causes) > 0 {
			if i, ok := index[np.Unmanaged.Causes[0]]; ok {
				out[i].nodes = append(out[i].nodes, np)
				continue
			}
		}
		other = append(other, np)
	}
	kept := out[:0]
	for _, g := range out {
		if len(g.nodes) > 0 {
			kept = append(kept, g)
		}
	}
	if len(other) > 0 {
		kept = append(kept, unmanagedGroup{group: group{title: "other", nodes: other}})
	}
	return kept
}

// instanceName is an unmanaged instance's Name tag, or "".
func instanceName(np plan.NodePlan) string {
	if np.Node.EC2 == nil {
		return ""
	}
	return short(np.Node.EC2.Name)
}

// fixesOf says which fixes act on an unmanaged instance, or could.
func fixesOf(np plan.NodePlan) string {
	u := np.Unmanaged
	if u == nil {
		return ""
	}
	if len(u.Fixes) > 0 {
		return "fixing: " + kinds(u.Fixes)
	}
	if len(u.Could) > 0 {
		var flags []string
		for _, k := range u.Could {
			if f, ok := unmanaged.LookupFix(k); ok {
				flags = append(flags, f.Flag)
			}
		}
		return "could fix: " + strings.Join(flags, " or ")
	}
	return ""
}

func kinds(ks []unmanaged.FixKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// unmanagedLine says in one line what the plan found of unmanaged
// instances when it lists none, or "" when it lists some (or did not
// look, which notLookedLine says).
func unmanagedNone(p plan.Plan) string {
	r := p.Registration
	if r == nil || !r.Searched || p.Summary.Unmanaged > 0 {
		return ""
	}
	return fmt.Sprintf("EC2 instances SSM does not manage: none (%s in the selection).", plural(r.Instances, "EC2 instance", "EC2 instances"))
}

// fixLine is one fix of the plan in words: what it does, or would do.
func fixLine(fp unmanaged.FixPlan) string {
	head := fp.Flag
	if fp.Kind == unmanaged.AttachProfile && fp.Profile != "" {
		head += " " + fp.Profile
	}
	if !fp.Requested {
		head += " (not asked for)"
	}
	s := head + ": " + fp.Does
	if fp.Requested {
		s += "; apply waits up to " + fp.Wait + " for each to register"
	}
	if fp.Cannot != "" {
		s += "; CANNOT: " + fp.Cannot
	}
	return clean(s)
}

// registrationSummary is the unmanaged part of the plan's summary line.
func registrationSummary(s plan.Summary) string {
	if s.Unmanaged == 0 {
		return ""
	}
	out := fmt.Sprintf(", %d unmanaged", s.Unmanaged)
	if s.Register > 0 {
		out += fmt.Sprintf(" (%d to bring under management)", s.Register)
	}
	return out
}
