package plan

import (
	"time"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/unmanaged"
)

// FormatVersion is the newest plan file format this package writes. Load
// accepts any 2.x; a different major version is refused. 2.0 added the patch-run
// checks (their facts in each node's probe, their results in its checks)
// and the rules the plan was made under; 2.1 the EC2 instances SSM does
// not manage (registration, and each such node's ec2 facts and unmanaged
// decision) and the targets of a plan across accounts and regions
// (Plan.Targets, and the account and region of every node and batch); 2.2
// Patch Manager's own scan (plan --scan: Plan.Scanned, each node's Scan,
// the summary's scan counts). Every field 2.2 added is left out when
// unused, so a 2.1 plan loads with its checksum intact.
//
// A plan is written in the oldest format that holds it (formatVersion): a
// plan of one account and region, without unmanaged instances or a scan,
// is 2.0, byte for byte what the patchready before 2.1 wrote, so that an
// older patchready still reads it.
const FormatVersion = "2.2"

// formatVersion is the oldest format that holds everything in p.
func formatVersion(p Plan) string {
	switch {
	case p.Scanned:
		return "2.2"
	case len(p.Targets) > 0 || p.Registration != nil || p.Summary.Unmanaged > 0:
		return "2.1"
	}
	return "2.0"
}

// MaxBatchSize is the most node IDs SSM accepts in one SendCommand call or
// one association target.
const MaxBatchSize = 50

// Plan is everything patchready observed and decided for one run. It is
// plain data: Build makes it, Save writes it, and render shows it.
type Plan struct {
	FormatVersion string    `json:"format_version"`
	ToolVersion   string    `json:"tool_version"`
	CreatedAt     time.Time `json:"created_at"`
	Region        string    `json:"region"`
	Account       string    `json:"account,omitempty"`
	// Selection is the node selection the plan was made with.
	Selection fleet.Selection `json:"selection"`
	// Rules are the prerequisites the nodes were checked against, whole,
	// with the name and version of the rule set they come from.
	Rules prereq.Rules `json:"rules"`
	// Strategy is how apply will deliver the agent update (a name from
	// remedy's strategy registry).
	Strategy Strategy `json:"strategy"`
	// ProbeRan is false when the probe was turned off (--no-probe): then
	// none of the patch-run checks was made on any node, and every view of
	// the plan must say so.
	ProbeRan bool `json:"probe_ran"`
	// Scanned says the plan ran Patch Manager's own scan (plan --scan) on
	// every node the preflight found compliant or fixable; each such node's
	// Scan says how it went. Left out when false.
	Scanned bool `json:"scanned,omitempty"`
	// Registration says how EC2 instances SSM does not manage were looked
	// for, and what the opt-in fixes do, or would do; nil when they were
	// not looked for (a plan made without EC2 access to ask).
	Registration *Registration `json:"registration,omitempty"`
	// Targets are the accounts and regions a plan across several of them
	// covers, sorted by account then region, each with its own summary,
	// fingerprint, or the reason it could not be planned. A plan of one
	// account and region has none (Region and Account above say where).
	Targets []Target `json:"targets,omitempty"`
	// Nodes holds one entry per selected node, sorted by instance ID (by
	// account, region, then instance ID in a plan with targets). An EC2
	// instance SSM does not manage is a node with verdict Unmanaged.
	Nodes []NodePlan `json:"nodes"`
	// Batches groups the actions for execution, update-agent batches first.
	Batches []Batch `json:"batches"`
	Summary Summary `json:"summary"`
	// Fingerprint is FactsFingerprint of the nodes the plan was built from.
	Fingerprint string `json:"fingerprint"`
}

// NodePlan is the plan for one node.
type NodePlan struct {
	Node    fleet.Node           `json:"node"`
	Checks  []prereq.CheckResult `json:"checks"`
	Verdict Verdict              `json:"verdict"`
	// Reasons explain the verdict in plain words: what blocks the node, or
	// what each action will fix.
	Reasons []string `json:"reasons,omitempty"`
	// BlockedBy names the checks that block the node, so that views can
	// group blocked nodes by cause; empty unless Verdict is Blocked.
	BlockedBy []prereq.CheckID `json:"blocked_by,omitempty"`
	// Notes are worth a reviewer's attention but decide nothing. Warnings
	// start with "warning: ".
	Notes []string `json:"notes,omitempty"`
	// Actions are in execution order (see prereq.Actions).
	Actions []prereq.ActionKind `json:"actions,omitempty"`
	// Unmanaged is set on a node SSM does not manage: why (its causes;
	// Reasons says it in words) and the fixes that bring it under
	// management.
	Unmanaged *UnmanagedNode `json:"unmanaged,omitempty"`
	// Scan is what Patch Manager's own scan found (plan --scan); nil when
	// the node was not scanned. See applyScan for how it bears on Verdict.
	Scan *NodeScan `json:"scan,omitempty"`
}

// UnmanagedNode is what a plan decided of one EC2 instance SSM does not
// manage (see unmanaged.Decide).
type UnmanagedNode struct {
	Causes []unmanaged.CauseID `json:"causes"`
	// Could are the fixes that would act on it if asked for.
	Could []unmanaged.FixKind `json:"could,omitempty"`
	// Fixes are those asked for: apply carries them out, waits for the
	// instance to register, then checks it and fixes it like any node.
	Fixes []unmanaged.FixKind `json:"fixes,omitempty"`
}

// Registration is what a plan says of the EC2 instances SSM does not
// manage in its account and region: what discovery read, the fixes asked
// for, and what each fix does or would do.
type Registration struct {
	unmanaged.Region
	// Asked are the opt-in fixes the plan was made with.
	Asked unmanaged.Options `json:"asked"`
	// Fixes holds one entry per fix that could act on some instance,
	// asked for or not, in the order of the fix registry.
	Fixes []unmanaged.FixPlan `json:"fixes,omitempty"`
	// Then says what apply does once a fixed instance registers.
	Then string `json:"then,omitempty"`
}

// Registers reports whether applying the plan brings this node under
// management.
func (n NodePlan) Registers() bool { return n.Unmanaged != nil && len(n.Unmanaged.Fixes) > 0 }

// Targeted reports whether applying the plan acts on the node: it has
// actions, or fixes that bring it under management.
func (n NodePlan) Targeted() bool { return len(n.Actions) > 0 || n.Registers() }

// HasAction reports whether the node's plan includes action a.
func (n NodePlan) HasAction(a prereq.ActionKind) bool {
	for _, x := range n.Actions {
		if x == a {
			return true
		}
	}
	return false
}

// Batch is up to MaxBatchSize nodes that get the same actions in one SSM
// call: the agent update (Actions is [update-agent]), or one fix document
// command whose steps are the fix actions listed.
type Batch struct {
	Actions []prereq.ActionKind `json:"actions"`
	// Index numbers the batches of one set of actions from 1; it is part
	// of the names apply gives the resources it creates, so it must be
	// stable.
	Index       int      `json:"index"`
	InstanceIDs []string `json:"instance_ids"`
	// After lists actions that must be read back as done on this batch's
	// nodes (those that have them) before this batch starts.
	After []prereq.ActionKind `json:"after,omitempty"`
	// Account and Region say where the batch runs in a plan with targets;
	// a batch never spans two targets.
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
}

// IsAgentUpdate reports whether b is an update-agent batch.
func (b Batch) IsAgentUpdate() bool {
	return len(b.Actions) == 1 && b.Actions[0] == prereq.UpdateAgent
}

// Summary counts nodes by verdict and by action. A node with two actions
// counts once in Fix and once under each action.
type Summary struct {
	Nodes     int `json:"nodes"`
	Compliant int `json:"compliant"`
	Fix       int `json:"fix"`
	Blocked   int `json:"blocked"`
	// Unmanaged is left out of the file when zero, so that the checksum of
	// a plan saved before the verdict existed still matches.
	Unmanaged int `json:"unmanaged,omitempty"`
	// Register counts the unmanaged nodes the plan's fixes act on
	// (omitted when none, so that plans saved before it keep their
	// checksum).
	Register int `json:"register,omitempty"`
	// ScanPassed and ScanFailed count the nodes Patch Manager's scan
	// passed and failed (plan --scan; omitted when zero).
	ScanPassed int                       `json:"scan_passed,omitempty"`
	ScanFailed int                       `json:"scan_failed,omitempty"`
	Actions    map[prereq.ActionKind]int `json:"actions"`
}

// HasChanges reports whether applying the plan would change anything.
func (p Plan) HasChanges() bool { return len(p.Batches) > 0 || p.Summary.Register > 0 }

// Options carries everything Build needs besides the nodes and their
// evaluations. CreatedAt comes from the caller because Build has no clock.
type Options struct {
	ToolVersion string
	CreatedAt   time.Time
	Region      string
	Account     string
	Selection   fleet.Selection
	Rules       prereq.Rules
	// Strategy defaults to DefaultStrategy when empty.
	Strategy Strategy
	ProbeRan bool
	// Scanned says Scans holds the results of Patch Manager's own scan
	// (plan --scan), by instance ID; a node without one was not scanned.
	Scanned bool
	Scans   map[string]NodeScan
	// Unmanaged is what discovery read of the EC2 instances SSM does not
	// manage; nil when they were not looked for. The nodes themselves are
	// among Build's nodes, with their EC2 facts.
	Unmanaged *unmanaged.Region
	// Fixes are the opt-in fixes asked for.
	Fixes unmanaged.Options
}
