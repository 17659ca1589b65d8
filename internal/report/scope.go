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

// NodeScope returns the account and region a node plan carries. A plan of
// one account and region leaves them empty on its nodes, and the report
// then leaves its per-account section out.
func NodeScope(np plan.NodePlan) Scope {
	return Scope{Account: np.Node.Account, Region: np.Node.Region}
}
