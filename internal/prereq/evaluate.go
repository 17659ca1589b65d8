package prereq

import (
	"strings"

	"github.com/patchready/patchready/internal/fleet"
)

// Evaluate makes every registered check on every node, in registry order.
// It is pure: the result depends only on its arguments.
//
// Each check's result depends on a few facts that most nodes share, so
// results are memoized per check and per distinct values of the facts the
// check declares: a 100,000-node fleet parses each version string once
// instead of once per node and rule, and nodes that share a result share its
// text.
func Evaluate(nodes []fleet.Node, r Rules) []Evaluation {
	m := newMemo(r)
	out := make([]Evaluation, len(nodes))
	for i := range nodes {
		out[i] = m.evaluate(&nodes[i])
	}
	return out
}

// EvaluateNode makes every check on one node. Every check runs even when an
// earlier one fails, so that a reviewer sees everything wrong at once.
func EvaluateNode(n fleet.Node, r Rules) Evaluation { return newMemo(r).evaluate(&n) }

// memo remembers each check's result per distinct key (the values of the
// facts the check declares), for one set of rules.
type memo struct {
	rules Rules
	by    []map[string]CheckResult // one map per registered check
	buf   []byte
}

func newMemo(r Rules) *memo {
	m := &memo{rules: r, by: make([]map[string]CheckResult, len(registry))}
	for i := range m.by {
		m.by[i] = map[string]CheckResult{}
	}
	return m
}

func (m *memo) evaluate(n *fleet.Node) Evaluation {
	ev := Evaluation{InstanceID: n.InstanceID, Checks: make([]CheckResult, len(registry))}
	for i := range registry {
		c := &registry[i]
		// Applicability reads the platform and probe status, which are
		// not among every check's facts, so they lead the key.
		m.buf = append(m.buf[:0], n.PlatformType...)
		m.buf = append(m.buf, 0)
		if n.IsAmazonLinux() {
			m.buf = append(m.buf, 'A')
		}
		if n.Probed() {
			m.buf = append(m.buf, 'P')
		}
		m.buf = append(m.buf, 0)
		m.buf = c.key(n, m.buf)
		if res, ok := m.by[i][string(m.buf)]; ok {
			ev.Checks[i] = res
			continue
		}
		res := c.run(n, &m.rules)
		m.by[i][string(m.buf)] = res
		ev.Checks[i] = res
	}
	return ev
}

// quoteIfOdd leaves a well-formed status word alone and quotes anything else.
func quoteIfOdd(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return quoteShort(s)
		}
	}
	if len(s) > 40 {
		return quoteShort(s)
	}
	return s
}

// cut shortens s to at most n bytes, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
