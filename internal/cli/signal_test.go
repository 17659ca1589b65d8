package cli

import (
	"bufio"
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
)

// Issue #15 item 1: the real binary, stopped by real signals while it
// applies. The simulator runs in this process on 127.0.0.1 so that the
// test can read its state and move its clock; the binary keeps the real
// clock, so its poll interval is in real seconds.

// jumpClock is a scaled clock the test can move forward at once, so that
// work the simulator would take minutes to finish is done by the next
// call.
type jumpClock struct {
	*clock.Scaled
	mu     sync.Mutex
	offset time.Duration
}

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Scaled.Now().Add(c.offset)
}

func (c *jumpClock) jump(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// signalSim serves fl on 127.0.0.1 on a clock scale times faster than real
// time.
func signalSim(t *testing.T, fl ssmsim.Fleet, scale float64) (*ssmsim.Server, *jumpClock, string) {
	t.Helper()
	clk := &jumpClock{Scaled: clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), scale)}
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: 9, Fleets: map[string]ssmsim.Fleet{"*": fl}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, clk, srv.URL
}

// binaryEnv keeps the machine's own AWS setup out of the binary's way:
// no AWS_* variable of the machine's, empty shared files, no instance
// metadata. (Unset rather than empty: the AWS CLI reads an empty
// AWS_PROFILE as a profile named "".)
func binaryEnv(t *testing.T) []string {
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "NO_COLOR=") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+home, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "NO_COLOR=1")
}

// proc is a running binary whose stderr the test reads line by line.
type proc struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	mu     sync.Mutex
	stderr strings.Builder
	seen   chan struct{} // pinged on every stderr line
	done   chan struct{}
	err    error
	exited time.Time
}

func startBinary(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(testBinary(t), args...), seen: make(chan struct{}, 1), done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout = &p.stdout
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.seen <- struct{}{}:
			default:
			}
		}
		p.err = p.cmd.Wait()
		p.exited = time.Now()
		close(p.done)
	}()
	return p
}

func (p *proc) errText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// waitFor waits until stderr contains s, the process exits or timeout
// passes; it reports whether s was seen.
func (p *proc) waitFor(s string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		if strings.Contains(p.errText(), s) {
			return true
		}
		select {
		case <-p.seen:
		case <-p.done:
			return strings.Contains(p.errText(), s)
		case <-deadline:
			return false
		}
	}
}

// exit waits for the process to end and returns its exit code and when it
// ended; ok is false when it did not end within timeout.
func (p *proc) exit(timeout time.Duration) (code int, at time.Time, ok bool) {
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode(), p.exited, true
	case <-time.After(timeout):
		return 0, time.Time{}, false
	}
}

func skipUnlessSignals(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and sends it signals")
	}
	if runtime.GOOS == "windows" {
		t.Skip("sends POSIX signals")
	}
}

var (
	reContinue = regexp.MustCompile(`(?m)^  Continue it: (patchready apply --resume ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6})[^\n]*)$`)
	reUndo     = regexp.MustCompile(`(?m)^  Or undo it:  (patchready cleanup --run-id ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6})[^\n]*)$`)
)

// argsOf turns a hint line into the binary's arguments. The hint quotes
// for a shell; the values in these tests need no quotes.
func argsOf(t *testing.T, line string) []string {
	t.Helper()
	f := strings.Fields(line)
	if f[0] != "patchready" || strings.ContainsAny(line, `'"`) {
		t.Fatalf("unexpected hint %q", line)
	}
	return f[1:]
}

// One SIGTERM in the middle of an apply to a 20,000-node fleet: the apply
// stops starting work at once, prints the run ID and the exact commands
// that continue or undo it, and exits 143 within --shutdown-grace, even
// though the agent updates it started would take minutes more. The journal
// stays resumable; the printed resume command finishes the run, and no
// association is ever created twice.
func TestSIGTERMStopsA20000NodeApplyWithinGrace(t *testing.T) {
	skipUnlessSignals(t)
	sim, clk, url := signalSim(t, ssmsim.Generate(20000, 3), 20)
	env := binaryEnv(t)
	stateDir := t.TempDir()
	const grace = 3 * time.Second
	common := []string{"--endpoint-url", url, "--region", "us-east-1", "--state-dir", stateDir, "--poll-interval", "1s"}

	first := startBinary(t, env, append([]string{"apply", "--auto-approve", "--no-probe", "--shutdown-grace", grace.String()}, common...)...)
	if !first.waitFor("created association", 3*time.Minute) {
		t.Fatalf("no association was created; stderr:\n%s", first.errText())
	}
	sent := time.Now()
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, exited, ok := first.exit(time.Minute)
	if !ok {
		t.Fatalf("still running a minute after SIGTERM; stderr:\n%s", first.errText())
	}
	took := exited.Sub(sent)
	t.Logf("SIGTERM to exit: %.1f s (grace %s)", took.Seconds(), grace)
	stderr := first.errText()
	if code != 143 {
		t.Errorf("exit code %d after SIGTERM, want 143\nstderr:\n%s", code, stderr)
	}
	// The margin covers the work that honours cancellation (an API call in
	// flight, the journal's last sync) on a loaded machine.
	if limit := grace + 7*time.Second; took > limit {
		t.Errorf("exited %.1f s after SIGTERM, want within the grace of %s plus a margin (%s)", took.Seconds(), grace, limit)
	}
	m, u := reContinue.FindStringSubmatch(stderr), reUndo.FindStringSubmatch(stderr)
	if m == nil || u == nil || m[2] != u[2] {
		t.Fatalf("no resume and undo hints for one run on stderr:\n%s", stderr)
	}
	runID := m[2]
	if !regexp.MustCompile(`(?m)^Applying run ` + runID + `: \d+ nodes to fix; journal `).MatchString(stderr) {
		t.Errorf("the run ID was not announced when the apply started:\n%s", stderr)
	}
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, "patchready cleanup") && !strings.Contains(line, "patchready cleanup --run-id "+runID) {
			// It would also remove what schedule install and other runs made.
			t.Errorf("a cleanup not limited to the run was suggested: %q", line)
		}
	}
	// The apply stops by itself within the grace: the round in progress
	// ends, the journal is synced, and the nodes whose work runs in SSM
	// are reported interrupted. (Had it not, the grace would end it.)
	if !strings.Contains(stderr, "Terminated (SIGTERM): no new work will start") {
		t.Errorf("the signal was not acknowledged:\n%s", stderr)
	}
	if !strings.Contains(first.stdout.String(), "Interrupted while running in SSM") {
		t.Errorf("the report does not show the nodes left running:\n%s", tail(first.stdout.String(), 20))
	}
	st, err := remedy.ReadJournal(remedy.JournalPath(stateDir, runID))
	if err != nil || st.Finished {
		t.Fatalf("journal after SIGTERM: finished %v, %v; want a resumable run", st.Finished, err)
	}
	p, err := plan.LoadFile(st.PlanFile)
	if err != nil {
		t.Fatal(err)
	}
	batches := 0
	for _, b := range p.Batches {
		if b.IsAgentUpdate() {
			batches++
		}
	}

	// The updates the first run started finish while nobody watches.
	clk.jump(3 * time.Hour)
	resumed := startBinary(t, env, argsOf(t, m[1])...)
	code, _, ok = resumed.exit(5 * time.Minute)
	out := resumed.stdout.String()
	if !ok || (code != ExitOK && code != ExitNotCompliant) {
		t.Fatalf("resumed run: exit %d (ended %v)\nstdout tail:\n%s\nstderr:\n%s", code, ok, tail(out, 20), tail(resumed.errText(), 40))
	}
	if !regexp.MustCompile(`(?m)^Apply complete after .*: \d+ verified, \d+ failed, 0 timed out, 0 interrupted, 0 not started \(of \d+ targeted\)\.$`).MatchString(out) {
		t.Errorf("resumed run's summary:\n%s", tail(out, 5))
	}
	if n := sim.Stats().Snapshot()["CreateAssociation"].OK; n != batches {
		t.Errorf("%d associations created over both runs for %d update-agent batches: some were created twice", n, batches)
	}
}

// heal --once stops the same way: exit 143 within the grace, with the
// cycle's run ID announced at its start and a cleanup for exactly it.
func TestSIGTERMStopsHealOnceWithinGrace(t *testing.T) {
	skipUnlessSignals(t)
	_, _, url := signalSim(t, ssmsim.Generate(2000, 4), 20)
	const grace = 2 * time.Second
	h := startBinary(t, binaryEnv(t), "heal", "--once", "--no-probe", "--shutdown-grace", grace.String(), "--interval", "1h",
		"--endpoint-url", url, "--region", "us-east-1", "--state-dir", t.TempDir(), "--poll-interval", "1s")
	if !h.waitFor("created association", 2*time.Minute) {
		t.Fatalf("no association was created; stderr:\n%s", h.errText())
	}
	sent := time.Now()
	if err := h.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, exited, ok := h.exit(time.Minute)
	if !ok {
		t.Fatalf("heal still running a minute after SIGTERM; stderr:\n%s", h.errText())
	}
	took := exited.Sub(sent)
	t.Logf("heal --once: SIGTERM to exit: %.1f s (grace %s)", took.Seconds(), grace)
	stderr := h.errText()
	if code != 143 {
		t.Errorf("exit code %d, want 143\nstderr:\n%s", code, stderr)
	}
	if limit := grace + 7*time.Second; took > limit {
		t.Errorf("exited %.1f s after SIGTERM, want within %s", took.Seconds(), limit)
	}
	started := regexp.MustCompile(`(?m)^Heal cycle ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}) started\.$`).FindStringSubmatch(stderr)
	if started == nil {
		t.Fatalf("the cycle's run ID was not announced at its start:\n%s", stderr)
	}
	if !strings.Contains(stderr, "Heal cycle "+started[1]+" is not finished") || !strings.Contains(stderr, "To undo this cycle: patchready cleanup --run-id "+started[1]) {
		t.Errorf("no hint for cycle %s:\n%s", started[1], stderr)
	}
}

// The second signal does not wait for the grace: the process exits at
// once, still with the hint and the first signal's code.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	skipUnlessSignals(t)
	_, _, url := signalSim(t, ssmsim.Generate(2000, 5), 20)
	a := startBinary(t, binaryEnv(t), "apply", "--auto-approve", "--no-probe", "--shutdown-grace", "5m",
		"--endpoint-url", url, "--region", "us-east-1", "--state-dir", t.TempDir(), "--poll-interval", "1s")
	if !a.waitFor("created association", 2*time.Minute) {
		t.Fatalf("no association was created; stderr:\n%s", a.errText())
	}
	if err := a.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if !a.waitFor("Interrupt (SIGINT): no new work will start", 30*time.Second) {
		t.Fatalf("the first SIGINT was not acknowledged:\n%s", a.errText())
	}
	sent := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code, exited, ok := a.exit(30 * time.Second)
	if !ok {
		t.Fatalf("still running after the second SIGINT (grace 5m); stderr:\n%s", a.errText())
	}
	t.Logf("second SIGINT to exit: %.2f s", exited.Sub(sent).Seconds())
	if code != 130 {
		t.Errorf("exit code %d, want 130", code)
	}
	if took := exited.Sub(sent); took > 3*time.Second {
		t.Errorf("exited %.1f s after the second signal; want at once", took.Seconds())
	}
	stderr := a.errText()
	if !strings.Contains(stderr, "Interrupt (SIGINT) again: stopping at once.") || strings.Count(stderr, "  Continue it: patchready apply --resume ") < 2 {
		t.Errorf("want the hint at each signal:\n%s", stderr)
	}
}

// A drained apply whose running work reports within the grace: the agent
// updates already running are followed to their end, the requests
// upgrades that were to come after them do not start, and the run exits
// 130 with the hint. Resuming finishes the run; cleanup --run-id then
// removes what it made.
func TestApplyInterruptedBySIGINTResumes(t *testing.T) {
	skipUnlessSignals(t)
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
	sim, _, url := signalSim(t, ssmsim.Fleet{Nodes: nodes}, 500)
	env := binaryEnv(t)
	stateDir := t.TempDir()
	common := []string{"--endpoint-url", url, "--region", "us-east-1", "--state-dir", stateDir, "--poll-interval", "100ms", "--timeout", "30s"}

	first := startBinary(t, env, append([]string{"apply", "--auto-approve"}, common...)...)
	if !first.waitFor("created association", 45*time.Second) {
		t.Fatalf("no association was created; stderr:\n%s", first.errText())
	}
	if err := first.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code, _, ok := first.exit(45 * time.Second)
	stderr := first.errText()
	if !ok || code != 130 {
		t.Fatalf("interrupted run exited %d (ended %v), want 130\nstdout:\n%s\nstderr:\n%s", code, ok, first.stdout.String(), stderr)
	}
	m := reContinue.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no --resume hint on stderr:\n%s", stderr)
	}
	runID := m[2]
	if !strings.Contains(first.stdout.String(), "Interrupted while running in SSM") {
		t.Errorf("the report does not show the nodes left running:\n%s", first.stdout.String())
	}
	createdBefore := sim.Stats().Snapshot()["CreateAssociation"].OK

	// Second run: the printed command resumes it to the end.
	resumed := startBinary(t, env, argsOf(t, m[1])...)
	if code, _, ok := resumed.exit(45 * time.Second); !ok || code != ExitOK {
		t.Fatalf("resumed run: exit %d (ended %v)\n%s\n%s", code, ok, resumed.stdout.String(), resumed.errText())
	}
	if !regexp.MustCompile(`(?m)^Apply complete after .*: 4 verified, 0 failed, 0 timed out, 0 interrupted, 0 not started \(of 4 targeted\)\.$`).MatchString(resumed.stdout.String()) {
		t.Errorf("resumed run's summary:\n%s", resumed.stdout.String())
	}
	if n := sim.Stats().Snapshot()["CreateAssociation"].OK; n != createdBefore {
		t.Errorf("the resumed run created %d more associations", n-createdBefore)
	}
	sim.WithRegion("us-east-1", func(r *ssmsim.Region) {
		for _, n := range r.Nodes() {
			if n.AgentVersion != ssmsim.DefaultLatestAgentVersion || (n.Proxy.URL != "" && n.Requests != "2.27.1") {
				t.Errorf("%s: agent %s, requests %s after the resumed run", n.ID, n.AgentVersion, n.Requests)
			}
		}
	})
	// The run is finished: resuming it again is refused.
	again := startBinary(t, env, argsOf(t, m[1])...)
	if code, _, _ := again.exit(45 * time.Second); code != ExitError || !strings.Contains(again.errText(), "already finished") {
		t.Errorf("resuming a finished run: exit %d\n%s", code, again.errText())
	}

	// The printed undo removes what the run made (its documents; the
	// one-shot association went when its nodes were verified).
	u := reUndo.FindStringSubmatch(stderr)
	if u == nil || u[2] != runID {
		t.Fatalf("no cleanup hint for run %s:\n%s", runID, stderr)
	}
	undo := startBinary(t, env, argsOf(t, u[1])...)
	if code, _, _ := undo.exit(45 * time.Second); code != ExitOK {
		t.Fatalf("cleanup: exit %d\n%s", code, undo.errText())
	}
	if sim.Stats().Snapshot()["DeleteDocument"].OK == 0 {
		t.Errorf("cleanup --run-id deleted no document:\n%s", undo.stdout.String())
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
