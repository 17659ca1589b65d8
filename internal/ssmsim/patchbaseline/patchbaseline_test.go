package patchbaseline

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/ssmsim/docparse"
	"github.com/patchready/patchready/internal/ssmsim/host"
)

// TestContentShape: the document has AWS's parameters and steps, and
// runs on every platform.
func TestContentShape(t *testing.T) {
	d, err := docparse.Parse(Content, "JSON")
	if err != nil {
		t.Fatal(err)
	}
	if d.SchemaVersion != "2.2" || !slices.Equal(d.PlatformTypes(), []string{"Windows", "Linux", "MacOS"}) {
		t.Errorf("schema %s, platforms %v", d.SchemaVersion, d.PlatformTypes())
	}
	steps := map[string]docparse.Step{}
	for _, s := range d.Steps {
		steps[s.Name] = s
	}
	for name, want := range map[string][2]string{
		documents.PatchWindowsStepName: {"aws:runPowerShellScript", "Windows"},
		documents.PatchLinuxStepName:   {"aws:runShellScript", "Linux"},
		documents.PatchMacOSStepName:   {"aws:runShellScript", "MacOS"},
	} {
		if s := steps[name]; s.Action != want[0] || s.Platform != want[1] {
			t.Errorf("step %s: %s on %s, want %v", name, s.Action, s.Platform, want)
		}
	}
	if got := strings.Join(steps[documents.PatchLinuxStepName].RunCommand, "\n") + "\n"; got != LinuxScript() {
		t.Error("the PatchLinux step does not carry the script")
	}
	params := map[string]docparse.Param{}
	for _, p := range d.Params {
		params[p.Name] = p
	}
	if p := params["Operation"]; p.Default != nil || !slices.Equal(p.AllowedValues, []string{OperationScan, OperationInstall}) {
		t.Errorf("Operation %+v: required, Scan or Install", p)
	}
	if p := params["RebootOption"]; p.Default == nil || *p.Default != RebootIfNeeded || !slices.Equal(p.AllowedValues, []string{RebootIfNeeded, NoReboot}) {
		t.Errorf("RebootOption %+v", p)
	}
	for _, name := range []string{"SnapshotId", "InstallOverrideList", "BaselineOverride"} {
		if p := params[name]; p.Default == nil || *p.Default != "" || p.AllowedPattern == "" {
			t.Errorf("%s %+v: optional, with a pattern", name, p)
		}
	}
	if strings.Contains(Content, `\u003c`) {
		t.Error("the script's < is escaped in the content")
	}
}

func TestParseSummary(t *testing.T) {
	p := host.PatchCounts{Installed: 3, Missing: 1, Security: 1}
	out := "root [INFO]: " + SummaryPrefix + host.PatchCounts{Installed: 9}.String() + "\nmore\nroot [INFO]: " + SummaryPrefix + p.String() + "\n"
	if got, err := ParseSummary(out); err != nil || got != p {
		t.Errorf("ParseSummary = %+v, %v; want the last summary %+v", got, err, p)
	}
	if _, err := ParseSummary("root [INFO]: Downloading payload from x\n"); !errors.Is(err, ErrNoSummary) {
		t.Errorf("no summary: %v", err)
	}
	if _, err := ParseSummary(SummaryPrefix + "Installed=1\n"); err == nil {
		t.Error("a partial summary was read")
	}
}
