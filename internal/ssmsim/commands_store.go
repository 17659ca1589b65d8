package ssmsim

import (
	"time"
)

// commandStore holds the Run Command commands of one region.
type commandStore struct {
	byID  map[string]*command
	order []*command // by creation; seq increases along it
	seq   uint64
}

func newCommandStore() *commandStore { return &commandStore{byID: map[string]*command{}} }

func (st *commandStore) add(c *command) {
	st.seq++
	c.seq = st.seq
	st.byID[c.ID] = c
	st.order = append(st.order, c)
}

// command is one SendCommand and the state of its invocations.
type command struct {
	ID              string
	seq             uint64
	DocumentName    string
	DocumentVersion string // as requested ("" when not given)
	Comment         string
	Parameters      map[string][]string
	InstanceIDs     []string
	Targets         []targetSpec
	Requested       time.Time
	ExpiresAfter    time.Time
	TimeoutSeconds  int
	MaxConcurrency  string
	MaxErrors       string

	Status        string
	StatusDetails string
	Completed     int
	Errors        int
	DeliveryTOs   int

	invocations []*invocation // sorted by instance ID
	byNode      map[string]*invocation
	// Dispatch state: the next invocation to start, how many run now, and
	// the limits resolved against the target count.
	next, inFlight      int
	maxConc, maxErrs    int
	stopped, cancelling bool
	// settled is set once the final status is; onDone (from startCommand)
	// is then called, once.
	settled bool
	onDone  func(*command)
}

// invocation is the run of a command on one node.
type invocation struct {
	cmd           *command
	InstanceID    string
	Status        string
	StatusDetails string
	ResponseCode  int
	Output        string
	Stderr        string
	Plugin        string
	Start, End    time.Time
	started       bool // dispatched to runWith
	cancelled     bool
}

// result is how the invocation ended, as runOnNode reports a run; for one
// cancelled, skipped or never delivered it has ResponseCode -1 and no
// output.
func (inv *invocation) result() execResult {
	return execResult{Status: inv.Status, StatusDetails: inv.StatusDetails, ResponseCode: inv.ResponseCode,
		Output: inv.Output, Stderr: inv.Stderr, Plugin: inv.Plugin, Start: inv.Start, End: inv.End}
}

// terminal reports whether an invocation status is final.
func terminal(status string) bool {
	switch status {
	case "Success", "Failed", "TimedOut", "Cancelled":
		return true
	}
	return false
}

// visibleAt is when a command's invocations appear to GetCommandInvocation
// and ListCommandInvocations (eventual consistency).
func (r *region) visibleAt(c *command) time.Time {
	return c.Requested.Add(r.server.opts.Behaviour.InvocationLag)
}

// invocationKey orders invocations across commands for pagination.
func invocationKey(inv *invocation) string { return seqKey(inv.cmd.seq) + "/" + inv.InstanceID }
