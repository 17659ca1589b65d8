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
	// check on anything but Amazon Linux).
	StatusNA Status = "na"
)

// String returns the status as it appears in plans.
func (s Status) String() string { return string(s) }

// CheckID names a check.
type CheckID string

// The checks, in the order Evaluate runs and reports them.
const (
	// CheckOnline: the node's PingStatus is Online, so SSM can reach it.
	CheckOnline CheckID = "online"
	// CheckOSSupported: Patch Manager supports the node's OS and version.
	CheckOSSupported CheckID = "os-supported"
	// CheckAgentVersion: the SSM Agent is at least the floor.
	CheckAgentVersion CheckID = "agent-version"
	// CheckRequests: an Amazon Linux node behind a proxy has Python requests
	// at least the floor.
	CheckRequests CheckID = "requests"
)

// String returns the check's name as it appears in plans.
func (c CheckID) String() string { return string(c) }

// CheckResult is what one check found on one node.
type CheckResult struct {
	Check  CheckID `json:"check"`
	Status Status  `json:"status"`
	// Reason says why, in words a reviewer understands.
	Reason string `json:"reason"`
}

// NoteLevel says how much a note matters.
type NoteLevel string

// Note levels.
const (
	NoteInfo    NoteLevel = "info"
	NoteWarning NoteLevel = "warning"
)

// Note is something worth telling the reviewer that does not decide
// whether the node complies. Note texts do not name the node, so that
// renderers can group nodes that share one.
type Note struct {
	Level NoteLevel `json:"level"`
	Text  string    `json:"text"`
}

// Note texts, exported so that plan and render can recognise them.
const (
	NoteUpdateAvailable = "update available: the agent meets the minimum but is not the newest release"
	NoteNoProxyIMDS     = "no_proxy does not include 169.254.169.254: the agent's calls to the instance metadata service go through the proxy and can fail"
	NoteHTTPSProxy      = "the proxy URL uses https://: if the proxy itself speaks plain HTTP, TLS to it breaks; use an http:// proxy URL"
)

// Evaluation is every check's result for one node, plus notes.
type Evaluation struct {
	InstanceID string        `json:"instance_id"`
	Checks     []CheckResult `json:"checks"`
	Notes      []Note        `json:"notes,omitempty"`
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
