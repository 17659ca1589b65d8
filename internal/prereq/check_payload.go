package prereq

import (
	"fmt"
	"strings"

	"github.com/patchready/patchready/documents"
)

// CheckPayload: the region's Patch Manager payload bucket answers an HTTPS
// request from the node, through the agent's own proxy settings.
const CheckPayload CheckID = "payload"

var payloadCheck = Check{
	ID:       CheckPayload,
	Ensures:  "the region's payload bucket answers one HTTPS HEAD from the node, through the agent's own proxy settings, within a short timeout",
	NotFixed: "the path is the network's (VPC endpoint, security groups, NACLs, the proxy's allow-list), not the node's software",
	Heading:  "payload bucket unreachable",
	Advice: "give the node outbound HTTPS to the region's payload bucket (URL below): an S3 gateway endpoint in its VPC, " +
		"NACL and security group rules for 443, or the proxy's allow-list",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts:     []string{"payload", "payload_code", "downloader", "proxied"},
	Eval: func(f Facts, _ *Rules) CheckResult {
		via := "directly"
		if f.Bool("proxied") {
			via = "through the agent's proxy"
		}
		code := f.Get("payload_code")
		switch f.Get("payload") {
		case documents.PayloadReachable:
			return CheckResult{Status: StatusPass, Reason: fmt.Sprintf("the payload bucket answers %s (%s)", via, describePayloadCode(code))}
		case documents.PayloadUnreachable:
			return CheckResult{Status: StatusFail, Reason: fmt.Sprintf("the payload bucket does not answer %s (%s): the patch run would fail with \"Unable to download payload\" (exit 156)", via, describePayloadCode(code))}
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
