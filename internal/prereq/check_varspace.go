package prereq

import "fmt"

// CheckVarSpace: /var has room for the payload and the package manager's
// cache (a warning only).
const CheckVarSpace CheckID = "var-space"

var varSpaceCheck = Check{
	ID:        CheckVarSpace,
	Ensures:   "/var has room for the payload and the package cache (below the rules' var_warn_mib, 500 MiB by default, the plan warns)",
	NotFixed:  "a warning only: what to delete on a full disk is the owner's call",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts:     []string{"var_free_mb"},
	Eval: func(f Facts, r *Rules) CheckResult {
		free, ok := f.Int("var_free_mb")
		if !ok || free < 0 {
			return CheckResult{Status: StatusUnknown, Reason: "free space in /var unknown"}
		}
		if r.VarWarnMiB > 0 && free < r.VarWarnMiB {
			// The text names the threshold, not the node's figure, so that
			// nodes sharing the note group together.
			return CheckResult{Status: StatusFail, Reason: fmt.Sprintf("less than %d MiB free in /var: the patch run unpacks its payload under /var/log/amazon/ssm and the package manager fills /var/cache; a full /var fails the run (exit 152 or 155)", r.VarWarnMiB)}
		}
		return CheckResult{Status: StatusPass, Reason: fmt.Sprintf("%d MiB free in /var", free)}
	},
	OnFail: Warn,
}
