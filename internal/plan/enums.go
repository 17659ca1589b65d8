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
)

var verdictNames = []string{Compliant: "compliant", Fix: "fix", Blocked: "blocked"}

// String returns the verdict as it appears in plan files and output.
func (v Verdict) String() string { return enumString(verdictNames, int(v), "Verdict") }

// MarshalText encodes the verdict as its name.
func (v Verdict) MarshalText() ([]byte, error) { return enumMarshal(verdictNames, int(v), "verdict") }

// UnmarshalText accepts only the names String returns.
func (v *Verdict) UnmarshalText(b []byte) error {
	return enumUnmarshal(verdictNames, (*int)(v), b, "verdict")
}

// ActionKind is a change patchready can make to a node through SSM.
type ActionKind int

// Action kinds, in the order they run on a node: the requests upgrade is a
// Run Command, and the agent restarts during its own update, so the upgrade
// waits until the agent update has been read back.
const (
	// UpdateAgent runs AWS-UpdateSSMAgent.
	UpdateAgent ActionKind = iota + 1
	// UpgradeRequests runs patchready's own document that installs or
	// upgrades Python requests on a proxied Amazon Linux node.
	UpgradeRequests
)

var actionNames = []string{UpdateAgent: "update-agent", UpgradeRequests: "upgrade-requests"}

// ActionKinds lists every action kind in execution order.
func ActionKinds() []ActionKind { return []ActionKind{UpdateAgent, UpgradeRequests} }

// String returns the action as it appears in plan files and output.
func (a ActionKind) String() string { return enumString(actionNames, int(a), "ActionKind") }

// MarshalText encodes the action as its name.
func (a ActionKind) MarshalText() ([]byte, error) { return enumMarshal(actionNames, int(a), "action") }

// UnmarshalText accepts only the names String returns.
func (a *ActionKind) UnmarshalText(b []byte) error {
	return enumUnmarshal(actionNames, (*int)(a), b, "action")
}

// ParseActionKind parses an action name such as "update-agent".
func ParseActionKind(s string) (ActionKind, error) {
	var a ActionKind
	err := a.UnmarshalText([]byte(s))
	return a, err
}

// Strategy is how apply delivers AWS-UpdateSSMAgent.
type Strategy int

// Strategies.
const (
	// Association creates a run-once State Manager association per batch.
	Association Strategy = iota + 1
	// MaintenanceWindow registers the update as a maintenance window task.
	MaintenanceWindow
)

var strategyNames = []string{Association: "association", MaintenanceWindow: "maintenance-window"}

// String returns the strategy as the --strategy flag spells it.
func (s Strategy) String() string { return enumString(strategyNames, int(s), "Strategy") }

// MarshalText encodes the strategy as its name.
func (s Strategy) MarshalText() ([]byte, error) {
	return enumMarshal(strategyNames, int(s), "strategy")
}

// UnmarshalText accepts only the names String returns.
func (s *Strategy) UnmarshalText(b []byte) error {
	return enumUnmarshal(strategyNames, (*int)(s), b, "strategy")
}

// ParseStrategy parses a --strategy value.
func ParseStrategy(s string) (Strategy, error) {
	var st Strategy
	err := st.UnmarshalText([]byte(s))
	return st, err
}

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
