package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/ssmsim"
)

// runCLI runs patchready with args and buffers, as Main would.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code = Run(ctx, ios, args)
	return code, out.String(), errOut.String()
}

// The demo's sample fleet holds nodes built to fail: when exactly those
// fail, the story ran as designed and the demo exits 0 (a newcomer's first
// command must not end in "exit status 3"); --strict gives the real code.
func TestDemoExitsZeroWhenTheStoryRanAsDesigned(t *testing.T) {
	code, out, errOut := runCLI(t, "demo")
	if code != ExitOK {
		t.Fatalf("demo exited %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitOK, out, errOut)
	}
	want := []string{
		// The plan: its summary, and each blocked node with its reason.
		"Plan: ",
		"Blocked (cannot be fixed through SSM):",
		"CentOS 6.3 is not supported: Patch Manager's prerequisites name CentOS 6.3 as not supported",
		"Raspbian GNU/Linux 9 is not supported: Patch Manager's prerequisites name Raspbian Stretch (9) as not supported",
		"Windows Server 2003 as not supported",
		"agent is ConnectionLost, not Online: SSM cannot reach the node",
		// The apply: the node that cannot get pip fails, with the reason.
		"fix step requests failed: pip is missing for /usr/bin/python2.7 and yum could not install",
		// The unmanaged instances: why each is not managed, what each fix
		// would do, one brought under management and updated in the same
		// run, and the one without an agent failing with the suspects.
		"Unmanaged EC2 instances (SSM does not manage them, so Patch Manager cannot see them):",
		"i-0c0ffee000000a002  profile-without-ssm  could fix: --fix-instance-role or --enable-dhmc",
		"stopped: nothing can register it with SSM until it runs",
		"~ --enable-dhmc (not asked for): would set",
		"✓ i-0c0ffee000000a001  agent 2.0.790.0 → 3.3.1142.0; SSM unmanaged → registered",
		"✗ i-0c0ffee000000a003  not registered with SSM within 15m0s after attach-instance-profile: likely SSM Agent not installed",
		"5 unmanaged (2 to bring under management)",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("demo output lacks %q", w)
		}
	}
	summary := regexp.MustCompile(`(?m)^Apply complete after [0-9hms.]+: [0-9]+ verified, [1-9][0-9]* failed, 0 timed out, 0 interrupted, 0 not started \(of [0-9]+ targeted\)\.$`)
	if !summary.MatchString(out) {
		t.Errorf("no apply summary line in:\n%s", out)
	}
	if !strings.Contains(errOut, "the demo ran as designed, so it exits 0") {
		t.Errorf("stderr lacks the exit code explanation:\n%s", errOut)
	}
	code, _, errOut = runCLI(t, "demo", "--strict")
	if code != ExitNotCompliant || !strings.Contains(errOut, "Exit code 3 (--strict)") {
		t.Errorf("demo --strict exited %d, want %d\n%s", code, ExitNotCompliant, errOut)
	}
	if strings.Contains(out+errOut, "secret") {
		t.Error("a proxy password was printed")
	}
}

// endpointSim serves a simulator of fl on 127.0.0.1 for commands given
// --endpoint-url, as a user's pipeline would. The simulator's clock runs
// 2,000 times faster than real time; the commands keep the real clock, so
// their poll intervals are given in real milliseconds.
func endpointSim(t *testing.T, fl ssmsim.Fleet) (*ssmsim.Server, []string) {
	t.Helper()
	sim := ssmsim.New(ssmsim.Options{Clock: clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 2000), Seed: 5,
		Fleets: map[string]ssmsim.Fleet{"*": fl}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	// No profile, shared file or instance metadata of the machine running
	// the tests may leak in.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL_SSM", "")
	return sim, []string{"--region", "us-east-1", "--endpoint-url", srv.URL, "--log-level", "warn"}
}

func ubuntu(id, agent string) ssmsim.Node {
	return ssmsim.Node{ID: id, PlatformType: "Linux", PlatformName: "Ubuntu", PlatformVersion: "22.04",
		AgentVersion: agent, Python: "/usr/bin/python3", Requests: "2.25.1"}
}

func endpointFleet() ssmsim.Fleet {
	lost := ubuntu("i-00000000000000e05", "2.0.790.0")
	lost.PingStatus = "ConnectionLost"
	return ssmsim.Fleet{Nodes: []ssmsim.Node{
		ubuntu("i-00000000000000e01", "2.0.790.0"), ubuntu("i-00000000000000e02", "2.0.672.0"),
		ubuntu("i-00000000000000e03", "2.0.790.0"), ubuntu("i-00000000000000e04", "3.3.1142.0"), lost,
	}}
}

// plan --out, show and apply PLANFILE, against a simulator through
// --endpoint-url, with the exit codes scripts rely on.
func TestPlanShowApplyPlanFile(t *testing.T) {
	sim, global := endpointSim(t, endpointFleet())
	dir := t.TempDir()
	file := filepath.Join(dir, "plan.json")
	stateDir := filepath.Join(dir, "state")
	args := func(a ...string) []string { return append(append([]string{}, a...), global...) }

	code, planOut, errOut := runCLI(t, args("plan", "--no-probe", "--out", file, "--detailed-exitcode")...)
	if code != ExitChanges {
		t.Fatalf("plan --detailed-exitcode exited %d, want %d\n%s", code, ExitChanges, errOut)
	}
	for _, w := range []string{"update-agent", "i-00000000000000e01", "agent is ConnectionLost, not Online", "Plan: "} {
		if !strings.Contains(planOut, w) {
			t.Errorf("plan output lacks %q:\n%s", w, planOut)
		}
	}
	if !strings.Contains(errOut, "Saved the plan to "+file) {
		t.Errorf("plan --out does not say where it saved:\n%s", errOut)
	}

	// show renders exactly what plan printed, from the file alone.
	code, showOut, errOut := runCLI(t, "show", file)
	if code != ExitOK || showOut != planOut {
		t.Errorf("show exited %d; output differs from plan's:\n--- plan\n%s\n--- show\n%s\n%s", code, planOut, showOut, errOut)
	}

	// The strategy is part of the reviewed plan: a different one is refused
	// before anything is created.
	code, _, errOut = runCLI(t, args("apply", file, "--strategy", "maintenance-window", "--state-dir", stateDir)...)
	if code != ExitError || !strings.Contains(errOut, "the plan was made with strategy association") {
		t.Errorf("apply PLANFILE --strategy maintenance-window exited %d, want %d with the reason:\n%s", code, ExitError, errOut)
	}
	if n := sim.Stats().Calls("CreateAssociation") + sim.Stats().Calls("CreateMaintenanceWindow"); n != 0 {
		t.Errorf("a refused apply created %d resources", n)
	}

	code, out, errOut := runCLI(t, args("apply", file, "--poll-interval", "20ms", "--timeout", "30s", "--state-dir", stateDir)...)
	if code != ExitOK {
		t.Fatalf("apply PLANFILE exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !regexp.MustCompile(`(?m)^Apply complete after .*: 3 verified, 0 failed, 0 timed out, 0 interrupted, 0 not started \(of 3 targeted\)\.$`).MatchString(out) {
		t.Errorf("apply summary:\n%s", out)
	}
	sim.WithRegion("us-east-1", func(r *ssmsim.Region) {
		for _, id := range []string{"i-00000000000000e01", "i-00000000000000e02", "i-00000000000000e03"} {
			if n, _ := r.Node(id); n.AgentVersion != ssmsim.DefaultLatestAgentVersion {
				t.Errorf("%s: agent %s after apply", id, n.AgentVersion)
			}
		}
	})

	// The same file again: every agent it planned for has changed.
	code, _, errOut = runCLI(t, args("apply", file, "--state-dir", stateDir)...)
	if code != ExitError || !strings.Contains(errOut, "Saved plan is stale") || !strings.Contains(errOut, "agent_version 2.0.790.0 → 3.3.1142.0") {
		t.Errorf("second apply of the file exited %d:\n%s", code, errOut)
	}
	code, _, errOut = runCLI(t, args("plan", "--no-probe", "--detailed-exitcode")...)
	if code != ExitOK {
		t.Errorf("plan --detailed-exitcode of a fixed fleet exited %d:\n%s", code, errOut)
	}

	// Plan-and-apply needs a yes it cannot ask for off a terminal.
	sim.WithRegion("us-east-1", func(r *ssmsim.Region) {
		r.UpdateNode("i-00000000000000e01", func(n *ssmsim.Node) { n.AgentVersion = "2.0.790.0" })
	})
	before := sim.Stats().Calls("CreateAssociation")
	code, out, errOut = runCLI(t, args("apply", "--no-probe", "--state-dir", stateDir)...)
	if code != ExitError || !strings.Contains(errOut, "refusing to apply without confirmation: stdin is not a terminal") {
		t.Errorf("apply without --auto-approve exited %d:\n%s", code, errOut)
	}
	if !strings.Contains(out, "i-00000000000000e01") {
		t.Errorf("the plan was not shown before refusing:\n%s", out)
	}
	if n := sim.Stats().Calls("CreateAssociation"); n != before {
		t.Errorf("an unapproved apply created %d associations", n-before)
	}
}

func TestApplyRejectsBadFlags(t *testing.T) {
	sim, global := endpointSim(t, endpointFleet())
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"--max-concurrency", "0"}, `--max-concurrency "0": use a number from 1, or a percentage from 1% to 100%`},
		{[]string{"--max-concurrency", "101%"}, `--max-concurrency "101%": use a number from 1, or a percentage from 1% to 100%`},
		{[]string{"--max-errors", "-1"}, `--max-errors "-1": use a number from 0, or a percentage from 0% to 100%`},
		{[]string{"--timeout", "-1s"}, "--timeout -1s: must be positive, e.g. 30m"},
		{[]string{"--poll-interval", "0s"}, "--poll-interval 0s: must be positive, e.g. 15s"},
		{[]string{"--poll-interval", "15s", "--max-poll-interval", "10s"}, "--max-poll-interval 10s: must be at least --poll-interval (15s)"},
		{[]string{"--max-targets", "0"}, `--max-targets "0": use a count (e.g. 200) or a percentage from 1% to 100%`},
		{[]string{"--max-targets", "150%"}, `--max-targets "150%": use a count (e.g. 200) or a percentage from 1% to 100%`},
		{[]string{"--window-duration", "2", "--window-cutoff", "2"}, "--window-cutoff 2: must be 0 or more and less than --window-duration (2)"},
		{[]string{"--resume", "yesterday"}, `--resume "yesterday": not a run ID`},
		{[]string{"-o", "markdown"}, `-o "markdown": apply reports in text or json`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := append(append([]string{"apply", "--auto-approve", "--no-probe"}, c.args...), global...)
			code, out, errOut := runCLI(t, args...)
			if code != ExitError {
				t.Errorf("exit %d, want %d", code, ExitError)
			}
			if !strings.Contains(errOut, "Error: "+c.msg) {
				t.Errorf("stderr:\n%s\nwant %q", errOut, c.msg)
			}
			if out != "" {
				t.Errorf("stdout not empty:\n%s", out)
			}
		})
	}
	// Every one of them was refused before any call to SSM.
	if n := sim.Stats().Total().Calls; n != 0 {
		t.Errorf("%d API calls for invalid flags", n)
	}
}
