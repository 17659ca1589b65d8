package prereq

import (
	"fmt"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
)

// Evaluate runs every check on every node, in the order given. It is pure:
// the result depends only on its arguments.
//
// Each check's result depends on a few facts that most nodes share (ping
// status, platform, agent version, probe findings), so results are
// memoized per distinct facts: a 100,000-node fleet parses each version
// string once instead of once per node and rule, and nodes that share a
// result share its text.
func Evaluate(nodes []fleet.Node, p Prereqs) []Evaluation {
	m := newMemo(p)
	out := make([]Evaluation, len(nodes))
	for i, n := range nodes {
		out[i] = m.evaluate(n)
	}
	return out
}

// EvaluateNode runs every check on one node. Every check runs even when an
// earlier one fails, so that a reviewer sees everything wrong at once.
func EvaluateNode(n fleet.Node, p Prereqs) Evaluation { return newMemo(p).evaluate(n) }

func (m *memo) evaluate(n fleet.Node) Evaluation {
	agent := m.agent(n)
	ev := Evaluation{
		InstanceID: n.InstanceID,
		Checks: []CheckResult{
			m.online(n),
			m.os(n),
			agent,
			m.requests(n),
		},
	}
	// IsLatestVersion is not meaningful on Windows (AWS documents it as
	// Linux-only), so no note is drawn from it there.
	if agent.Status == StatusPass && !n.IsLatestVersion && n.PlatformType != fleet.PlatformWindows {
		ev.Notes = append(ev.Notes, Note{Level: NoteInfo, Text: NoteUpdateAvailable})
	}
	if pr := n.Probe; pr != nil && pr.Status == fleet.ProbeOK && pr.Proxied {
		if !pr.NoProxyHasIMDS {
			ev.Notes = append(ev.Notes, Note{Level: NoteWarning, Text: NoteNoProxyIMDS})
		}
		if strings.EqualFold(pr.ProxyScheme, "https") {
			ev.Notes = append(ev.Notes, Note{Level: NoteWarning, Text: NoteHTTPSProxy})
		}
	}
	return ev
}

func checkOnline(n fleet.Node) CheckResult {
	res := CheckResult{Check: CheckOnline}
	switch n.PingStatus {
	case fleet.PingOnline:
		res.Status, res.Reason = StatusPass, "agent is Online"
	case "":
		res.Status, res.Reason = StatusFail, "SSM reported no ping status: the node cannot be reached"
	default:
		res.Status = StatusFail
		res.Reason = fmt.Sprintf("agent is %s, not Online: SSM cannot reach the node", quoteIfOdd(n.PingStatus))
	}
	return res
}

func checkAgent(n fleet.Node, p Prereqs) CheckResult {
	res := CheckResult{Check: CheckAgentVersion}
	floor, ok := parseAgentVersion(p.MinAgentVersion)
	if !ok {
		res.Status = StatusUnknown
		res.Reason = fmt.Sprintf("minimum agent version %s is not a version", quoteShort(p.MinAgentVersion))
		return res
	}
	if n.AgentVersion == "" {
		res.Status, res.Reason = StatusUnknown, "the agent did not report its version"
		return res
	}
	got, ok := parseAgentVersion(n.AgentVersion)
	if !ok {
		res.Status = StatusUnknown
		res.Reason = fmt.Sprintf("agent version %s is not a version SSM reports, so it cannot be compared with %s",
			quoteShort(n.AgentVersion), p.MinAgentVersion)
		return res
	}
	if got.LessThan(floor) {
		res.Status = StatusFail
		res.Reason = fmt.Sprintf("agent %s is older than the minimum %s", n.AgentVersion, p.MinAgentVersion)
		return res
	}
	res.Status = StatusPass
	res.Reason = fmt.Sprintf("agent %s meets the minimum %s", n.AgentVersion, p.MinAgentVersion)
	return res
}

// Reasons the requests check gives when it cannot decide, exported so that
// plan can tell a skipped probe (not blocking) from a failed one.
const (
	ReasonProbeNotRun = "proxy status unknown: probe not run"
)

func checkRequests(n fleet.Node, p Prereqs) CheckResult {
	res := CheckResult{Check: CheckRequests}
	if !n.IsAmazonLinux() {
		res.Status, res.Reason = StatusNA, "applies only to Amazon Linux"
		return res
	}
	pr := n.Probe
	switch {
	case pr == nil || pr.Status == fleet.ProbeSkipped:
		res.Status, res.Reason = StatusUnknown, ReasonProbeNotRun
		return res
	case pr.Status != fleet.ProbeOK:
		why := strings.TrimSpace(pr.Reason)
		if why == "" {
			why = "no reason given"
		}
		res.Status = StatusUnknown
		res.Reason = "proxy status unknown: probe failed: " + cut(why, 200)
		return res
	case !pr.Proxied:
		res.Status, res.Reason = StatusPass, "not behind a proxy"
		return res
	}
	floor, ok := parseLooseVersion(p.MinRequestsVersion)
	if !ok {
		res.Status = StatusUnknown
		res.Reason = fmt.Sprintf("minimum requests version %s is not a version", quoteShort(p.MinRequestsVersion))
		return res
	}
	if strings.TrimSpace(pr.RequestsVersion) == "" {
		res.Status = StatusFail
		res.Reason = fmt.Sprintf("behind a proxy and Python requests is not installed (needs %s or later)", p.MinRequestsVersion)
		return res
	}
	got, ok := parseLooseVersion(pr.RequestsVersion)
	if !ok {
		res.Status = StatusUnknown
		res.Reason = fmt.Sprintf("behind a proxy and the requests version %s cannot be read", quoteShort(pr.RequestsVersion))
		return res
	}
	if got.LessThan(floor) {
		res.Status = StatusFail
		res.Reason = fmt.Sprintf("behind a proxy with requests %s, older than the minimum %s", pr.RequestsVersion, p.MinRequestsVersion)
		return res
	}
	res.Status = StatusPass
	res.Reason = fmt.Sprintf("behind a proxy with requests %s (minimum %s)", pr.RequestsVersion, p.MinRequestsVersion)
	return res
}

// quoteIfOdd leaves a well-formed status word alone and quotes anything else.
func quoteIfOdd(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return quoteShort(s)
		}
	}
	if len(s) > 40 {
		return quoteShort(s)
	}
	return s
}

// cut shortens s to at most n bytes, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
