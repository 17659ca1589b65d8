package prereq

import "github.com/patchready/patchready/documents"

// CheckDownloader: curl or wget exists; the patch run downloads its payload
// with one of them.
const CheckDownloader CheckID = "downloader"

var downloaderCheck = Check{
	ID:        CheckDownloader,
	Ensures:   "curl or wget is on the node: the patch run downloads its payload with one of them",
	NotFixed:  "blocked when the node has no package manager to install curl with",
	Heading:   "no downloader",
	Advice:    "install curl",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts:     []string{"downloader", "package_managers"},
	Eval: func(f Facts, _ *Rules) CheckResult {
		if d := f.Get("downloader"); d != "" {
			return CheckResult{Status: StatusPass, Reason: "the patch run would download its payload with " + d}
		}
		return CheckResult{Status: StatusFail, Unfixable: f.Get("package_managers") == "",
			Reason: "neither curl nor wget is installed: the patch run would fail with \"Unable to download payload\" (exit 156)"}
	},
	OnFail: Fix,
	Fix: &Action{Kind: "install-curl", FixStep: documents.FixCurl,
		Doing: "installs curl with the node's package manager"},
}
