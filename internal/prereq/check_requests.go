package prereq

import (
	"fmt"
	"strings"

	"github.com/patchready/patchready/documents"
)

// CheckRequests: an Amazon Linux node behind a proxy has Python requests at
// least the floor, in the interpreter the patch run uses.
const CheckRequests CheckID = "requests"

var requestsCheck = Check{
	ID:        CheckRequests,
	Ensures:   "on Amazon Linux behind a proxy, the patch run's own interpreter imports requests at the rules' minimum (2.18.4)",
	NotFixed:  "blocked when the version cannot be read",
	Heading:   "requests version unreadable",
	Advice:    "look at the node's requests module by hand",
	AppliesTo: Applicability{AmazonLinux: true, Probe: true},
	Facts:     []string{"proxied", "python", "requests_version"},
	Eval: func(f Facts, r *Rules) CheckResult {
		if !f.Bool("proxied") {
			return CheckResult{Status: StatusPass, Reason: "not behind a proxy"}
		}
		py := f.Get("python")
		if py == "" {
			return CheckResult{Status: StatusNA, Reason: "behind a proxy, but no interpreter the patch run would use (see patch-python)"}
		}
		floor, ok := parseLooseVersion(r.MinRequestsVersion)
		if !ok {
			return CheckResult{Status: StatusUnknown, Reason: fmt.Sprintf("minimum requests version %s is not a version", quoteShort(r.MinRequestsVersion))}
		}
		got := strings.TrimSpace(f.Get("requests_version"))
		if got == "" {
			return CheckResult{Status: StatusFail, Reason: fmt.Sprintf("behind a proxy and %s, the patch run's interpreter, cannot import requests (needs %s or later)", py, r.MinRequestsVersion)}
		}
		v, ok := parseLooseVersion(got)
		if !ok {
			return CheckResult{Status: StatusUnknown, Reason: fmt.Sprintf("behind a proxy and the requests version %s of %s cannot be read", quoteShort(got), py)}
		}
		if v.LessThan(floor) {
			return CheckResult{Status: StatusFail, Reason: fmt.Sprintf("behind a proxy with requests %s in %s, the patch run's interpreter, older than the minimum %s", got, py, r.MinRequestsVersion)}
		}
		return CheckResult{Status: StatusPass, Reason: fmt.Sprintf("behind a proxy with requests %s in %s (minimum %s)", got, py, r.MinRequestsVersion)}
	},
	OnFail:    Fix,
	OnUnknown: Block,
	Fix: &Action{Kind: "upgrade-requests", FixStep: documents.FixRequests,
		Doing: "installs a current requests with the patch run's own interpreter and its pip"},
}
