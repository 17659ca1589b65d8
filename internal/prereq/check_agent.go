package prereq

import "fmt"

// CheckAgentVersion: the SSM Agent is at least the floor.
const CheckAgentVersion CheckID = "agent-version"

var agentCheck = Check{
	ID:       CheckAgentVersion,
	Ensures:  "SSM Agent is at least the rules' minimum (2.0.834.0 by default)",
	NotFixed: "blocked when the agent reports a version that cannot be read: what an update of an unknown version does is not guessed",
	Heading:  "agent version unknown",
	Advice:   "look at the node: patchready will not guess what an update of an unreadable version does",
	Facts:    []string{"agent_version"},
	Eval: func(f Facts, r *Rules) CheckResult {
		v := f.Get("agent_version")
		floor, ok := parseAgentVersion(r.MinAgentVersion)
		if !ok {
			return CheckResult{Status: StatusUnknown, Reason: fmt.Sprintf("minimum agent version %s is not a version", quoteShort(r.MinAgentVersion))}
		}
		if v == "" {
			return CheckResult{Status: StatusUnknown, Reason: "the agent did not report its version"}
		}
		got, ok := parseAgentVersion(v)
		if !ok {
			return CheckResult{Status: StatusUnknown, Reason: fmt.Sprintf("agent version %s is not a version SSM reports, so it cannot be compared with %s",
				quoteShort(v), r.MinAgentVersion)}
		}
		if got.LessThan(floor) {
			return CheckResult{Status: StatusFail, Reason: fmt.Sprintf("agent %s is older than the minimum %s", v, r.MinAgentVersion)}
		}
		return CheckResult{Status: StatusPass, Reason: fmt.Sprintf("agent %s meets the minimum %s", v, r.MinAgentVersion)}
	},
	OnFail:    Fix,
	OnUnknown: Block,
	Fix:       &Action{Kind: UpdateAgent, Doing: "installs the latest agent"},
}

// CheckAgentLatest: an agent that meets the floor is the newest release
// (a note only).
const CheckAgentLatest CheckID = "agent-latest"

// NoteUpdateAvailable is the agent-latest check's note.
const NoteUpdateAvailable = "update available: the agent meets the minimum but is not the newest release"

var agentLatestCheck = Check{
	ID:       CheckAgentLatest,
	Ensures:  "the agent is the newest release (a note: the minimum is what Patch Manager needs)",
	NotFixed: "a note only: apply installs the newest agent whenever it updates one below the minimum",
	// IsLatestVersion is not meaningful on Windows (AWS documents it as
	// Linux-only), so the check is not made there.
	AppliesTo: Applicability{PlatformTypes: []string{"Linux", "MacOS"}},
	Facts:     []string{"agent_version", "is_latest_version"},
	Eval: func(f Facts, r *Rules) CheckResult {
		got, ok := parseAgentVersion(f.Get("agent_version"))
		floor, fok := parseAgentVersion(r.MinAgentVersion)
		if !ok || !fok || got.LessThan(floor) {
			return CheckResult{Status: StatusNA, Reason: "the agent does not meet the minimum (see agent-version)"}
		}
		if !f.Bool("is_latest_version") {
			return CheckResult{Status: StatusFail, Reason: NoteUpdateAvailable}
		}
		return CheckResult{Status: StatusPass, Reason: "the agent is the newest release"}
	},
	OnFail: Note,
}

// NeedsAgentUpdate reports whether agent version v is below the rules'
// minimum: a plan updates such an agent, and the update restarts it.
func NeedsAgentUpdate(v string, r Rules) bool { return agentBelowFloor(v, &r) }

// agentBelowFloor reports whether v is a version SSM reports and is older
// than the rules' minimum: the node's plan then updates the agent, and
// the update restarts it. An unreadable version is not below the floor
// (agent-version blocks the node instead).
func agentBelowFloor(v string, r *Rules) bool {
	got, ok := parseAgentVersion(v)
	floor, fok := parseAgentVersion(r.MinAgentVersion)
	return ok && fok && got.LessThan(floor)
}
