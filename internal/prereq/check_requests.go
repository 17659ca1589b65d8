package prereq

import (
	"fmt"
	"strings"

	"github.com/patchready/patchready/documents"
)

// CheckRequests: an Amazon Linux node behind a proxy has Python requests at
// least the floor, in the interpreter the patch run uses. "Behind a proxy"
// counts the proxy the running agent has and the one its service override
// sets for its next restart: the patch run needs requests that work
// through a proxy from the moment the agent loads one, and nothing tells
// patchready when that restart comes (an agent update, a reboot), so the
// upgrade is planned now rather than after.
const CheckRequests CheckID = "requests"

var requestsCheck = Check{
	ID: CheckRequests,
	Ensures: "on Amazon Linux behind a proxy (the running agent's, or one its service override sets for its next restart), " +
		"the patch run's own interpreter imports requests at the rules' minimum (2.18.4)",
	NotFixed:  "blocked when the version cannot be read",
	Heading:   "requests version unreadable",
	Advice:    "look at the node's requests module by hand",
	AppliesTo: Applicability{AmazonLinux: true, Probe: true},
	Facts:     []string{"proxied", "proxy_pending", "pending_proxy_source", "python", "requests_version"},
	Eval: func(f Facts, r *Rules) CheckResult {
		behind := "behind a proxy"
		switch {
		case f.Bool("proxied"):
		case f.Bool("proxy_pending"):
			behind = "behind the proxy in its " + overrideWords(f.Get("pending_proxy_source")) + " once the agent restarts"
		default:
			return CheckResult{Status: StatusPass, Reason: "not behind a proxy, now or after the agent's next restart"}
		}
		py := f.Get("python")
		if py == "" {
			return CheckResult{Status: StatusNA, Reason: behind + ", but no interpreter the patch run would use (see patch-python)"}
		}
		floor, ok := parseLooseVersion(r.MinRequestsVersion)
		if !ok {
			return CheckResult{Status: StatusUnknown, Reason: fmt.Sprintf("minimum requests version %s is not a version", quoteShort(r.MinRequestsVersion))}
		}
		got := strings.TrimSpace(f.Get("requests_version"))
		if got == "" {
			return CheckResult{Status: StatusFail, Reason: fmt.Sprintf("%s and %s, the patch run's interpreter, cannot import requests (needs %s or later)", behind, py, r.MinRequestsVersion)}
		}
		v, ok := parseLooseVersion(got)
		if !ok {
			return CheckResult{Status: StatusUnknown, Reason: fmt.Sprintf("%s and the requests version %s of %s cannot be read", behind, quoteShort(got), py)}
		}
		if v.LessThan(floor) {
			return CheckResult{Status: StatusFail, Reason: fmt.Sprintf("%s with requests %s in %s, the patch run's interpreter, older than the minimum %s", behind, got, py, r.MinRequestsVersion)}
		}
		return CheckResult{Status: StatusPass, Reason: fmt.Sprintf("%s with requests %s in %s (minimum %s)", behind, got, py, r.MinRequestsVersion)}
	},
	OnFail:    Fix,
	OnUnknown: Block,
	Fix: &Action{Kind: "upgrade-requests", FixStep: documents.FixRequests,
		Doing: "installs a current requests with the patch run's own interpreter and its pip"},
}
