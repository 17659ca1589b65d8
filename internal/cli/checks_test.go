package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/prereq"
)

// The README's prerequisite table is `patchready checks --markdown`, so a
// new or changed check cannot leave the README behind.
func TestREADMEPrerequisiteTableIsTheChecksOutput(t *testing.T) {
	code, out, errOut := runCLI(t, "checks", "--markdown")
	if code != 0 {
		t.Fatalf("checks --markdown: exit %d: %s", code, errOut)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- patchready checks --markdown -->\n", "<!-- end patchready checks -->"
	readme := string(raw)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README has no %q … %q section", strings.TrimSpace(begin), end)
	}
	if got := readme[i+len(begin) : j]; got != out {
		t.Errorf("README's prerequisite table differs from `patchready checks --markdown`; paste the command's output between the markers.\nREADME:\n%s\ncommand:\n%s", got, out)
	}
}

func TestChecksListsEveryCheckAndTheRulesInForce(t *testing.T) {
	code, out, errOut := runCLI(t, "checks", "--rules", "aws-current")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, c := range prereq.Checks() {
		if !strings.Contains(out, "\n  "+string(c.ID)+"\n") {
			t.Errorf("check %s not listed", c.ID)
		}
		for _, fact := range c.Facts {
			if !strings.Contains(out, fact) {
				t.Errorf("check %s: fact %s not listed", c.ID, fact)
			}
		}
		if c.Fix != nil && !strings.Contains(out, "fix "+string(c.Fix.Kind)+":") {
			t.Errorf("check %s: its fix %s not named", c.ID, c.Fix.Kind)
		}
	}
	for _, want := range []string{"Rules in force: aws-current", "Python 2.6 to 3.12", "Python 3 on Debian", "not supported: Amazon Linux 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestChecksShowsARulesFileOverride(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(file, []byte("extends: aws-current\nmin_agent_version: \"3.2.0.0\"\nvar_warn_mib: 2048\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "checks", "--rules-file", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"SSM Agent 3.2.0.0 or later", "below 2048 MiB free in /var", "Python 2.6 to 3.12"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, _, errOut = runCLI(t, "checks", "--rules", "nope")
	if code == 0 || !strings.Contains(errOut, "nope") {
		t.Errorf("unknown rules: exit %d, stderr %q; want an error naming them", code, errOut)
	}
}
