package scripttest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// needRoot skips (fails under PATCHREADY_CI=1) when mounts cannot be made.
func needRoot(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("unshare")
	if os.Geteuid() == 0 && err == nil {
		return
	}
	if os.Getenv("PATCHREADY_CI") == "1" {
		t.Fatalf("this test needs root and unshare in CI (euid %d, unshare: %v)", os.Geteuid(), err)
	}
	t.Skipf("needs root and unshare to mount a noexec filesystem (euid %d, unshare: %v)", os.Geteuid(), err)
}

// noexecWrap mounts a noexec tmpfs over the node's /var/lib/amazon in a
// private mount namespace, writes the script ($3) at $2 inside the node
// ($1), and runs the sandbox command that follows.
var noexecWrap = []string{"unshare", "-m", "sh", "-c", `set -e
mount -t tmpfs -o noexec,nosuid,nodev,mode=0755 patchready-noexec "$1/var/lib/amazon"
mkdir -p "$1$(dirname "$2")"
printf '%s' "$3" >"$1$2"
chmod 700 "$1$2"
shift 3
exec "$@"`, "sh"}

// TestWorkdirNoexec mounts the agent's work directory noexec for real.
// The agent runs a step as `sh -c <script in its work directory>`, so
// there the probe cannot run at all: the command ends with exit 126, which
// is what a noexec work directory looks like from SSM. Run from elsewhere
// (a changed orchestration directory), the probe reports the mount.
func TestWorkdirNoexec(t *testing.T) {
	needBwrap(t)
	needRoot(t)
	for _, shell := range shells {
		t.Run(shell, func(t *testing.T) {
			n := newNode(t, host.Spec{Preset: host.AmazonLinux2})
			res := n.run(t, probeScript(t), runOpts{shell: shell, realProc: true, wrap: noexecWrap})
			if res.code != 126 {
				t.Fatalf("agent-style run on a noexec work directory: exit %d, want 126; stdout %q stderr %q", res.code, res.stdout, res.stderr)
			}
			if !strings.Contains(res.stderr, "Permission denied") {
				t.Errorf("exit 126 without the kernel's refusal to execute: %q", res.stderr)
			}
			res = n.run(t, probeScript(t), runOpts{shell: shell, realProc: true, wrap: noexecWrap, scriptAt: "/root/probe.sh"})
			if res.code != 0 {
				t.Fatalf("probe exit %d: %s", res.code, res.stderr)
			}
			_, got := probeReport(t, res.stdout)
			checkFields(t, "probe", got, fields{"workdir_noexec": true, "python": "python2.7"})
		})
	}
	t.Run("control", func(t *testing.T) {
		// The same run without the mount reports no noexec: the field
		// comes from the mount, not from the test.
		n := newNode(t, host.Spec{Preset: host.AmazonLinux2})
		res := n.run(t, probeScript(t), runOpts{shell: "dash", realProc: true})
		_, got := probeReport(t, res.stdout)
		checkFields(t, "probe", got, fields{"workdir_noexec": false})
	})
}

// TestFixWritesNothingThroughTmp plants symbolic links in /tmp where a
// careless script would write (the old document's fixed log name among
// them) and checks the fix writes through none of them and leaves /tmp as
// it found it.
func TestFixWritesNothingThroughTmp(t *testing.T) {
	needBwrap(t)
	for _, shell := range shells {
		t.Run(shell, func(t *testing.T) {
			n := newNode(t, host.Spec{Preset: host.AmazonLinux2})
			planted := []string{"patchready-pip.log", "pip.log", "patchready.log", "patchready-fix.log", "steps.log"}
			for _, name := range planted {
				if err := os.Symlink("/etc/victim-"+name, filepath.Join(n.dir, "tmp", name)); err != nil {
					t.Fatal(err)
				}
			}
			before := listTmp(t, n)
			res := n.run(t, fixScript(t, "python,curl,requests", ""), runOpts{shell: shell})
			out := lines(res.stdout)
			if res.code != 0 || len(out) != 2 {
				t.Fatalf("fix exit %d: %q %q", res.code, res.stdout, res.stderr)
			}
			var rep struct {
				Steps []struct {
					Name, Detail string
					OK           bool
				}
			}
			if err := json.Unmarshal([]byte(out[0]), &rep); err != nil || len(rep.Steps) != 3 {
				t.Fatalf("fix report %q: %v", out[0], err)
			}
			if !strings.Contains(rep.Steps[2].Detail, "2.6.0 to 2.27.1") {
				t.Fatalf("requests step did not run pip: %+v", rep.Steps[2])
			}
			victims, _ := filepath.Glob(filepath.Join(n.dir, "etc", "victim-*"))
			if len(victims) != 0 {
				t.Errorf("the fix wrote through planted links: %v", victims)
			}
			if after := listTmp(t, n); !slices.Equal(before, after) {
				t.Errorf("/tmp before %v, after %v: the private directory was not removed", before, after)
			}
		})
	}
}

func listTmp(t *testing.T, n *node) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(n.dir, "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}
