package prereq

// Status is the outcome of one check on one node.
type Status string

// Check outcomes.
const (
	// StatusPass means the node meets the prerequisite.
	StatusPass Status = "pass"
	// StatusFail means the node does not meet it.
	StatusFail Status = "fail"
	// StatusUnknown means the facts needed to decide are missing or
	// unreadable. Unknown is never treated as pass.
	StatusUnknown Status = "unknown"
	// StatusNA means the check does not apply to this node (the requests
	// check on anything but Amazon Linux behind a proxy).
	StatusNA Status = "na"
	// StatusSkipped means the check applies but was not made: the facts it
	// reads come from the probe, which did not run or did not report (the
	// probe check says why, once).
	StatusSkipped Status = "skipped"
)

// String returns the status as it appears in plans.
func (s Status) String() string { return string(s) }

// CheckID names a check.
type CheckID string

// String returns the check's name as it appears in plans.
func (c CheckID) String() string { return string(c) }

// CheckResult is what one check found on one node.
type CheckResult struct {
	Check  CheckID `json:"check"`
	Status Status  `json:"status"`
	// Reason says why, in words a reviewer understands.
	Reason string `json:"reason"`
	// Unfixable is set on a failure that the check's fix action cannot
	// mend on this node (for example a yum system whose Python cannot
	// import yum): the node is blocked instead of fixed.
	Unfixable bool `json:"unfixable,omitempty"`
}

// Evaluation is every check's result for one node, in registry order.
type Evaluation struct {
	InstanceID string        `json:"instance_id"`
	Checks     []CheckResult `json:"checks"`
}

// Check returns the result of check id, and false if it was not run.
func (e Evaluation) Check(id CheckID) (CheckResult, bool) {
	for _, c := range e.Checks {
		if c.Check == id {
			return c, true
		}
	}
	return CheckResult{}, false
}
