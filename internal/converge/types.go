package converge

import (
	"context"
	"time"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/remedy"
)

// State is where a node stands.
type State string

// Node states. Verified, Failed, TimedOut and NotStarted are final.
const (
	StatePending    State = "pending"     // waiting for its agent update to be read back
	StateRequests   State = "requests"    // agent verified; requests upgrade queued or running
	StateVerified   State = "verified"    // every action read back as done
	StateFailed     State = "failed"      // SSM reported a failure, or the node went away
	StateTimedOut   State = "timed-out"   // the deadline passed first
	StateNotStarted State = "not-started" // the run was interrupted before its work started
)

// Final reports whether no more change is expected.
func (s State) Final() bool {
	return s == StateVerified || s == StateFailed || s == StateTimedOut || s == StateNotStarted
}

// Target is one node and the work it needs.
type Target struct {
	InstanceID    string
	NeedsAgent    bool
	NeedsRequests bool
	AgentBefore   string
	// RequestsBefore is the requests version the probe saw.
	RequestsBefore string
	// RequestsSent says the requests upgrade was already sent to the node
	// (by the interrupted part of a resumed run): its result is awaited
	// instead of sending it again.
	RequestsSent bool
}

// Outcome is where one node ended.
type Outcome struct {
	InstanceID     string    `json:"instance_id"`
	State          State     `json:"state"`
	Reason         string    `json:"reason,omitempty"`
	AgentBefore    string    `json:"agent_before,omitempty"`
	AgentAfter     string    `json:"agent_after,omitempty"`
	RequestsBefore string    `json:"requests_before,omitempty"`
	RequestsAfter  string    `json:"requests_after,omitempty"`
	VerifiedAt     time.Time `json:"verified_at,omitzero"`
}

// Progress is a snapshot sent after every poll round.
type Progress struct {
	Total, Verified, Failed, Pending, Requests int
	Elapsed                                    time.Duration
	Round                                      int
}

// ReadBack reads the current facts of the given nodes; nodes missing from
// the result are no longer managed nodes (terminated or deregistered).
type ReadBack func(ctx context.Context, ids []string) (map[string]fleet.Node, error)

// RequestsRunner is the requests upgrade as converge drives it.
type RequestsRunner interface {
	Send(ctx context.Context, ids []string) error
	Results(ctx context.Context) (map[string]remedy.RequestsResult, error)
}

// Report is the result of a watch.
type Report struct {
	Outcomes []Outcome     `json:"outcomes"`
	Counts   map[State]int `json:"counts"`
	Elapsed  time.Duration `json:"elapsed"`
	Rounds   int           `json:"rounds"`
}

// AllVerified reports whether every targeted node was verified.
func (r Report) AllVerified() bool { return r.Counts[StateVerified] == len(r.Outcomes) }
