package prereq

import (
	"fmt"
	"strings"

	"github.com/patchready/patchready/documents"
)

// CheckPayload: the region's Patch Manager payload bucket answers an HTTPS
// request from the node the way the patch run goes: in the running agent's
// environment, which the patch run inherits.
const CheckPayload CheckID = "payload"

// ReasonOverrideNotLoaded says why a node whose proxy is only in its
// service's override goes direct.
const ReasonOverrideNotLoaded = "the running agent has no proxy; the override's proxy is not loaded until the agent restarts"

var payloadCheck = Check{
	ID: CheckPayload,
	Ensures: "the region's payload bucket answers one HTTPS HEAD from the node, within a short timeout, the way the patch run goes: " +
		"in the running agent's own environment, which the patch run inherits (when the plan's agent update restarts the agent, proxy-pending decides)",
	NotFixed: "the path is the network's (VPC endpoint, security groups, NACLs, the proxy's allow-list), not the node's software; " +
		"a proxy the running agent has not loaded needs the agent restarted, which is the owner's to time",
	Heading: "payload bucket unreachable",
	Advice: "give the node outbound HTTPS to the region's payload bucket (URL below): an S3 gateway endpoint in its VPC, " +
		"NACL and security group rules for 443, or the proxy's allow-list",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts:     []string{"payload", "payload_code", "downloader", "proxied", "proxy_pending", "pending_proxy_source", "agent_version"},
	Eval: func(f Facts, r *Rules) CheckResult {
		pending := f.Bool("proxy_pending")
		if pending && agentBelowFloor(f.Get("agent_version"), r) {
			// The agent update restarts the agent before anything else
			// runs on the node: the patch run then goes the override's
			// way, which proxy-pending tests. Today's path is never taken.
			return CheckResult{Status: StatusNA, Reason: fmt.Sprintf("the agent update restarts the agent, which then takes the proxy in its %s: "+
				"the patch run's path from then on is proxy-pending's to decide", overrideWords(f.Get("pending_proxy_source")))}
		}
		via := "directly"
		if f.Bool("proxied") {
			via = "through the running agent's proxy"
		}
		code := f.Get("payload_code")
		switch f.Get("payload") {
		case documents.PayloadReachable:
			return CheckResult{Status: StatusPass, Reason: fmt.Sprintf("the payload bucket answers %s (%s)", via, describePayloadCode(code))}
		case documents.PayloadUnreachable:
			reason := fmt.Sprintf("the payload bucket does not answer %s (%s): the patch run would fail with \"Unable to download payload\" (exit 156)", via, describePayloadCode(code))
			src := f.Get("pending_proxy_source")
			switch {
			case pending && !f.Bool("proxied"):
				reason += "; " + ReasonOverrideNotLoaded + ": " + restartAdvice(src)
			case pending:
				reason += "; the different proxy in its " + overrideWords(src) + " is not loaded until the agent restarts: " + restartAdvice(src)
			}
			return CheckResult{Status: StatusFail, Reason: reason}
		case documents.PayloadUntested:
			if f.Get("downloader") == "" {
				return CheckResult{Status: StatusSkipped, Reason: "not tested: no curl or wget; tested in the read-back after install-curl"}
			}
			return CheckResult{Status: StatusUnknown, Reason: "not tested: the agent gave the probe no region (AWS_SSM_REGION_NAME) to build the payload URL from"}
		}
		return CheckResult{Status: StatusUnknown, Reason: "the probe did not report the payload test"}
	},
	OnFail:    Block,
	OnUnknown: Block,
}

// restartAdvice says how to make the agent load the proxy its override
// sets, by the service manager the override is for (see proxy-pending for
// whether that proxy works). systemd reads a changed drop-in only after
// daemon-reload; upstart's restart keeps the job's old environment, so the
// job is stopped and started.
func restartAdvice(source string) string {
	cmd := "systemctl daemon-reload && systemctl restart amazon-ssm-agent"
	if source == "upstart-override" {
		cmd = "stop amazon-ssm-agent; start amazon-ssm-agent"
	}
	return "restart the agent (" + cmd + ") to load the proxy in its " + overrideWords(source) + ", then plan again"
}

// overrideWords names where a pending proxy is set, in words.
func overrideWords(source string) string {
	switch source {
	case "systemd-override":
		return "systemd override"
	case "upstart-override":
		return "upstart override"
	}
	return "service override"
}

// describePayloadCode turns the probe's payload_code into words.
func describePayloadCode(code string) string {
	tool, n, ok := strings.Cut(code, ":")
	if !ok {
		if code == "" {
			return "no answer"
		}
		return "HTTP " + code
	}
	why := map[string]map[string]string{
		"curl": {"5": "the proxy's name did not resolve", "6": "the name did not resolve", "7": "connection refused",
			"28": "timed out", "35": "TLS handshake failed", "52": "empty answer", "56": "connection reset",
			"60": "certificate not trusted", "97": "proxy handshake failed"},
		"wget": {"4": "network failure", "5": "TLS failed", "8": "server error answer"},
	}[tool][n]
	if why == "" {
		return fmt.Sprintf("%s exit %s", tool, n)
	}
	return fmt.Sprintf("%s exit %s: %s", tool, n, why)
}
