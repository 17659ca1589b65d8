package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
)

// Target is one account and region of a plan across several: the unit
// that is planned, applied and fails on its own, since AWS's rate limits,
// credentials and opt-in regions are all per account and region.
type Target struct {
	Account string `json:"account"`
	// AccountName is the account's name in the organization, when known.
	AccountName string `json:"account_name,omitempty"`
	Region      string `json:"region"`
	// Failure says why the target could not be planned; such a target has
	// no nodes in the plan.
	Failure *TargetFailure `json:"failure,omitempty"`
	// Summary counts the target's nodes.
	Summary Summary `json:"summary"`
	// Fingerprint is FactsFingerprint of the target's nodes: what the
	// stale check compares in that target before apply changes anything.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Key names the target as "account/region".
func (t Target) Key() string { return t.Account + "/" + t.Region }

// Failed reports whether the target could not be planned.
func (t Target) Failed() bool { return t.Failure != nil }

// TargetFailure is why a target could not be planned or applied.
type TargetFailure struct {
	// Kind is a short word scripts can match: role, suspended,
	// region-disabled, throttled, denied, stale or error.
	Kind string `json:"kind"`
	// Reason says what happened, Advice what to do about it.
	Reason string `json:"reason"`
	Advice string `json:"advice,omitempty"`
}

// Part is one target's share of a plan across targets: the plan of that
// account and region alone (as engine.MakePlan makes it, its nodes
// carrying no account or region), or, when Plan is nil, the target with
// its Failure.
type Part struct {
	Target Target
	Plan   *Plan
}

// HasTargets reports whether p is a plan across targets.
func (p Plan) HasTargets() bool { return len(p.Targets) > 0 }

// FailedTargets returns the targets that could not be planned.
func (p Plan) FailedTargets() []Target {
	var out []Target
	for _, t := range p.Targets {
		if t.Failed() {
			out = append(out, t)
		}
	}
	return out
}

// Merge makes one plan of the parts: every node gets its target's account
// and region, batches stay within their target, and the plan records every
// target with its summary and fingerprint, or its failure. opts gives the
// header (Region and Account are left empty: the targets say where). It is
// pure, and takes the parts' node plans without copying their checks.
func Merge(parts []Part, opts Options) Plan {
	strategy := opts.Strategy
	if strategy == "" {
		strategy = DefaultStrategy
	}
	p := Plan{
		FormatVersion: FormatVersion,
		ToolVersion:   opts.ToolVersion,
		CreatedAt:     opts.CreatedAt.UTC().Round(0),
		Selection:     opts.Selection,
		Rules:         opts.Rules,
		Strategy:      strategy,
		ProbeRan:      opts.ProbeRan,
		Scanned:       opts.Scanned,
	}
	n := 0
	for _, part := range parts {
		if part.Plan != nil {
			n += len(part.Plan.Nodes)
		}
	}
	if n > 0 {
		p.Nodes = make([]NodePlan, 0, n)
	}
	for _, part := range parts {
		t := part.Target
		t.Summary, t.Fingerprint = Summary{}, ""
		if part.Plan == nil && t.Failure == nil {
			t.Failure = &TargetFailure{Kind: "error", Reason: "no plan was made"}
		}
		if part.Plan != nil {
			t.Failure = nil
			for _, np := range part.Plan.Nodes {
				np.Node.Account, np.Node.Region = t.Account, t.Region
				p.Nodes = append(p.Nodes, np)
			}
		}
		p.Targets = append(p.Targets, t)
	}
	slices.SortStableFunc(p.Targets, func(a, b Target) int { return strings.Compare(a.Key(), b.Key()) })
	p.Targets = slices.CompactFunc(p.Targets, func(a, b Target) bool { return a.Key() == b.Key() })
	slices.SortStableFunc(p.Nodes, compareNodes)
	p.refresh()
	p.FormatVersion = formatVersion(p)
	return p
}

// Split returns each target's share of p as a plan of that account and
// region alone, exactly as one would have been made there: its nodes and
// batches without account and region (the batches as reviewed, not
// rebuilt), Region and Account set, its own summary and fingerprint.
// Failed targets come back with a nil Plan. A plan without targets is
// returned whole, as the one part.
func Split(p Plan) []Part {
	if !p.HasTargets() {
		q := p
		return []Part{{Target: Target{Account: p.Account, Region: p.Region, Summary: p.Summary, Fingerprint: p.Fingerprint}, Plan: &q}}
	}
	byTarget := map[string][]NodePlan{}
	for _, np := range p.Nodes {
		k := np.Node.Account + "/" + np.Node.Region
		np.Node.Account, np.Node.Region = "", ""
		byTarget[k] = append(byTarget[k], np)
	}
	batchesOf := map[string][]Batch{}
	for _, b := range p.Batches {
		k := b.Account + "/" + b.Region
		b.Account, b.Region = "", ""
		batchesOf[k] = append(batchesOf[k], b)
	}
	out := make([]Part, 0, len(p.Targets))
	for _, t := range p.Targets {
		if t.Failed() {
			out = append(out, Part{Target: t})
			continue
		}
		nodes := byTarget[t.Key()]
		q := Plan{
			FormatVersion: FormatVersion, ToolVersion: p.ToolVersion, CreatedAt: p.CreatedAt,
			Region: t.Region, Account: t.Account, Selection: p.Selection, Rules: p.Rules,
			Strategy: p.Strategy, ProbeRan: p.ProbeRan, Scanned: p.Scanned, Nodes: nodes, Batches: batchesOf[t.Key()],
			Summary: summarize(nodes), Fingerprint: FactsFingerprint(nodesOf(nodes)),
		}
		q.FormatVersion = formatVersion(q)
		out = append(out, Part{Target: t, Plan: &q})
	}
	return out
}

// NarrowTargets returns p with only the targets keep keeps, and their
// nodes: a subset of what was reviewed, as Narrow is for nodes.
func NarrowTargets(p Plan, keep func(Target) bool) Plan {
	if !p.HasTargets() {
		return p
	}
	out := p
	out.Targets, out.Nodes = nil, nil
	kept := map[string]bool{}
	for _, t := range p.Targets {
		if keep(t) {
			out.Targets = append(out.Targets, t)
			kept[t.Key()] = true
		}
	}
	for _, np := range p.Nodes {
		if kept[np.Node.Account+"/"+np.Node.Region] {
			out.Nodes = append(out.Nodes, np)
		}
	}
	out.refresh()
	return out
}

// Without returns p without the nodes drop picks, everything that follows
// from the nodes recomputed; its targets stay. It is pure.
func Without(p Plan, drop func(NodePlan) bool) Plan {
	out := p
	out.Targets = slices.Clone(p.Targets)
	out.Nodes = make([]NodePlan, 0, len(p.Nodes))
	for _, np := range p.Nodes {
		if !drop(np) {
			out.Nodes = append(out.Nodes, np)
		}
	}
	out.refresh()
	return out
}

// refresh recomputes what follows from the nodes: the batches, the
// summary, the fingerprint and, in a plan with targets, each target's
// summary and fingerprint. The plan's fingerprint is then one over the
// targets' own, so that the same instance ID in two accounts cannot mask
// a change.
func (p *Plan) refresh() {
	p.Batches = batches(p.Nodes)
	p.Summary = summarize(p.Nodes)
	if !p.HasTargets() {
		p.Fingerprint = FactsFingerprint(nodesOf(p.Nodes))
		return
	}
	index := make(map[string]int, len(p.Targets))
	for i := range p.Targets {
		t := &p.Targets[i]
		index[t.Key()] = i
		t.Summary, t.Fingerprint = Summary{}, ""
		if !t.Failed() {
			t.Summary, t.Fingerprint = summarize(nil), FactsFingerprint(nil)
		}
	}
	for start := 0; start < len(p.Nodes); {
		end := start
		k := p.Nodes[start].Node.Account + "/" + p.Nodes[start].Node.Region
		for end < len(p.Nodes) && p.Nodes[end].Node.Account+"/"+p.Nodes[end].Node.Region == k {
			end++
		}
		if i, ok := index[k]; ok {
			p.Targets[i].Summary = summarize(p.Nodes[start:end])
			p.Targets[i].Fingerprint = FactsFingerprint(nodesOf(p.Nodes[start:end]))
		}
		start = end
	}
	p.Fingerprint = targetsFingerprint(p.Targets)
}

func nodesOf(nps []NodePlan) []fleet.Node {
	out := make([]fleet.Node, len(nps))
	for i := range nps {
		out[i] = nps[i].Node
	}
	return out
}

// targetsFingerprint is "sha256:<hex>" over every target's key, whether it
// failed, and its fingerprint, in target order.
func targetsFingerprint(ts []Target) string {
	h := sha256.New()
	h.Write([]byte("patchready targets v1\n"))
	var buf []byte
	for _, t := range ts {
		buf = buf[:0]
		for _, s := range []string{t.Account, t.Region, t.Fingerprint, failureKind(t)} {
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
		h.Write(buf)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func failureKind(t Target) string {
	if t.Failure == nil {
		return ""
	}
	return t.Failure.Kind
}
