//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Issue #15 item 5: plan --out refuses anything at its path that is not a
// regular file, leaves it as it was, and leaves no temporary file. Before,
// it renamed over whatever was there (as root, --out /dev/null replaced
// the device with a plan).
func TestPlanOutRefusesWhatIsNotARegularFile(t *testing.T) {
	_, global := endpointSim(t, endpointFleet())
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.json")
	if err := os.WriteFile(existing, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{
		"symbolic link": filepath.Join(dir, "link.json"),
		"directory":     filepath.Join(dir, "dir.json"),
		"named pipe":    filepath.Join(dir, "fifo.json"),
	}
	if err := os.Symlink(existing, paths["symbolic link"]); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(paths["directory"], 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(paths["named pipe"], 0o600); err != nil {
		t.Fatal(err)
	}
	for what, path := range paths {
		t.Run(what, func(t *testing.T) {
			before, _ := os.Lstat(path)
			code, out, errOut := runCLI(t, append([]string{"plan", "--no-probe", "--out", path}, global...)...)
			if code != ExitError || !strings.Contains(errOut, path+" is a "+what) || !strings.Contains(errOut, "refusing to replace it") {
				t.Errorf("exit %d, stderr:\n%s", code, errOut)
			}
			if out != "" {
				t.Errorf("a plan was printed although it was not saved:\n%s", out)
			}
			if after, _ := os.Lstat(path); after.Mode() != before.Mode() {
				t.Errorf("%s changed from %v to %v", what, before.Mode(), after.Mode())
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "{}" {
		t.Errorf("the link's target was written: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// A regular file is replaced, mode 0600.
	code, _, errOut := runCLI(t, append([]string{"plan", "--no-probe", "--out", existing}, global...)...)
	fi, _ := os.Stat(existing)
	if code != ExitOK || fi.Mode().Perm() != 0o600 || fi.Size() < 100 {
		t.Errorf("over a regular file: exit %d, mode %v, size %d\n%s", code, fi.Mode().Perm(), fi.Size(), errOut)
	}
}
