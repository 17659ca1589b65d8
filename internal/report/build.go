package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
)

// maxPlatformRows is how many platforms get a bar of their own; the rest
// share one "other" bar, so that a fleet of fifty OS releases still reads
// as a chart.
const maxPlatformRows = 14

// maxReasons is how many distinct reason texts a cause lists.
const maxReasons = 5

// Options adjust Build.
type Options struct {
	// Runs are runs made from the plan, oldest first.
	Runs []Run
	// Scope returns a node's account and region; nil means NodeScope.
	Scope func(plan.NodePlan) Scope
}

// Build computes the report of p and the runs in opts. It is pure.
func Build(p plan.Plan, opts Options) Page {
	scope := opts.Scope
	if scope == nil {
		scope = NodeScope
	}
	pg := Page{
		Plan:     p,
		Verdicts: CountVerdicts(p),
		Agents:   agentChart(p),
		Checks:   checkStack(p),
		Causes:   causes(p),
		Notes:    notes(p),
		Runs:     opts.Runs,
		Outcomes: map[string]Outcome{},
	}
	keys := make([]string, len(pg.Verdicts))
	for i, v := range pg.Verdicts {
		keys[i] = v.Name
	}
	pg.Platforms = verdictStack(p, keys, PlatformLabel, maxPlatformRows)
	hasScope := false
	for _, np := range p.Nodes {
		if !scope(np).IsZero() {
			hasScope = true
			break
		}
	}
	if hasScope {
		s := verdictStack(p, keys, func(np plan.NodePlan) string {
			if sc := scope(np); !sc.IsZero() {
				return sc.String()
			}
			return "(not recorded)"
		}, 0)
		slices.SortStableFunc(s.Rows, func(a, b StackRow) int { return strings.Compare(a.Label, b.Label) })
		pg.Scopes = &s
	}
	for _, r := range opts.Runs {
		for id, o := range r.Nodes {
			pg.Outcomes[id] = o
		}
	}
	return pg
}

// PlatformLabel names a node's OS as the report groups it, e.g.
// "Amazon Linux 2" or "Ubuntu 22.04".
func PlatformLabel(np plan.NodePlan) string {
	name := strings.TrimSpace(np.Node.PlatformName)
	v := strings.TrimSpace(np.Node.PlatformVersion)
	switch {
	case name == "":
		return "unknown OS"
	case v == "":
		return name
	}
	return name + " " + v
}

// verdictStack counts nodes by label(node) and verdict, rows with most
// nodes first. With limit > 0, rows past the limit are merged into one.
func verdictStack(p plan.Plan, keys []string, label func(plan.NodePlan) string, limit int) Stack {
	col := make(map[string]int, len(keys))
	for i, k := range keys {
		col[k] = i
	}
	rows := map[string]*StackRow{}
	var order []*StackRow
	for _, np := range p.Nodes {
		l := label(np)
		r, ok := rows[l]
		if !ok {
			r = &StackRow{Label: l, Counts: make([]int, len(keys))}
			rows[l] = r
			order = append(order, r)
		}
		if i, ok := col[np.Verdict.String()]; ok {
			r.Counts[i]++
		}
		r.Total++
	}
	slices.SortStableFunc(order, func(a, b *StackRow) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), strings.Compare(a.Label, b.Label))
	})
	s := Stack{Keys: keys}
	for i, r := range order {
		if limit > 0 && i == limit && len(order) > limit+1 {
			other := StackRow{Label: fmt.Sprintf("%d other platforms", len(order)-limit), Counts: make([]int, len(keys))}
			for _, r := range order[limit:] {
				for j, n := range r.Counts {
					other.Counts[j] += n
				}
				other.Total += r.Total
			}
			s.Rows = append(s.Rows, other)
			break
		}
		s.Rows = append(s.Rows, *r)
	}
	return s
}

// statusOrder puts the statuses a reader expects first; any other status
// follows in the order met.
var statusOrder = []prereq.Status{prereq.StatusPass, prereq.StatusFail, prereq.StatusUnknown, prereq.StatusNA}

// checkStack counts each check's statuses over the nodes, checks in the
// order the nodes report them.
func checkStack(p plan.Plan) Stack {
	s := Stack{}
	col := map[prereq.Status]int{}
	for _, st := range statusOrder {
		col[st] = len(s.Keys)
		s.Keys = append(s.Keys, string(st))
	}
	row := map[prereq.CheckID]int{}
	for _, np := range p.Nodes {
		for _, c := range np.Checks {
			i, ok := row[c.Check]
			if !ok {
				i = len(s.Rows)
				row[c.Check] = i
				s.Rows = append(s.Rows, StackRow{Label: string(c.Check), Counts: make([]int, len(s.Keys))})
			}
			j, ok := col[c.Status]
			if !ok {
				j = len(s.Keys)
				col[c.Status] = j
				s.Keys = append(s.Keys, string(c.Status))
				for k := range s.Rows {
					s.Rows[k].Counts = append(s.Rows[k].Counts, 0)
				}
			}
			s.Rows[i].Counts[j]++
			s.Rows[i].Total++
		}
	}
	// Drop statuses no node has, so the legend shows only what is there.
	keep := []int{}
	for j := range s.Keys {
		for _, r := range s.Rows {
			if r.Counts[j] > 0 {
				keep = append(keep, j)
				break
			}
		}
	}
	out := Stack{}
	for _, j := range keep {
		out.Keys = append(out.Keys, s.Keys[j])
	}
	for _, r := range s.Rows {
		nr := StackRow{Label: r.Label, Total: r.Total}
		for _, j := range keep {
			nr.Counts = append(nr.Counts, r.Counts[j])
		}
		out.Rows = append(out.Rows, nr)
	}
	return out
}

// causes ranks the checks that block nodes by how many nodes each blocks.
func causes(p plan.Plan) []Cause {
	type acc struct {
		cause   Cause
		reasons map[string]int
	}
	byCheck := map[prereq.CheckID]*acc{}
	var order []prereq.CheckID
	for _, np := range p.Nodes {
		for i, id := range np.BlockedBy {
			a, ok := byCheck[id]
			if !ok {
				a = &acc{cause: Cause{Check: string(id), Title: CheckTitle(id), Advice: CheckAdvice(id)}, reasons: map[string]int{}}
				byCheck[id] = a
				order = append(order, id)
			}
			a.cause.Nodes++
			a.reasons[blockReason(np, i)]++
		}
	}
	out := make([]Cause, 0, len(order))
	for _, id := range order {
		a := byCheck[id]
		ranked := rank(a.reasons)
		shown := 0
		for _, r := range ranked[:min(len(ranked), maxReasons)] {
			shown += r.N
		}
		a.cause.Reasons = ranked[:min(len(ranked), maxReasons)]
		a.cause.OtherReasons = a.cause.Nodes - shown
		out = append(out, a.cause)
	}
	slices.SortStableFunc(out, func(a, b Cause) int { return cmp.Compare(b.Nodes, a.Nodes) })
	return out
}

// blockReason is the reason the i-th blocking check gave on np: the
// check's own reason, or the plan's reason in the same place.
func blockReason(np plan.NodePlan, i int) string {
	id := np.BlockedBy[i]
	for _, c := range np.Checks {
		if c.Check == id && c.Reason != "" {
			return c.Reason
		}
	}
	if i < len(np.Reasons) {
		return np.Reasons[i]
	}
	return string(id)
}

// notes counts nodes by note text, most first.
func notes(p plan.Plan) []Count {
	m := map[string]int{}
	for _, np := range p.Nodes {
		for _, n := range np.Notes {
			m[n]++
		}
	}
	return rank(m)
}

// rank turns counts into a list, most first, ties by name.
func rank(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Name: k, N: n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.Name, b.Name)) })
	return out
}
