package ssmsim

import (
	"fmt"
	"regexp"
	"time"
)

// macOSUpdaterMinimum is the oldest agent whose updater works on macOS.
const macOSUpdaterMinimum = "3.1.941.0"

var reAgentVersion = regexp.MustCompile(`^[0-9]{1,6}(\.[0-9]{1,6}){2,3}$`)

// updateAgent runs AWS-UpdateSSMAgent on n: it decides the outcome from the
// node and its faults at delivery, and applies it when the run ends. The
// outputs follow the agent updater's wording.
func (r *region) updateAgent(n *Node, x *run, now time.Time) {
	b := r.server.opts.Behaviour
	from := n.AgentVersion
	target := paramValue(x.doc, x.params, "version")
	explicit := target != ""
	if !explicit {
		target = b.LatestAgentVersion
	}
	allowDowngrade := paramValue(x.doc, x.params, "allowDowngrade") == "true"
	quick := now.Add(slowed(n, b.CommandDuration))
	long := now.Add(slowed(n, b.UpdateDelay))
	header := fmt.Sprintf("Updating amazon-ssm-agent from %s to %s\nSuccessfully downloaded manifest\nSuccessfully downloaded updater version 1.1.%d.0\n", from, target, 100+hashOf(target)%900)
	failed := func(out string) execResult {
		return execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: 1, Output: out}
	}

	switch {
	case n.PlatformType == "MacOS" && compareVersions(from, macOSUpdaterMinimum) < 0:
		r.finishAt(x, quick, failed(fmt.Sprintf("Unsupported platform for update: amazon-ssm-agent %s cannot update itself on macOS; versions before %s must be reinstalled manually.\n", from, macOSUpdaterMinimum)))
	case explicit && !reAgentVersion.MatchString(target):
		r.finishAt(x, quick, failed(fmt.Sprintf("Invalid target version: %s\n", target)))
	case explicit && compareVersions(target, b.LatestAgentVersion) > 0:
		r.finishAt(x, quick, failed(fmt.Sprintf("Updating amazon-ssm-agent from %s to %s\nSuccessfully downloaded manifest\namazon-ssm-agent %s is not available in this region's manifest (latest is %s)\n", from, target, target, b.LatestAgentVersion)))
	case n.Faults.UpdateSkipped || compareVersions(from, target) == 0 || (!explicit && compareVersions(from, target) > 0):
		r.finishAt(x, quick, execResult{Status: "Success", StatusDetails: "Success",
			Output: fmt.Sprintf("amazon-ssm-agent %s has already been installed, update skipped\n", from)})
	case compareVersions(target, from) < 0 && !allowDowngrade:
		r.finishAt(x, quick, failed(header+fmt.Sprintf("updating amazon-ssm-agent to an older version, please enable allow downgrade to proceed (installed %s, requested %s)\n", from, target)))
	case n.Faults.UpdateFails:
		r.finishAt(x, long, failed(header+fmt.Sprintf(
			"Initiating amazon-ssm-agent update to %s\n"+
				"failed to install amazon-ssm-agent %s, ErrorMessage=The execution of command returned Exit Status: 1\nexit status 1\n"+
				"Initiating rollback amazon-ssm-agent to %s\nrollback amazon-ssm-agent to %s successfully\n"+
				"Update of amazon-ssm-agent from %s to %s failed: installation exited with status 1\n", target, target, from, from, from, target)))
	default:
		out := header + fmt.Sprintf("Initiating amazon-ssm-agent update to %s\namazon-ssm-agent updated successfully to %s\n", target, target)
		r.schedule(long, func(t time.Time) {
			node := r.byID[x.node]
			// The new agent is installed and restarts: ConnectionLost for
			// the restart window, or for good on a node set to stay
			// offline. Until it pings again SSM still shows the version the
			// old agent last reported.
			if _, ok := r.reportedAgent[node.ID]; !ok {
				r.reportedAgent[node.ID] = node.AgentVersion
			}
			node.AgentVersion = target
			node.agentRestarted()
			r.lastPing[node.ID] = t
			if node.Faults.OfflineAfterUpdate {
				node.PingStatus = "ConnectionLost"
			} else {
				back := t.Add(b.RestartWindow)
				r.offlineUntil[node.ID] = back
				r.schedule(back, func(now time.Time) { r.agentPinged(node.ID, now) })
			}
			x.finish(execResult{Status: "Success", StatusDetails: "Success", Output: out, End: t})
		})
	}
}

// agentPinged is a restarted agent's first ping: from now on SSM shows the
// version it runs. A node that did not come back (set offline meanwhile)
// does not ping, and keeps showing its old version.
func (r *region) agentPinged(id string, now time.Time) {
	n, ok := r.byID[id]
	if !ok || r.pingStatus(n, now) != "Online" {
		return
	}
	delete(r.reportedAgent, id)
	r.lastPing[id] = now
}
