package prereq

import (
	"fmt"

	"github.com/patchready/patchready/documents"
)

// CheckProxyPending: a proxy the agent's service override sets, which the
// running agent has not loaded, also reaches the payload bucket. The
// agent takes it at its next restart, and from then on the patch run goes
// through it.
//
// A failure blocks rather than warns, though the patch run works today:
// the restart is routine and not the reviewer's to time. AWS-UpdateSSMAgent
// restarts the agent (this plan's update, or AWS's own every-14-days
// association), and so does the reboot that patching with RebootIfNeeded
// ends with; the first patch run after it would then fail. Calling such a
// node ready is the very mistake patchready exists to prevent.
const CheckProxyPending CheckID = "proxy-pending"

var proxyPendingCheck = Check{
	ID: CheckProxyPending,
	Ensures: "a proxy the agent's service override sets but the running agent has not loaded (it takes it at its next restart: " +
		"an agent update, a reboot) also lets the payload bucket answer",
	NotFixed: "the proxy and its allow-list are the network owner's; a node whose next agent restart breaks its patch run is not called ready",
	Heading:  "the agent's override proxy breaks the patch run at its next restart",
	Advice: "make the proxy in the agent's service override reach the region's payload bucket (its allow-list), or correct or remove " +
		"the override; then restart the agent (systemctl daemon-reload && systemctl restart amazon-ssm-agent; on upstart, " +
		"stop amazon-ssm-agent; start amazon-ssm-agent) and plan again",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts:     []string{"proxy_pending", "pending_proxy_source", "payload_after_restart", "payload_after_restart_code", "downloader", "agent_version"},
	Eval: func(f Facts, r *Rules) CheckResult {
		if !f.Bool("proxy_pending") {
			return CheckResult{Status: StatusNA, Reason: "no proxy in the agent's service override waits for a restart"}
		}
		when := "at its next restart (an agent update, a reboot)"
		if agentBelowFloor(f.Get("agent_version"), r) {
			when = "when the agent update restarts it"
		}
		where := overrideWords(f.Get("pending_proxy_source"))
		code := describePayloadCode(f.Get("payload_after_restart_code"))
		switch f.Get("payload_after_restart") {
		case documents.PayloadReachable:
			return CheckResult{Status: StatusPass, Reason: fmt.Sprintf("the agent takes the proxy in its %s %s; the payload bucket answers through it (%s)", where, when, code)}
		case documents.PayloadUnreachable:
			return CheckResult{Status: StatusFail, Reason: fmt.Sprintf("the agent takes the proxy in its %s %s, and the payload bucket does not answer through it (%s): "+
				"from then on the patch run would fail with \"Unable to download payload\" (exit 156)", where, when, code)}
		case documents.PayloadUntested:
			if f.Get("downloader") == "" {
				return CheckResult{Status: StatusSkipped, Reason: "not tested: no curl or wget; tested in the read-back after install-curl"}
			}
			return CheckResult{Status: StatusUnknown, Reason: "not tested: the agent gave the probe no region (AWS_SSM_REGION_NAME) to build the payload URL from"}
		}
		return CheckResult{Status: StatusUnknown, Reason: "the probe did not report the payload test through the override's proxy"}
	},
	OnFail:    Block,
	OnUnknown: Block,
}
