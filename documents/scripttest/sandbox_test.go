package scripttest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// hostTools are the real programs the scripts and stubs use, bound
// read-only into the sandbox at /usr/bin. Everything a node model decides
// (python, package managers, curl, wget, which, pgrep, df) is a stub in
// the tree instead.
var hostTools = []string{"cat", "sed", "awk", "grep", "tr", "head", "tail", "cut", "sort", "wc",
	"mktemp", "rm", "mkdir", "chmod", "cp", "ln", "dirname", "basename", "env", "sleep", "ls",
	"touch", "mv", "id", "uname", "tee", "expr", "stat", "readlink"}

// shells are the shells every script runs under, bound at /usr/bin/sh so
// that the stubs' #!/bin/sh runs them too. bash started as sh is bash in
// POSIX mode, as /bin/sh is on Amazon Linux and RHEL.
var shells = []string{"dash", "bash"}

const (
	testRegion   = "us-east-1"
	testInstance = "i-0123456789abcdef0"
)

// needBwrap returns the bwrap path, or skips (fails under PATCHREADY_CI=1).
func needBwrap(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("bwrap")
	if err != nil {
		if os.Getenv("PATCHREADY_CI") == "1" {
			t.Fatalf("bwrap is required in CI (apt-get install -y bubblewrap): %v", err)
		}
		t.Skip("bwrap not installed (apt-get install -y bubblewrap): scripts not run")
	}
	return p
}

// resolved is a host program's real path.
func resolved(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("host tool %s: %v", name, err)
	}
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatalf("host tool %s: %v", name, err)
	}
	return r
}

// node is a materialized simulated node.
type node struct {
	h   *host.Host
	dir string
}

func newNode(t *testing.T, spec host.Spec) *node {
	t.Helper()
	h, err := spec.Build()
	if err != nil {
		t.Fatal(err)
	}
	return hostNode(t, h)
}

// hostNode materializes h.
func hostNode(t *testing.T, h *host.Host) *node {
	t.Helper()
	dir := t.TempDir()
	if err := h.Tree().Materialize(dir); err != nil {
		t.Fatal(err)
	}
	return &node{h: h, dir: dir}
}

// result is how one script run ended.
type result struct {
	stdout, stderr string
	code           int
}

// runOpts change how a script runs.
type runOpts struct {
	shell string
	// realProc mounts a real procfs instead of the tree's fake /proc.
	realProc bool
	// wrap, when set, runs the bwrap command line through this prefix
	// (unshare -m sh -c ...) with the node's directory as $1.
	wrap []string
	// scriptAt is where the script is written inside the node; the agent's
	// orchestration directory when empty.
	scriptAt string
}

// agentScriptPath is where the agent writes a runShellScript step's script.
const agentScriptPath = "/var/lib/amazon/ssm/" + testInstance + "/document/orchestration/cmd-0001/awsrunShellScript/_script.sh"

// run runs script in the node as the agent does: written to its
// orchestration directory and started as `sh -c <file>`, with the agent's
// environment.
func (n *node) run(t *testing.T, script string, o runOpts) result {
	t.Helper()
	bwrap := needBwrap(t)
	at := o.scriptAt
	if at == "" {
		at = agentScriptPath
	}
	if o.wrap == nil {
		dst := filepath.Join(n.dir, at)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"--unshare-all", "--die-with-parent", "--bind", n.dir, "/", "--dev", "/dev"}
	if o.realProc {
		args = append(args, "--proc", "/proc")
	}
	libs, _ := filepath.Glob("/usr/lib/*-linux-gnu")
	for _, l := range libs {
		args = append(args, "--ro-bind", l, l)
	}
	loaders, _ := filepath.Glob("/lib64/ld-linux*.so*")
	for _, l := range loaders {
		args = append(args, "--ro-bind", resolved(t, l), "/usr/lib64/"+filepath.Base(l))
	}
	if _, err := os.Stat("/etc/ld.so.cache"); err == nil {
		args = append(args, "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache")
	}
	// The host's program directories are bound read-only once under
	// /.host, and the tree links each tool to its program there: one bind
	// per directory starts the sandbox in milliseconds, where one bind per
	// program took most of a second.
	bound := map[string]bool{}
	link := func(name, target string) {
		dir := filepath.Dir(target)
		if !bound[dir] {
			bound[dir] = true
			args = append(args, "--ro-bind", dir, "/.host"+dir)
		}
		dst := filepath.Join(n.dir, "usr/bin", name)
		_ = os.Remove(dst)
		if err := os.Symlink("/.host"+target, dst); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range hostTools {
		link(tool, resolved(t, tool))
	}
	link("sh", resolved(t, o.shell))
	link(o.shell, resolved(t, o.shell))
	args = append(args, "--clearenv")
	for _, kv := range n.h.CommandEnv(testRegion, testInstance) {
		k, v, _ := strings.Cut(kv, "=")
		args = append(args, "--setenv", k, v)
	}
	args = append(args, "--chdir", "/", "/usr/bin/sh", "-c", at)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if o.wrap != nil {
		// The wrapper writes the script itself, after its mounts.
		full := append(append([]string{}, o.wrap[1:]...), n.dir, at, script, bwrap)
		cmd = exec.CommandContext(ctx, o.wrap[0], append(full, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, bwrap, args...)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run bwrap: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("script did not finish within the test's bound: %s", errb.String())
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}
