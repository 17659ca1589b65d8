package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
)

// Build decides a verdict and actions for every node and groups the actions
// into batches. It is pure.
//
// evals are matched to nodes by instance ID; a node without an evaluation is
// evaluated here against opts.Prereqs, so passing nil evals is allowed. A
// node SSM does not manage (one with EC2 facts) is not evaluated: the
// unmanaged causes decide it (see decideUnmanaged).
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
	if strategy == "" {
		strategy = DefaultStrategy
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
		Rules:       opts.Rules,
		Strategy:    strategy,
		ProbeRan:    opts.ProbeRan,
		Scanned:     opts.Scanned,
		Fingerprint: FactsFingerprint(nodes),
	}
	if len(nodes) > 0 {
		// Sized once: appending would copy a 100k-node plan several times
		// over and leave up to a quarter of it unused.
		p.Nodes = make([]NodePlan, 0, len(nodes))
	}
	in := interner{}
	for i, n := range nodes {
		if n.Unmanaged() {
			np := decideUnmanaged(n, opts)
			in.node(&np)
			p.Nodes = append(p.Nodes, np)
			continue
		}
		var ev prereq.Evaluation
		ok := false
		if byID == nil {
			ev, ok = evals[i], true
		} else {
			ev, ok = byID[n.InstanceID]
		}
		if !ok {
			ev = prereq.EvaluateNode(n, opts.Rules)
		}
		np := decide(n, ev)
		if s, ok := opts.Scans[n.InstanceID]; ok {
			applyScan(&np, s)
		}
		in.node(&np)
		p.Nodes = append(p.Nodes, np)
	}
	slices.SortStableFunc(p.Nodes, compareNodes)
	p.Registration = registration(p.Nodes, opts.Unmanaged, opts.Fixes, opts.Region, strategy)
	p.Batches = batches(p.Nodes)
	p.Summary = summarize(p.Nodes)
	p.FormatVersion = formatVersion(p)
	return p
}

// compareNodes orders node plans by account, region, then instance ID: by
// instance ID alone in a plan of one target, whose nodes carry neither.
func compareNodes(a, b NodePlan) int {
	if c := strings.Compare(a.Node.Account, b.Node.Account); c != 0 {
		return c
	}
	if c := strings.Compare(a.Node.Region, b.Node.Region); c != 0 {
		return c
	}
	return strings.Compare(a.Node.InstanceID, b.Node.InstanceID)
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

// decide applies each check's declared consequence: anything SSM cannot fix
// blocks the node; otherwise each failed check that an action can fix adds
// that action, and notes and warnings are collected for the reviewer.
func decide(n fleet.Node, ev prereq.Evaluation) NodePlan {
	if !n.LastPingAt.IsZero() {
		n.LastPingAt = n.LastPingAt.UTC().Round(0)
	}
	np := NodePlan{Node: n, Checks: ev.Checks}
	var fixes []string
	for _, res := range ev.Checks {
		c, ok := prereq.Lookup(res.Check)
		if !ok {
			// A result from a check this patchready does not know (an
			// evaluation made elsewhere): decide nothing from it.
			continue
		}
		k, action := c.Consequence(res)
		switch k {
		case prereq.Block:
			np.BlockedBy = append(np.BlockedBy, c.ID)
			np.Reasons = append(np.Reasons, res.Reason)
		case prereq.Fix:
			if !slices.Contains(np.Actions, action.Kind) {
				np.Actions = append(np.Actions, action.Kind)
			}
			fixes = append(fixes, res.Reason+": "+string(action.Kind)+" "+action.Doing)
		case prereq.Note:
			np.Notes = append(np.Notes, res.Reason)
		case prereq.Warn:
			np.Notes = append(np.Notes, "warning: "+res.Reason)
		}
	}
	if len(np.BlockedBy) > 0 {
		np.Verdict = Blocked
		np.Actions = nil
		return np
	}
	np.Reasons = fixes
	if len(np.Actions) == 0 {
		np.Verdict = Compliant
		return np
	}
	sortActions(np.Actions)
	if np.HasAction(prereq.UpdateAgent) && len(np.Actions) > 1 {
		// The agent restarts during its own update: a command sent
		// meanwhile can end DeliveryTimedOut.
		for i := range np.Reasons {
			if !strings.Contains(np.Reasons[i], string(prereq.UpdateAgent)+" ") {
				np.Reasons[i] += ", after the agent update is read back"
			}
		}
	}
	np.Verdict = Fix
	return np
}

// actionOrder ranks actions in execution order.
var actionOrder = func() map[prereq.ActionKind]int {
	m := map[prereq.ActionKind]int{}
	for i, a := range prereq.Actions() {
		m[a.Kind] = i
	}
	return m
}()

func sortActions(as []prereq.ActionKind) {
	slices.SortStableFunc(as, func(a, b prereq.ActionKind) int { return actionOrder[a] - actionOrder[b] })
}

// batches groups the nodes into batches per target (account and region,
// in the order the nodes have them), since an SSM call acts in one account
// and region. A plan of one target gets exactly targetBatches.
func batches(nodes []NodePlan) []Batch {
	var out []Batch
	for start := 0; start < len(nodes); {
		acct, region := nodes[start].Node.Account, nodes[start].Node.Region
		end := start
		for end < len(nodes) && nodes[end].Node.Account == acct && nodes[end].Node.Region == region {
			end++
		}
		for _, b := range targetBatches(nodes[start:end]) {
			b.Account, b.Region = acct, region
			out = append(out, b)
		}
		start = end
	}
	return out
}

// targetBatches groups the nodes of one target into batches of at most
// MaxBatchSize, sorted: update-agent first, then one group per distinct set
// of fix actions (one fix document command carries them all), in execution
// order.
func targetBatches(nodes []NodePlan) []Batch {
	var out []Batch
	var agent []string
	updating := map[string]bool{}
	fixSets := map[string][]string{}
	var setOrder []string
	setActions := map[string][]prereq.ActionKind{}
	for _, n := range nodes {
		var fix []prereq.ActionKind
		for _, a := range n.Actions {
			if a == prereq.UpdateAgent {
				agent = append(agent, n.Node.InstanceID)
				updating[n.Node.InstanceID] = true
			} else {
				fix = append(fix, a)
			}
		}
		if len(fix) == 0 {
			continue
		}
		key := fmt.Sprint(fix)
		if _, ok := fixSets[key]; !ok {
			setOrder = append(setOrder, key)
			setActions[key] = fix
		}
		fixSets[key] = append(fixSets[key], n.Node.InstanceID)
	}
	out = appendBatches(out, []prereq.ActionKind{prereq.UpdateAgent}, agent, nil)
	slices.SortFunc(setOrder, func(a, b string) int { return compareActionSets(setActions[a], setActions[b]) })
	for _, key := range setOrder {
		out = appendBatches(out, setActions[key], fixSets[key], updating)
	}
	return out
}

func appendBatches(out []Batch, actions []prereq.ActionKind, ids []string, updating map[string]bool) []Batch {
	slices.Sort(ids)
	for i := 0; len(ids) > 0; i++ {
		k := min(MaxBatchSize, len(ids))
		b := Batch{Actions: actions, Index: i + 1, InstanceIDs: ids[:k:k]}
		if slices.ContainsFunc(b.InstanceIDs, func(id string) bool { return updating[id] }) {
			b.After = []prereq.ActionKind{prereq.UpdateAgent}
		}
		out = append(out, b)
		ids = ids[k:]
	}
	return out
}

// compareActionSets orders sets of actions by their actions' execution
// order, element by element.
func compareActionSets(a, b []prereq.ActionKind) int {
	for i := range min(len(a), len(b)) {
		if d := actionOrder[a[i]] - actionOrder[b[i]]; d != 0 {
			return d
		}
	}
	return len(a) - len(b)
}

func summarize(nodes []NodePlan) Summary {
	s := Summary{Nodes: len(nodes), Actions: map[prereq.ActionKind]int{}}
	for _, a := range prereq.Actions() {
		s.Actions[a.Kind] = 0
	}
	for _, n := range nodes {
		switch n.Verdict {
		case Compliant:
			s.Compliant++
		case Fix:
			s.Fix++
		case Blocked:
			s.Blocked++
		case Unmanaged:
			s.Unmanaged++
			if n.Registers() {
				s.Register++
			}
		}
		for _, a := range n.Actions {
			s.Actions[a]++
		}
		if n.Scan != nil && n.Scan.Passed {
			s.ScanPassed++
		} else if n.Scan != nil {
			s.ScanFailed++
		}
	}
	return s
}
