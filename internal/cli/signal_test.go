package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/ssmsim"
)

// Issue #7: the real binary, interrupted by a real SIGINT while it applies.
// The first interrupt drains: agent updates already running are followed
// to their end, the requests upgrades that were to come after them do not
// start, and the run exits cleanly with a --resume hint. Resuming finishes
// the run; cleanup then removes what it made.
//
// The simulator runs in this process on 127.0.0.1 at 500x (the binary has
// no `sim serve` command yet, and an in-process simulator lets the test
// read its state). The binary keeps the real clock, so its poll interval
// is given in real milliseconds.
func TestApplyInterruptedBySIGINTResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it against a simulator")
	}
	if runtime.GOOS == "windows" {
		t.Skip("sends SIGINT")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()

	bin := filepath.Join(t.TempDir(), "patchready")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/patchready/patchready/cmd/patchready")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// Proxied Amazon Linux nodes needing both fixes: their requests
	// upgrade can only start after their agent update is read back, which
	// takes longer than the interrupt takes to arrive.
	var nodes []ssmsim.Node
	for i, id := range []string{"i-00000000000000d01", "i-00000000000000d02", "i-00000000000000d03"} {
		nodes = append(nodes, ssmsim.Node{ID: id, PlatformType: "Linux", PlatformName: "Amazon Linux AMI", PlatformVersion: "2018.03",
			AgentVersion: []string{"2.0.790.0", "2.0.672.0", "2.0.790.0"}[i], Python: "/usr/bin/python", Pip: "/usr/bin/pip", Requests: "2.6.0",
			Proxy: ssmsim.Proxy{URL: "http://proxy.corp.example:3128", Source: "upstart-override", NoProxy: "169.254.169.254"}})
	}
	nodes = append(nodes, ubuntu("i-00000000000000d04", "2.0.790.0"))
	sim := ssmsim.New(ssmsim.Options{Clock: clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 500), Seed: 9,
		Fleets: map[string]ssmsim.Fleet{"*": {Nodes: nodes}}})
	srv := httptest.NewServer(sim)
	defer srv.Close()

	home, stateDir := t.TempDir(), t.TempDir()
	env := append(os.Environ(),
		"HOME="+home, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_PROFILE=",
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "NO_COLOR=1")
	common := []string{"--endpoint-url", srv.URL, "--region", "us-east-1", "--state-dir", stateDir, "--poll-interval", "100ms", "--timeout", "30s"}
	cmd := func(args ...string) *exec.Cmd {
		c := exec.CommandContext(ctx, bin, args...)
		c.Env = env
		return c
	}

	// First run: interrupted once "created association" is logged.
	first := cmd(append([]string{"apply", "--auto-approve"}, common...)...)
	var stdout bytes.Buffer
	first.Stdout = &stdout
	pipe, err := first.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	var mu sync.Mutex
	signalled := make(chan struct{})
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pipe)
		once := sync.Once{}
		for sc.Scan() {
			mu.Lock()
			stderr.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.Contains(sc.Text(), "created association") {
				once.Do(func() {
					_ = first.Process.Signal(os.Interrupt)
					close(signalled)
				})
			}
		}
	}()
	<-scanned
	err = first.Wait()
	select {
	case <-signalled:
	default:
		t.Fatalf("no association was created; stderr:\n%s", stderr.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("first run: %v", err)
	}
	// Some nodes did not get their requests upgrade: exit 3, not a crash.
	if code := first.ProcessState.ExitCode(); code != ExitNotCompliant {
		t.Fatalf("interrupted run exited %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitNotCompliant, stdout.String(), stderr.String())
	}
	m := regexp.MustCompile(`Continue with: patchready apply --resume ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6})`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no --resume hint on stderr:\n%s", stderr.String())
	}
	runID := m[1]
	if !strings.Contains(stderr.String(), "Interrupt: no new work will start") {
		t.Errorf("the interrupt was not acknowledged:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "Interrupted while running in SSM") && !strings.Contains(stdout.String(), "Not started (interrupted") {
		t.Errorf("the report does not show the nodes left undone:\n%s", stdout.String())
	}
	createdBefore := sim.Stats().Snapshot()["CreateAssociation"].OK

	// Second run: resumed to the end.
	out, err := cmd(append([]string{"apply", "--resume", runID}, common...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("resumed run: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^Apply complete after .*: 4 verified, 0 failed, 0 timed out, 0 interrupted, 0 not started \(of 4 targeted\)\.$`).Match(out) {
		t.Errorf("resumed run's summary:\n%s", out)
	}
	if n := sim.Stats().Snapshot()["CreateAssociation"].OK; n != createdBefore {
		t.Errorf("the resumed run created %d more associations", n-createdBefore)
	}
	sim.WithRegion("us-east-1", func(r *ssmsim.Region) {
		for _, n := range r.Nodes() {
			if n.AgentVersion != ssmsim.DefaultLatestAgentVersion || (n.Proxy.URL != "" && n.Requests != "2.32.3") {
				t.Errorf("%s: agent %s, requests %s after the resumed run", n.ID, n.AgentVersion, n.Requests)
			}
		}
	})
	// The run is finished: resuming it again is refused.
	out, err = cmd(append([]string{"apply", "--resume", runID}, common...)...).CombinedOutput()
	if !errors.As(err, &exit) || exit.ExitCode() != ExitError || !strings.Contains(string(out), "already finished") {
		t.Errorf("resuming a finished run: %v\n%s", err, out)
	}

	// cleanup removes what the run made (its documents; the one-shot
	// association went when its nodes were verified).
	out, err = cmd("cleanup", "--endpoint-url", srv.URL, "--region", "us-east-1").CombinedOutput()
	if err != nil {
		t.Fatalf("cleanup: %v\n%s", err, out)
	}
	sc := sim.Stats().Snapshot()
	if sc["DeleteDocument"].OK == 0 {
		t.Errorf("cleanup deleted no document:\n%s", out)
	}
}
