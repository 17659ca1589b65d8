package prereq

// CheckWorkdirExec: the agent's work directory is not on a filesystem
// mounted noexec; the patch run executes from there.
const CheckWorkdirExec CheckID = "workdir-exec"

var workdirCheck = Check{
	ID:        CheckWorkdirExec,
	Heading:   "agent work directory not executable",
	Advice:    "remount the filesystem holding /var/lib/amazon without noexec (or give the agent a work directory on one that allows exec)",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts:     []string{"workdir_noexec"},
	Eval: func(f Facts, _ *Rules) CheckResult {
		if f.Bool("workdir_noexec") {
			return CheckResult{Status: StatusFail, Reason: "the agent's work directory /var/lib/amazon/ssm is on a filesystem mounted noexec: the patch run's scripts cannot run there (exit 126)"}
		}
		return CheckResult{Status: StatusPass, Reason: "the agent's work directory allows exec"}
	},
	OnFail: Block,
}
