package report

import (
	"time"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
)

// Page is the content of one readiness report: the plan, and the figures
// computed from it and from the runs made from it.
type Page struct {
	// Plan is the plan the report shows; its nodes feed the node table.
	Plan plan.Plan
	// Verdicts counts nodes by verdict name, for every verdict the plan's
	// enum holds (zeros included, so a reader sees "0 blocked"), in enum
	// order, then any name met in the plan that the enum does not hold.
	Verdicts []Count
	// Platforms counts nodes by platform (rows) and verdict (Keys).
	Platforms Stack
	// Scopes counts nodes by account and region (rows) and verdict. It is
	// nil when no node carries an account or a region.
	Scopes *Stack
	// Agents places every node's agent version against the floor.
	Agents AgentChart
	// Checks counts each check's outcomes (rows: check IDs, in the order
	// the nodes report them; Keys: statuses).
	Checks Stack
	// Causes are the checks that block nodes, most nodes first.
	Causes []Cause
	// Notes counts the nodes carrying each note text, most first.
	Notes []Count
	// Runs are the runs given to Build, in the order given.
	Runs []Run
	// Outcomes holds each node's last recorded run outcome; a later run
	// overrides an earlier one.
	Outcomes map[string]Outcome
}

// Count is a named number.
type Count struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

// Stack is a table of counts drawn as stacked bars: one bar per row, one
// segment per key.
type Stack struct {
	Keys []string
	Rows []StackRow
}

// StackRow is one bar: Counts is parallel to the stack's Keys.
type StackRow struct {
	Label  string
	Counts []int
	Total  int
}

// AgentChart is the distribution of agent versions against the floor.
type AgentChart struct {
	// Floor is the plan's minimum agent version.
	Floor string
	// Bins hold nodes by version (or version family, in a fleet with many
	// versions), highest version first, then the unreadable ones.
	Bins []AgentBin
	// Below, AtOrAbove and Unreadable add the bins up by position.
	Below, AtOrAbove, Unreadable int
}

// Position says where an agent version stands against the floor.
type Position int

// Positions.
const (
	// Unreadable: no agent version, or one that is not a version.
	Unreadable Position = iota
	// BelowFloor: older than the floor.
	BelowFloor
	// AtOrAboveFloor: the floor or newer.
	AtOrAboveFloor
)

// AgentBin is the nodes of one agent version or version family.
type AgentBin struct {
	Label    string
	Nodes    int
	Position Position
}

// Cause is one check that blocks nodes, with the reasons it gave.
type Cause struct {
	// Check is the check's ID as plans record it.
	Check string `json:"check"`
	// Title is how a reader names the cause (CheckTitle).
	Title string `json:"title"`
	// Advice says what a person can do about it (CheckAdvice); may be empty.
	Advice string `json:"advice,omitempty"`
	// Nodes is how many nodes the check blocks. A node blocked for two
	// causes counts under each.
	Nodes int `json:"nodes"`
	// Reasons are the most frequent reason texts, most nodes first.
	Reasons []Count `json:"reasons"`
	// OtherReasons counts the nodes whose reason is not in Reasons.
	OtherReasons int `json:"other_reasons,omitempty"`
}

// Run is what one run's journal says happened.
type Run struct {
	ID          string
	Strategy    string
	PlanFile    string
	Fingerprint string
	// Started is the run-started entry's time (or the first entry's).
	Started time.Time
	// Ended is the last entry's time.
	Ended    time.Time
	Finished bool
	ExitCode int
	// States counts the nodes by their last recorded state.
	States []Count
	// Verified and NotVerified are cumulative counts of nodes reaching
	// verified, and any other end, over time since Started.
	Verified    []Point
	NotVerified []Point
	// Failures are the nodes that ended anything but verified, by ID.
	Failures []Outcome
	// FailureReasons counts the failures' reasons, most first.
	FailureReasons []Count
	// Nodes is the last recorded outcome of every node in the run.
	Nodes map[string]Outcome
	// Scanned are the nodes Patch Manager's scan passed in the run (apply
	// --scan), with the patch state it recorded, by ID.
	Scanned []Outcome
}

// Point is a cumulative count at a time since a run started.
type Point struct {
	After time.Duration
	N     int
}

// Outcome is a node's last recorded state in a run.
type Outcome struct {
	InstanceID string    `json:"instance_id"`
	State      string    `json:"state"`
	Reason     string    `json:"reason,omitempty"`
	At         time.Time `json:"at"`
	RunID      string    `json:"run_id,omitempty"`
	// PatchState is what Patch Manager recorded after the node's scan in
	// the run (apply --scan); nil when it was not scanned.
	PatchState *fleet.PatchState `json:"patch_state,omitempty"`
}
