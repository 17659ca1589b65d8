package converge

import (
	"context"
	"time"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/remedy"
)

// State is where a node stands.
type State string

// Node states. Verified, Failed, TimedOut, NotStarted and Interrupted are
// final for one watch.
const (
	StatePending State = "pending" // waiting for its agent update to be read back
	StateRunning State = "running" // agent done; a command stage (the fix, the scan) queued or running
	// StateVerified: every action read back as done.
	StateVerified State = "verified"
	// StateFailed: SSM or the node's read-back reported a failure, or the
	// node went away.
	StateFailed   State = "failed"
	StateTimedOut State = "timed-out" // the deadline passed first
	// StateNotStarted: the run was interrupted before the node's next work
	// was sent; resuming sends it.
	StateNotStarted State = "not-started"
	// StateInterrupted: the run was interrupted while the node's work was
	// running in SSM; it is left running, and resuming follows it.
	StateInterrupted State = "interrupted"
)

// Final reports whether no more change is expected in this watch.
func (s State) Final() bool {
	switch s {
	case StateVerified, StateFailed, StateTimedOut, StateNotStarted, StateInterrupted:
		return true
	}
	return false
}

// Resumable reports whether resuming the run picks the node up again.
func (s State) Resumable() bool { return s == StateNotStarted || s == StateInterrupted }

// Target is one node and the work it needs.
type Target struct {
	InstanceID string
	// NeedsAgent says the node's agent update must be read back first.
	NeedsAgent  bool
	AgentBefore string
	// Stages are the command stages (by Deps.Stages name) the node goes
	// through after its agent, in order.
	Stages []string
	// Sent names stages whose command the interrupted part of a resumed
	// run already sent: their result is awaited, not sent again.
	Sent map[string]bool
	// Wait is how much longer than Options.Timeout the node may take: the
	// time its first stage may need before anything else can start (an
	// instance registering with SSM can take half an hour).
	Wait time.Duration
}

// Outcome is where one node ended.
type Outcome struct {
	InstanceID string `json:"instance_id"`
	// Account and Region say where the node is in a run across accounts
	// and regions; empty in a run of one.
	Account     string `json:"account,omitempty"`
	Region      string `json:"region,omitempty"`
	State       State  `json:"state"`
	Reason      string `json:"reason,omitempty"`
	AgentBefore string `json:"agent_before,omitempty"`
	AgentAfter  string `json:"agent_after,omitempty"`
	// Changes are what the command stages changed (python, requests, ...).
	Changes []remedy.Change `json:"changes,omitempty"`
	// Detail is a stage's own words (a fix step's, a scan's message).
	Detail string `json:"detail,omitempty"`
	// PatchState is what Patch Manager recorded after the node's scan.
	PatchState *remedy.PatchState `json:"patch_state,omitempty"`
	VerifiedAt time.Time          `json:"verified_at,omitzero"`
}

// Progress is a snapshot sent after every poll round.
type Progress struct {
	Total, Verified, Failed, Pending, Running int
	Elapsed                                   time.Duration
	Round                                     int
}

// ReadBack reads the current facts of the given nodes; nodes missing from
// the result are no longer managed nodes (terminated or deregistered).
type ReadBack func(ctx context.Context, ids []string) (map[string]fleet.Node, error)

// Stage is work converge sends to a node once the node is ready (its agent
// read back, Online) and whose per-node result it collects: the fix
// document, the patch scan. A result may carry the work the node needs
// next (StageResult.Then): the node then goes on with it, in the same
// watch.
type Stage interface {
	Send(ctx context.Context, ids []string) error
	Results(ctx context.Context) (map[string]remedy.StageResult, error)
}

// OffNode marks a Stage whose work is done around the node rather than on
// it, for a node that is not a managed node yet (registration): the watch
// sends it without reading the node back first, and does not read the
// node back while it runs, since SSM has nothing to show.
type OffNode interface {
	Stage
	OffNode()
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

// Resumable counts the nodes a resumed run would pick up again.
func (r Report) Resumable() int { return r.Counts[StateNotStarted] + r.Counts[StateInterrupted] }
