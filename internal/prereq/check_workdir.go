package prereq

import "github.com/patchready/patchready/internal/fleet"

// CheckWorkdirExec: the agent's work directory is not on a filesystem
// mounted noexec; the patch run executes from there.
const CheckWorkdirExec CheckID = "workdir-exec"

var workdirCheck = Check{
	ID:       CheckWorkdirExec,
	Ensures:  "the agent's work directory (/var/lib/amazon/ssm) is not on a filesystem mounted noexec: the patch run executes its scripts there",
	NotFixed: "remounting a filesystem changes the host's hardening; that is its owner's decision",
	Heading:  "agent work directory not executable",
	Advice:   "remount the filesystem holding /var/lib/amazon without noexec (or give the agent a work directory on one that allows exec)",
	// Not Probe: true, because a noexec work directory stops the probe
	// itself (exit 126), and that failure is this check's answer.
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}},
	Facts:     []string{"workdir_noexec", "probe_status", "probe_reason"},
	Eval: func(f Facts, _ *Rules) CheckResult {
		switch f.Get("probe_status") {
		case "ok":
		case "failed":
			if f.Get("probe_reason") == fleet.ReasonWorkdirNoexec {
				return CheckResult{Status: StatusFail, Reason: "the agent's work directory /var/lib/amazon/ssm is on a filesystem mounted noexec: the probe itself could not run there (exit 126), and the patch run cannot either"}
			}
			return CheckResult{Status: StatusSkipped, Reason: "not checked: needs the probe's report"}
		case "not-run":
			return CheckResult{Status: StatusNA, Reason: "not probed: the node is not Online"}
		default:
			return CheckResult{Status: StatusSkipped, Reason: "not checked: needs the probe's report"}
		}
		if f.Bool("workdir_noexec") {
			return CheckResult{Status: StatusFail, Reason: "the agent's work directory /var/lib/amazon/ssm is on a filesystem mounted noexec: the patch run's scripts cannot run there (exit 126)"}
		}
		return CheckResult{Status: StatusPass, Reason: "the agent's work directory allows exec"}
	},
	OnFail: Block,
}
