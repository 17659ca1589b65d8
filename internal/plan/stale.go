package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
)

// ChangeKind says how a node's facts differ between a plan and now.
type ChangeKind string

// Change kinds.
const (
	// FactChanged: the node is still there but one fact differs.
	FactChanged ChangeKind = "changed"
	// NodeMissing: the plan has the node; the current fleet does not.
	NodeMissing ChangeKind = "missing"
	// NodeNew: the current fleet has a node the plan does not.
	NodeNew ChangeKind = "new"
)

// FactChange is one difference between the facts a plan was built from and
// the facts observed now.
type FactChange struct {
	InstanceID string     `json:"instance_id"`
	Kind       ChangeKind `json:"kind"`
	// Fact names the changed fact (for example "agent_version"); empty for
	// missing and new nodes.
	Fact string `json:"fact,omitempty"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// String reads like one line of a diff: "i-0abc: agent_version 2.0.700.0 → 3.3.1142.0".
func (c FactChange) String() string {
	switch c.Kind {
	case NodeMissing:
		return c.InstanceID + ": no longer found (stopped, terminated, deregistered or no longer selected)"
	case NodeNew:
		return c.InstanceID + ": new node, not in the plan"
	default:
		return fmt.Sprintf("%s: %s %s → %s", c.InstanceID, c.Fact, show(c.Old), show(c.New))
	}
}

func show(s string) string {
	if s == "" {
		return `""`
	}
	if len(s) > 60 || strings.ContainsAny(s, " \t\n\"") {
		return fmt.Sprintf("%.60q", s)
	}
	return s
}

// Diff compares the facts old was built from with nodes, per node, sorted
// by instance ID: changed facts, nodes that disappeared, and new nodes.
func Diff(old Plan, nodes []fleet.Node) []FactChange {
	cur := make(map[string]fleet.Node, len(nodes))
	for _, n := range nodes {
		cur[n.InstanceID] = n
	}
	seen := make(map[string]bool, len(old.Nodes))
	var out []FactChange
	for _, np := range old.Nodes {
		id := np.Node.InstanceID
		seen[id] = true
		n, ok := cur[id]
		if !ok {
			out = append(out, FactChange{InstanceID: id, Kind: NodeMissing})
			continue
		}
		if np.Node.Unmanaged() && !n.Unmanaged() {
			// Every fact of it changes at once; one line says why.
			out = append(out, FactChange{InstanceID: id, Kind: FactChanged, Fact: "managed", Old: "no", New: "yes: registered with SSM since the plan was made"})
			continue
		}
		before, after := factsOf(np.Node), factsOf(n)
		for i := range before {
			if before[i] != after[i] {
				out = append(out, FactChange{InstanceID: id, Kind: FactChanged, Fact: factNames[i], Old: before[i], New: after[i]})
			}
		}
	}
	for _, n := range nodes {
		if !seen[n.InstanceID] {
			seen[n.InstanceID] = true
			out = append(out, FactChange{InstanceID: n.InstanceID, Kind: NodeNew})
		}
	}
	slices.SortStableFunc(out, func(a, b FactChange) int { return strings.Compare(a.InstanceID, b.InstanceID) })
	return out
}

// StaleError is returned by CheckStale when a saved plan no longer matches
// the fleet.
type StaleError struct {
	// Changes are the differences on the nodes the plan acts on.
	Changes []FactChange
	// Selection is the selection the plan was made with, for the message.
	Selection fleet.Selection
}

// Error reads like Terraform's "Saved plan is stale", followed by the diff.
func (e *StaleError) Error() string {
	var b strings.Builder
	b.WriteString("Saved plan is stale\n\n")
	b.WriteString("The facts that decided this plan's actions have changed since it was made,\n")
	b.WriteString("so applying it could do the wrong thing. Run patchready plan again and\n")
	b.WriteString("review the new plan.\n\n")
	fmt.Fprintf(&b, "Selection: %s\n\nChanges:\n", DescribeSelection(e.Selection))
	for _, c := range e.Changes {
		b.WriteString("  ~ " + c.String() + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// CheckStale compares the facts behind p's actions with current, the nodes
// apply has just re-read. Only nodes the plan acts on count: a change on a
// compliant or blocked node, or a new node, does not change what applying
// the plan would do. An unmanaged node the plan's fixes act on is current
// as EC2 shows it now, or as SSM does once it has registered. It returns
// nil or a *StaleError.
func CheckStale(p Plan, current []fleet.Node) error {
	targeted := Plan{}
	ids := map[string]bool{}
	for _, np := range p.Nodes {
		if np.Targeted() {
			targeted.Nodes = append(targeted.Nodes, np)
			ids[np.Node.InstanceID] = true
		}
	}
	var cur []fleet.Node
	for _, n := range current {
		if ids[n.InstanceID] {
			cur = append(cur, n)
		}
	}
	changes := Diff(targeted, cur)
	if len(changes) == 0 {
		return nil
	}
	return &StaleError{Changes: changes, Selection: p.Selection}
}

// DescribeSelection says in words which nodes a selection covers, the way
// the command line would have written it.
func DescribeSelection(s fleet.Selection) string {
	var parts []string
	if len(s.InstanceIDs) > 0 {
		parts = append(parts, "--instance-ids "+joinIDs(s.InstanceIDs))
	}
	for _, t := range s.Tags {
		parts = append(parts, "--tag "+t.Key+"="+t.Value)
	}
	if s.Platform != "" {
		parts = append(parts, "--platform "+s.Platform)
	}
	if len(s.ExcludeInstanceIDs) > 0 {
		parts = append(parts, "--exclude-instance-ids "+joinIDs(s.ExcludeInstanceIDs))
	}
	if len(parts) == 0 {
		return "all managed nodes in the region"
	}
	return strings.Join(parts, " ")
}

// joinIDs lists a few IDs and counts the rest, so that a selection of a
// thousand IDs does not fill the screen.
func joinIDs(ids []string) string {
	const show = 5
	if len(ids) <= show {
		return strings.Join(ids, ",")
	}
	return fmt.Sprintf("%s,… (%d in all)", strings.Join(ids[:show], ","), len(ids))
}
