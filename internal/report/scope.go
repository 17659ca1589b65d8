package report

import "github.com/patchready/patchready/internal/plan"

// Scope is where a node lives: its AWS account and region.
type Scope struct {
	Account string
	Region  string
}

// IsZero reports whether the scope names neither account nor region.
func (s Scope) IsZero() bool { return s.Account == "" && s.Region == "" }

// String names the scope as the report shows it, e.g.
// "111122223333 / eu-west-1".
func (s Scope) String() string {
	switch {
	case s.Account == "":
		return s.Region
	case s.Region == "":
		return s.Account
	}
	return s.Account + " / " + s.Region
}

// NodeScope returns the account and region a node plan carries. Nodes do
// not carry them yet (a plan covers one account and region, recorded on the
// plan itself), so it returns the zero Scope and the report leaves its
// per-account section out. This is the one place to read them from once
// nodes carry them.
func NodeScope(np plan.NodePlan) Scope { return Scope{} }
