package prereq

import (
	"strings"

	"github.com/patchready/patchready/internal/fleet"
)

// CheckProbe: the read-only probe ran on the node and its report could be
// read. Every patch-run check reads that report; when it is missing they are
// skipped and this check says why, once.
const CheckProbe CheckID = "probe"

// NoteProbeOff is the probe check's note on a plan made with --no-probe.
const NoteProbeOff = "probe turned off (--no-probe): the patch run's interpreter, requests, downloader, payload bucket, work directory and /var were not checked"

var probeCheck = Check{
	ID:        CheckProbe,
	Ensures:   "the read-only probe ran on the node and its report is readable; every probed check reads that report",
	NotFixed:  "the probe changes nothing, so a failure is the node's (no shell, a broken agent, a full disk): a node that cannot run it cannot run the patch run either",
	Heading:   "probe failed",
	Advice:    "look at the node's Run Command history for patchready-Probe; a node that cannot run a read-only shell script cannot be patched either",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}},
	Facts:     []string{"probe_status", "probe_reason"},
	Eval: func(f Facts, _ *Rules) CheckResult {
		switch f.Get("probe_status") {
		case "ok":
			return CheckResult{Status: StatusPass, Reason: "probe reported"}
		case "skipped":
			return CheckResult{Status: StatusSkipped, Reason: NoteProbeOff}
		case "not-run":
			// Only nodes that are not Online go unprobed when the probe
			// runs; the online check blocks them.
			return CheckResult{Status: StatusNA, Reason: "not probed: the node is not Online"}
		}
		why := strings.TrimSpace(f.Get("probe_reason"))
		if why == fleet.ReasonWorkdirNoexec {
			// The workdir-exec check says it, under its own heading.
			return CheckResult{Status: StatusNA, Reason: "the probe could not run (see workdir-exec)"}
		}
		if why == "" {
			why = "no reason given"
		}
		return CheckResult{Status: StatusFail, Reason: "probe failed: " + cut(why, 200)}
	},
	OnFail:    Block,
	OnUnknown: Block,
	OnSkipped: Warn,
}
