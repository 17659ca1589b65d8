package plan

import (
	"errors"
	"fmt"
	"slices"

	"github.com/patchready/patchready/internal/fleet"
)

// ErrNarrowByTag is returned by Narrow for a selection with tags: a plan
// does not record its nodes' tags, so it cannot tell which of them match.
var ErrNarrowByTag = errors.New("a plan records no node tags, so it cannot be narrowed by tag")

// NotInPlanError lists instance IDs a narrowing asked for that the plan
// does not have: applying them would act on nodes nobody reviewed.
type NotInPlanError struct{ IDs []string }

func (e *NotInPlanError) Error() string {
	return fmt.Sprintf("not in the plan: %s", joinIDs(e.IDs))
}

// Narrow returns the part of p that sel selects: only the nodes with one
// of sel.InstanceIDs (when given), on sel.Platform (when given), and not
// in sel.ExcludeInstanceIDs. The result is a plan of its own, with batches,
// summary and fingerprint built from the kept nodes as Build builds them,
// and a selection that records the narrowing. It is a subset of what p
// says, never more: sel must be normalised, and an instance ID that p does
// not have is refused.
func Narrow(p Plan, sel fleet.Selection) (Plan, error) {
	if len(sel.Tags) > 0 {
		return Plan{}, ErrNarrowByTag
	}
	have := make(map[string]bool, len(p.Nodes))
	for _, np := range p.Nodes {
		have[np.Node.InstanceID] = true
	}
	var missing []string
	for _, id := range sel.InstanceIDs {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return Plan{}, &NotInPlanError{IDs: missing}
	}
	out := p
	out.Nodes = nil
	out.Targets = slices.Clone(p.Targets)
	for _, np := range p.Nodes {
		id := np.Node.InstanceID
		if len(sel.InstanceIDs) > 0 && !slices.Contains(sel.InstanceIDs, id) ||
			sel.Platform != "" && np.Node.PlatformType != sel.Platform ||
			slices.Contains(sel.ExcludeInstanceIDs, id) {
			continue
		}
		out.Nodes = append(out.Nodes, np)
	}
	if p.Registration != nil {
		out.Registration = registration(out.Nodes, &p.Registration.Region, p.Registration.Asked, p.Region, p.Strategy)
	}
	out.refresh()
	out.Selection = narrowed(p.Selection, sel)
	return out, nil
}

// narrowed is the selection of a narrowed plan: the plan's own, further
// limited by sel.
func narrowed(s, sel fleet.Selection) fleet.Selection {
	if len(sel.InstanceIDs) > 0 {
		// Every one of them is in the plan, so within s already.
		s.InstanceIDs = slices.Clone(sel.InstanceIDs)
	}
	if sel.Platform != "" {
		s.Platform = sel.Platform
	}
	if len(sel.ExcludeInstanceIDs) > 0 {
		s.ExcludeInstanceIDs = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(s.ExcludeInstanceIDs), sel.ExcludeInstanceIDs...))))
	}
	return s
}
