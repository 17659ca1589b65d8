package plan

import (
	"strings"

	"github.com/patchready/patchready/internal/prereq"
)

// ChecksTable shares identical lists of check results between node plans.
// Each node's evaluation is its own list of a dozen results, though a
// fleet repeats a few hundred combinations of them: a plan across an
// organization of 300,000 nodes would otherwise hold 300,000 lists, about
// 200 MiB. The lists are never changed once built, so sharing them is
// safe. A table is not safe for concurrent use.
type ChecksTable struct {
	lists map[string][]prereq.CheckResult
	key   strings.Builder
}

// NewChecksTable returns an empty table.
func NewChecksTable() *ChecksTable {
	return &ChecksTable{lists: map[string][]prereq.CheckResult{}}
}

// Share replaces each node's check results with the table's list of equal
// results, adding those the table does not have yet.
func (t *ChecksTable) Share(nodes []NodePlan) {
	for i := range nodes {
		cs := nodes[i].Checks
		t.key.Reset()
		for _, c := range cs {
			t.key.WriteString(string(c.Check))
			t.key.WriteByte(0)
			t.key.WriteString(string(c.Status))
			t.key.WriteByte(0)
			t.key.WriteString(c.Reason)
			if c.Unfixable {
				t.key.WriteByte(1)
			}
			t.key.WriteByte(0)
		}
		if shared, ok := t.lists[t.key.String()]; ok {
			nodes[i].Checks = shared
			continue
		}
		t.lists[t.key.String()] = cs
	}
}

// Len is how many distinct lists the table holds.
func (t *ChecksTable) Len() int { return len(t.lists) }
