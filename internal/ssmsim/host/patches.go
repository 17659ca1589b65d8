package host

import (
	"fmt"
	"strings"
)

// PatchCounts is what a patch scan of a node finds, in the terms of
// Patch Manager's patch states: the counts DescribeInstancePatchStates
// reports. Critical, Security and Other are the non-compliant patches by
// the baseline's classification, a split of Missing and Failed.
type PatchCounts struct {
	Installed              int `json:"installed" yaml:"installed"`
	InstalledOther         int `json:"installed_other" yaml:"installed_other"`
	InstalledPendingReboot int `json:"installed_pending_reboot" yaml:"installed_pending_reboot"`
	InstalledRejected      int `json:"installed_rejected" yaml:"installed_rejected"`
	Missing                int `json:"missing" yaml:"missing"`
	Failed                 int `json:"failed" yaml:"failed"`
	NotApplicable          int `json:"not_applicable" yaml:"not_applicable"`
	Critical               int `json:"critical_non_compliant" yaml:"critical_non_compliant"`
	Security               int `json:"security_non_compliant" yaml:"security_non_compliant"`
	Other                  int `json:"other_non_compliant" yaml:"other_non_compliant"`
}

// Check rejects counts no scan can report.
func (p PatchCounts) Check() error {
	for _, f := range p.fields() {
		if *f.v < 0 {
			return fmt.Errorf("patches: %s %d is negative", f.key, *f.v)
		}
	}
	if p.Critical+p.Security+p.Other > p.Missing+p.Failed+p.InstalledPendingReboot+p.InstalledRejected {
		return fmt.Errorf("patches: %d non-compliant by classification, more than the %d missing, failed, pending reboot or rejected",
			p.Critical+p.Security+p.Other, p.Missing+p.Failed+p.InstalledPendingReboot+p.InstalledRejected)
	}
	return nil
}

type countField struct {
	key string
	v   *int
}

// fields are the counts by the names the patch state file and the scan's
// summary line use, in a fixed order.
func (p *PatchCounts) fields() []countField {
	return []countField{
		{"Installed", &p.Installed}, {"InstalledOther", &p.InstalledOther}, {"InstalledPendingReboot", &p.InstalledPendingReboot},
		{"InstalledRejected", &p.InstalledRejected}, {"Missing", &p.Missing}, {"Failed", &p.Failed},
		{"NotApplicable", &p.NotApplicable}, {"CriticalNonCompliant", &p.Critical},
		{"SecurityNonCompliant", &p.Security}, {"OtherNonCompliant", &p.Other},
	}
}

// String renders the counts as KEY=N pairs separated by spaces, the form
// of the node's patch state file and of the scan's summary line.
func (p PatchCounts) String() string {
	var b strings.Builder
	for i, f := range p.fields() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", f.key, *f.v)
	}
	return b.String()
}

// ParsePatchCounts reads what String wrote. Every count must be there,
// once, as a non-negative number.
func ParsePatchCounts(s string) (PatchCounts, error) {
	var p PatchCounts
	byKey := map[string]*int{}
	for _, f := range p.fields() {
		byKey[f.key] = f.v
	}
	seen := map[string]bool{}
	for _, kv := range strings.Fields(s) {
		k, v, ok := strings.Cut(kv, "=")
		dst, known := byKey[k]
		if !ok || !known || seen[k] {
			return PatchCounts{}, fmt.Errorf("patch counts: unexpected %q", kv)
		}
		n := 0
		if _, err := fmt.Sscanf(v, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != v {
			return PatchCounts{}, fmt.Errorf("patch counts: %s is not a count", k)
		}
		*dst = n
		seen[k] = true
	}
	if len(seen) != len(byKey) {
		return PatchCounts{}, fmt.Errorf("patch counts: %d of %d counts given", len(seen), len(byKey))
	}
	return p, nil
}

// presetPatches are what a scan finds on each preset as its image ships,
// some months old: the packages the baseline covers that are installed,
// those with newer approved versions (missing), and the rest of the
// repositories' packages (not applicable). The figures are of the order
// real scans report; none is taken from a particular node.
var presetPatches = map[string]PatchCounts{
	AmazonLinux1:    {Installed: 471, InstalledOther: 12, Missing: 38, NotApplicable: 6523, Critical: 5, Security: 22, Other: 11},
	AmazonLinux2:    {Installed: 421, InstalledOther: 7, Missing: 14, NotApplicable: 9817, Critical: 2, Security: 8, Other: 4},
	AmazonLinux2023: {Installed: 388, InstalledOther: 3, Missing: 6, NotApplicable: 12044, Critical: 0, Security: 4, Other: 2},
	RHEL7:           {Installed: 512, InstalledOther: 9, Missing: 43, NotApplicable: 5104, Critical: 6, Security: 25, Other: 12},
	RHEL8:           {Installed: 563, InstalledOther: 5, Missing: 22, NotApplicable: 7731, Critical: 3, Security: 13, Other: 6},
	RHEL9:           {Installed: 541, InstalledOther: 4, Missing: 9, NotApplicable: 8210, Critical: 1, Security: 5, Other: 3},
	Rocky8:          {Installed: 548, InstalledOther: 6, Missing: 19, NotApplicable: 7402, Critical: 2, Security: 11, Other: 6},
	Rocky9:          {Installed: 530, InstalledOther: 4, Missing: 8, NotApplicable: 8093, Critical: 1, Security: 4, Other: 3},
	Alma8:           {Installed: 551, InstalledOther: 6, Missing: 18, NotApplicable: 7388, Critical: 2, Security: 10, Other: 6},
	Alma9:           {Installed: 533, InstalledOther: 4, Missing: 7, NotApplicable: 8101, Critical: 1, Security: 4, Other: 2},
	Ubuntu2204:      {Installed: 612, InstalledOther: 21, Missing: 31, NotApplicable: 68211, Critical: 3, Security: 17, Other: 11},
	Ubuntu2404:      {Installed: 583, InstalledOther: 14, Missing: 12, NotApplicable: 71034, Critical: 1, Security: 7, Other: 4},
	Debian12:        {Installed: 447, InstalledOther: 9, Missing: 8, NotApplicable: 63120, Critical: 0, Security: 5, Other: 3},
	SLES15:          {Installed: 1021, InstalledOther: 17, Missing: 17, NotApplicable: 4410, Critical: 2, Security: 9, Other: 6},
}

// PresetPatches returns what a scan finds on a preset as it ships.
func PresetPatches(preset string) PatchCounts { return presetPatches[preset] }
