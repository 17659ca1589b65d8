package prereq

import (
	"fmt"
	"strings"

	"github.com/patchready/patchready/documents"
)

// CheckPatchPython: the interpreter AWS-RunPatchBaseline would choose exists,
// is in the supported range, and imports its package manager's module.
const CheckPatchPython CheckID = "patch-python"

var patchPythonCheck = Check{
	ID:        CheckPatchPython,
	Ensures:   "the Python AWS-RunPatchBaseline would choose (found by its own rules, in its order) exists, is in the rules' range, and imports its package manager's module (yum, dnf or apt)",
	NotFixed:  "blocked when the interpreter is outside the range, on a yum system whose Python cannot import yum (a broken yum is not repaired blind), and with no package manager",
	Heading:   "the patch run's Python cannot work",
	Advice:    "install an interpreter the patch run accepts (see the reason) with the node's package manager, or replace the node",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts: []string{"which", "package_managers", "package_manager", "python", "python_version",
		"python_error", "package_module", "platform_name"},
	Eval:   evalPatchPython,
	OnFail: Fix,
	// A report the probe printed but patchready cannot read decides
	// nothing: block rather than guess.
	OnUnknown: Block,
	Fix: &Action{Kind: "install-python", FixStep: documents.FixPython,
		Doing: "installs the interpreter the patch run needs (python3, and python3-apt on apt systems) with the node's package manager"},
}

func evalPatchPython(f Facts, r *Rules) CheckResult {
	managers := f.Get("package_managers")
	py := f.Get("python")
	if !f.Bool("which") {
		return CheckResult{Status: StatusFail, Unfixable: managers == "",
			Reason: "`which` is not installed: AWS-RunPatchBaseline finds its Python and package manager with it, so it would find neither " +
				"(\"An unsupported package manager and python version combination was found.\")"}
	}
	if py == "" {
		why := strings.TrimSpace(f.Get("python_error"))
		if why == "" {
			why = "no interpreter qualifies"
		}
		res := CheckResult{Status: StatusFail, Reason: "the patch run would fail: " + cut(why, 240)}
		// Installing python3 mends apt, dnf and zypper systems. A yum
		// system whose Python cannot import yum has a broken yum: not
		// something to fix blind, and the same for no package manager.
		res.Unfixable = !hasAny(managers, "apt", "dnf", "zypper")
		return res
	}
	label := py
	if v := f.Get("python_version"); v != "" {
		label = fmt.Sprintf("%s (Python %s)", py, v)
	}
	v, ok := parseLooseVersion(f.Get("python_version"))
	if !ok {
		return CheckResult{Status: StatusUnknown, Reason: fmt.Sprintf("the version of %s, the patch run's interpreter, cannot be read", py)}
	}
	if lo, _ := parseLooseVersion(r.Python.Min); lo != nil && v.LessThan(lo) {
		return CheckResult{Status: StatusFail, Unfixable: true,
			Reason: fmt.Sprintf("%s is older than the Python %s Patch Manager needs", label, r.Python.Min)}
	}
	if r.Python.Max != "" {
		hi, _ := parseLooseVersion(r.Python.Max)
		precision := strings.Count(r.Python.Max, ".") + 1
		if hi != nil && truncate(v, precision).GreaterThan(hi) {
			return CheckResult{Status: StatusFail, Unfixable: true,
				Reason: fmt.Sprintf("%s is newer than the Python %s–%s Patch Manager supports (rules %s)", label, r.Python.Min, r.Python.Max, r.Name)}
		}
	}
	if v.Segments()[0] < 3 && python3Required(f.Get("platform_name"), r) {
		return CheckResult{Status: StatusFail, Unfixable: !hasAny(managers, "apt", "dnf", "zypper"),
			Reason: fmt.Sprintf("the patch run would use %s, but Patch Manager needs Python 3 on %s", label, strings.TrimSpace(f.Get("platform_name")))}
	}
	pm := f.Get("package_manager")
	switch f.Get("package_module") {
	case documents.ModuleMissing:
		mod := map[string]string{"apt": "apt (package python3-apt)", "dnf": "dnf", "yum": "yum"}[pm]
		if mod == "" {
			mod = "its package manager's module"
		}
		return CheckResult{Status: StatusFail, Unfixable: pm != "apt" && pm != "dnf",
			Reason: fmt.Sprintf("%s, the patch run's interpreter, cannot import %s", label, mod)}
	case documents.ModuleOK, documents.ModuleNA:
	default:
		return CheckResult{Status: StatusUnknown, Reason: fmt.Sprintf("the probe did not say whether %s imports its package manager's module", py)}
	}
	return CheckResult{Status: StatusPass, Reason: fmt.Sprintf("the patch run would use %s through %s", label, pm)}
}

// hasAny reports whether the comma-separated list holds one of names.
func hasAny(list string, names ...string) bool {
	for _, item := range strings.Split(list, ",") {
		for _, n := range names {
			if strings.TrimSpace(item) == n {
				return true
			}
		}
	}
	return false
}

func python3Required(platform string, r *Rules) bool {
	p := strings.ToLower(strings.TrimSpace(platform))
	for _, name := range r.Python.Python3Required {
		if strings.HasPrefix(p, strings.ToLower(strings.TrimSpace(name))) {
			return true
		}
	}
	return false
}
