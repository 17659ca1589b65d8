package plan

import (
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
)

// Build decides a verdict and actions for every node and groups the actions
// into batches. It is pure.
//
// evals are matched to nodes by instance ID; a node without an evaluation is
// evaluated here against opts.Prereqs, so passing nil evals is allowed.
func Build(nodes []fleet.Node, evals []prereq.Evaluation, opts Options) Plan {
	// Evaluate returns evals in the order of nodes; only evals in another
	// order or for other nodes need the index by ID.
	var byID map[string]prereq.Evaluation
	if !sameOrder(nodes, evals) {
		byID = make(map[string]prereq.Evaluation, len(evals))
		for _, ev := range evals {
			byID[ev.InstanceID] = ev
		}
	}
	strategy := opts.Strategy
	if strategy == 0 {
		strategy = Association
	}
	p := Plan{
		FormatVersion: FormatVersion,
		ToolVersion:   opts.ToolVersion,
		// Plans are stored in UTC without a monotonic reading, so that a
		// saved and reloaded plan is identical to the one built.
		CreatedAt:   opts.CreatedAt.UTC().Round(0),
		Region:      opts.Region,
		Account:     opts.Account,
		Selection:   opts.Selection,
		Prereqs:     opts.Prereqs,
		Strategy:    strategy,
		ProbeRan:    opts.ProbeRan,
		Fingerprint: FactsFingerprint(nodes),
	}
	if len(nodes) > 0 {
		// Sized once: appending would copy a 100k-node plan several times
		// over and leave up to a quarter of it unused.
		p.Nodes = make([]NodePlan, 0, len(nodes))
	}
	in := interner{}
	for i, n := range nodes {
		var ev prereq.Evaluation
		ok := false
		if byID == nil {
			ev, ok = evals[i], true
		} else {
			ev, ok = byID[n.InstanceID]
		}
		if !ok {
			ev = prereq.EvaluateNode(n, opts.Prereqs)
		}
		np := decide(n, ev)
		in.node(&np)
		p.Nodes = append(p.Nodes, np)
	}
	slices.SortStableFunc(p.Nodes, func(a, b NodePlan) int {
		return strings.Compare(a.Node.InstanceID, b.Node.InstanceID)
	})
	p.Batches = batches(p.Nodes)
	p.Summary = summarize(p.Nodes)
	return p
}

// sameOrder reports whether evals[i] is the evaluation of nodes[i] for
// every node.
func sameOrder(nodes []fleet.Node, evals []prereq.Evaluation) bool {
	if len(nodes) != len(evals) {
		return false
	}
	for i := range nodes {
		if nodes[i].InstanceID != evals[i].InstanceID {
			return false
		}
	}
	return true
}

// decide applies DESIGN §4: anything that SSM cannot fix blocks the node;
// otherwise each failed check that an action can fix adds that action.
func decide(n fleet.Node, ev prereq.Evaluation) NodePlan {
	if !n.LastPingAt.IsZero() {
		n.LastPingAt = n.LastPingAt.UTC().Round(0)
	}
	np := NodePlan{Node: n, Checks: ev.Checks}
	for _, note := range ev.Notes {
		if note.Level == prereq.NoteWarning {
			np.Notes = append(np.Notes, "warning: "+note.Text)
		} else {
			np.Notes = append(np.Notes, note.Text)
		}
	}
	get := func(id prereq.CheckID) prereq.CheckResult {
		c, ok := ev.Check(id)
		if !ok {
			return prereq.CheckResult{Check: id, Status: prereq.StatusUnknown, Reason: "check " + string(id) + " was not run"}
		}
		return c
	}
	online, osc, agent, req := get(prereq.CheckOnline), get(prereq.CheckOSSupported), get(prereq.CheckAgentVersion), get(prereq.CheckRequests)

	block := func(c prereq.CheckResult) {
		np.BlockedBy = append(np.BlockedBy, c.Check)
		np.Reasons = append(np.Reasons, c.Reason)
	}
	if online.Status != prereq.StatusPass {
		block(online)
	}
	if osc.Status != prereq.StatusPass {
		block(osc)
	}
	// A failing agent is fixable, but one whose version cannot be read is
	// not: patchready would be guessing what the update does.
	if agent.Status == prereq.StatusUnknown {
		block(agent)
	}
	probeNotRun := n.Probe == nil || n.Probe.Status == fleet.ProbeSkipped
	if req.Status == prereq.StatusUnknown && !probeNotRun {
		// The probe failed, or found a requests version it cannot read:
		// either way nothing is known that an action could be based on.
		block(req)
	}
	if len(np.BlockedBy) > 0 {
		np.Verdict = Blocked
		return np
	}

	if agent.Status == prereq.StatusFail {
		np.Actions = append(np.Actions, UpdateAgent)
		np.Reasons = append(np.Reasons, agent.Reason+": update-agent installs the latest agent")
	}
	switch {
	case req.Status == prereq.StatusFail:
		np.Actions = append(np.Actions, UpgradeRequests)
		why := req.Reason + ": upgrade-requests installs a current requests"
		if np.HasAction(UpdateAgent) {
			why += " after the agent update is read back"
		}
		np.Reasons = append(np.Reasons, why)
	case req.Status == prereq.StatusUnknown && probeNotRun:
		how := "probe skipped"
		if n.Probe == nil {
			how = "probe not run"
		}
		np.Notes = append(np.Notes, "proxy status unknown ("+how+"); requests not checked")
	}
	if len(np.Actions) == 0 {
		np.Verdict = Compliant
		return np
	}
	np.Verdict = Fix
	return np
}

// batches groups node IDs per action into batches of at most MaxBatchSize,
// sorted, in execution order.
func batches(nodes []NodePlan) []Batch {
	updating := map[string]bool{}
	for _, n := range nodes {
		if n.HasAction(UpdateAgent) {
			updating[n.Node.InstanceID] = true
		}
	}
	var out []Batch
	for _, a := range ActionKinds() {
		var ids []string
		for _, n := range nodes {
			if n.HasAction(a) {
				ids = append(ids, n.Node.InstanceID)
			}
		}
		slices.Sort(ids)
		for i := 0; len(ids) > 0; i++ {
			k := min(MaxBatchSize, len(ids))
			b := Batch{Action: a, Index: i + 1, InstanceIDs: ids[:k:k]}
			// The agent restarts during its update, so a requests upgrade
			// sent meanwhile can end DeliveryTimedOut.
			if a == UpgradeRequests && slices.ContainsFunc(b.InstanceIDs, func(id string) bool { return updating[id] }) {
				b.After = []ActionKind{UpdateAgent}
			}
			out = append(out, b)
			ids = ids[k:]
		}
	}
	return out
}

func summarize(nodes []NodePlan) Summary {
	s := Summary{Nodes: len(nodes), Actions: map[ActionKind]int{}}
	for _, a := range ActionKinds() {
		s.Actions[a] = 0
	}
	for _, n := range nodes {
		switch n.Verdict {
		case Compliant:
			s.Compliant++
		case Fix:
			s.Fix++
		case Blocked:
			s.Blocked++
		}
		for _, a := range n.Actions {
			s.Actions[a]++
		}
	}
	return s
}
