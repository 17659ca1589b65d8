package host

import (
	"strings"
	"testing"
)

func TestPatchCountsRoundTrip(t *testing.T) {
	p := PatchCounts{Installed: 421, InstalledOther: 7, InstalledPendingReboot: 1, InstalledRejected: 2, Missing: 14, Failed: 3,
		NotApplicable: 9817, Critical: 2, Security: 8, Other: 4}
	const text = "Installed=421 InstalledOther=7 InstalledPendingReboot=1 InstalledRejected=2 Missing=14 Failed=3 NotApplicable=9817 " +
		"CriticalNonCompliant=2 SecurityNonCompliant=8 OtherNonCompliant=4"
	if got := p.String(); got != text {
		t.Fatalf("String() = %q", got)
	}
	back, err := ParsePatchCounts(text)
	if err != nil || back != p {
		t.Fatalf("ParsePatchCounts = %+v, %v", back, err)
	}
	for name, bad := range map[string]string{
		"a count missing": strings.Replace(text, " Failed=3", "", 1),
		"a count twice":   text + " Missing=1",
		"unknown key":     text + " Pending=1",
		"negative":        strings.Replace(text, "Missing=14", "Missing=-1", 1),
		"not a number":    strings.Replace(text, "Missing=14", "Missing=14x", 1),
		"leading zero":    strings.Replace(text, "Missing=14", "Missing=014", 1),
		"no value":        strings.Replace(text, "Missing=14", "Missing", 1),
	} {
		if _, err := ParsePatchCounts(bad); err == nil {
			t.Errorf("%s: accepted %q", name, bad)
		}
	}
}

func TestPatchCountsCheck(t *testing.T) {
	if err := (PatchCounts{Missing: -1}).Check(); err == nil {
		t.Error("a negative count passed")
	}
	if err := (PatchCounts{Missing: 2, Security: 2, Critical: 1}).Check(); err == nil {
		t.Error("more non-compliant patches by classification than missing passed")
	}
	for _, name := range Presets() {
		h, err := FromPreset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Patches.Check(); err != nil || h.Patches.Installed == 0 {
			t.Errorf("%s: figures %+v: %v", name, h.Patches, err)
		}
	}
}

func TestSpecScanFields(t *testing.T) {
	no := false
	h, err := Spec{Preset: AmazonLinux2023, LockHeldBy: "dnf", SkipIfUnavailable: &no, Patches: &PatchCounts{Installed: 5, Missing: 1, Security: 1}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	tree := h.Tree()
	for path, want := range map[string]string{
		"/proc/3121/comm":                  "dnf\n",
		"/var/cache/dnf/metadata_lock.pid": "3121\n",
		StateDir + "/patches":              "Installed=5 InstalledOther=0 InstalledPendingReboot=0 InstalledRejected=0 Missing=1 Failed=0 NotApplicable=0 CriticalNonCompliant=0 SecurityNonCompliant=1 OtherNonCompliant=0\n",
	} {
		if got := tree[path].Data; got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if !strings.Contains(tree["/etc/dnf/dnf.conf"].Data, "skip_if_unavailable=False\n") {
		t.Errorf("dnf.conf: %q", tree["/etc/dnf/dnf.conf"].Data)
	}
	if def, _ := FromPreset(AmazonLinux2023); !strings.Contains(def.Tree()["/etc/dnf/dnf.conf"].Data, "skip_if_unavailable=True\n") {
		t.Error("Amazon Linux 2023 does not skip unreachable repositories by default")
	}
	ub, err := Spec{Preset: Ubuntu2404, LockHeldBy: "unattended-upgr"}.Build()
	if err != nil {
		t.Fatal(err)
	}
	if ut := ub.Tree(); ut["/var/lib/dpkg/lock-frontend"].Data != "3121\n" || ut["/var/lib/apt/lists/lock"].Data != "3121\n" {
		t.Error("apt's locks are not held")
	}
	for name, bad := range map[string]Spec{
		"lock holder not a process name": {Preset: AmazonLinux2, LockHeldBy: "Yum Updater"},
		"negative patch count":           {Preset: AmazonLinux2, Patches: &PatchCounts{Missing: -3}},
	} {
		if _, err := bad.Build(); err == nil {
			t.Errorf("%s: built", name)
		}
	}
}
