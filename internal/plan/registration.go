package plan

import (
	"slices"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/unmanaged"
)

// decideUnmanaged decides the plan of an EC2 instance SSM does not
// manage: its causes and reasons, and the fixes that act on it (those
// asked for among those that could). It runs no prerequisite check: a node
// SSM cannot see has none of the facts they read; once a fix brings it
// under management, apply checks it like any node.
func decideUnmanaged(n fleet.Node, opts Options) NodePlan {
	region := n.Region
	if region == "" {
		region = opts.Region
	}
	d := unmanaged.Decide(n, region, opts.Fixes)
	return NodePlan{
		Node: n, Verdict: Unmanaged, Reasons: d.Reasons,
		Unmanaged: &UnmanagedNode{Causes: d.Causes, Could: d.Could, Fixes: d.Fixes},
	}
}

// registration says what the fixes do, or would do, on nodes, and takes
// a fix that cannot be carried out off every node's fixes: the plan then
// says why instead of promising it. It returns nil when reg is nil
// (unmanaged instances were not looked for).
func registration(nodes []NodePlan, reg *unmanaged.Region, asked unmanaged.Options, region string, strategy Strategy) *Registration {
	if reg == nil {
		return nil
	}
	var units []unmanaged.Unit
	for _, np := range nodes {
		if u := np.Unmanaged; u != nil {
			units = append(units, unmanaged.Unit{Node: np.Node, Decision: unmanaged.Decision{Causes: u.Causes, Could: u.Could, Fixes: u.Fixes}})
		}
	}
	r := &Registration{Region: *reg, Asked: asked}
	r.Fixes = unmanaged.PlanFixes(units, *reg, region, asked)
	for _, fp := range r.Fixes {
		if fp.Cannot == "" {
			continue
		}
		for i := range nodes {
			if u := nodes[i].Unmanaged; u != nil && slices.Contains(u.Fixes, fp.Kind) {
				// A copy: a narrowed plan shares its nodes' decisions with
				// the plan it was cut from.
				c := *u
				c.Fixes = slices.DeleteFunc(slices.Clone(u.Fixes), func(k unmanaged.FixKind) bool { return k == fp.Kind })
				nodes[i].Unmanaged = &c
			}
		}
	}
	for _, np := range nodes {
		if np.Registers() {
			r.Then = "once an instance shows Online in DescribeInstanceInformation, apply probes it and checks it by this plan's rules, " +
				"then, in the same run, updates its agent (strategy " + strategy.String() + ") and runs the fixes its checks call for; " +
				"an instance not registered within its fix's wait ends failed with the remaining suspects named; " +
				"these instances count toward --max-targets"
			break
		}
	}
	return r
}
