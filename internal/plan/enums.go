package plan

import "fmt"

// Verdict is what the plan concludes about one node.
type Verdict int

// Verdicts. The zero value is deliberately invalid so that a NodePlan whose
// verdict was never set cannot be saved.
const (
	// Compliant: the node meets every prerequisite; nothing to do.
	Compliant Verdict = iota + 1
	// Fix: one or more actions will make the node comply.
	Fix
	// Blocked: the node cannot be made to comply through SSM.
	Blocked
	// Unmanaged: an EC2 instance SSM does not manage, so Patch Manager
	// cannot see it; the plan says why, and what would bring it under
	// management.
	Unmanaged
)

var verdictNames = []string{Compliant: "compliant", Fix: "fix", Blocked: "blocked", Unmanaged: "unmanaged"}

// String returns the verdict as it appears in plan files and output.
func (v Verdict) String() string { return enumString(verdictNames, int(v), "Verdict") }

// MarshalText encodes the verdict as its name.
func (v Verdict) MarshalText() ([]byte, error) { return enumMarshal(verdictNames, int(v), "verdict") }

// UnmarshalText accepts only the names String returns.
func (v *Verdict) UnmarshalText(b []byte) error {
	return enumUnmarshal(verdictNames, (*int)(v), b, "verdict")
}

// Strategy is how apply delivers the agent update: the name of one of the
// strategies registered in package remedy ("association",
// "maintenance-window", "run-command"). The plan only records the name; the
// registry checks it.
type Strategy string

// String returns the strategy as the --strategy flag spells it.
func (s Strategy) String() string { return string(s) }

// DefaultStrategy is the strategy of a plan made without one.
const DefaultStrategy Strategy = "association"

func enumString(names []string, i int, typ string) string {
	if i > 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", typ, i)
}

func enumMarshal(names []string, i int, what string) ([]byte, error) {
	if i > 0 && i < len(names) {
		return []byte(names[i]), nil
	}
	return nil, fmt.Errorf("%s %d has no name", what, i)
}

func enumUnmarshal(names []string, dst *int, b []byte, what string) error {
	for i, n := range names {
		if i > 0 && n == string(b) {
			*dst = i
			return nil
		}
	}
	valid := names[1:]
	return fmt.Errorf("unknown %s %q (want one of %v)", what, cutBytes(b, 40), valid)
}

func cutBytes(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
