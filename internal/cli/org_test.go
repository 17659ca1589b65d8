package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	version "github.com/hashicorp/go-version"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
)

// orgSim is the sample organization (30 generated nodes in every account
// and region) served on 127.0.0.1, and the commands run against it as the
// management account, on the simulator's fast clock.
type orgSim struct {
	t   *testing.T
	sim *ssmsim.Server
	clk *clock.Scaled
	url string
}

func newOrgSim(t *testing.T, b ssmsim.Behaviour) *orgSim {
	t.Helper()
	clk := clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 1000)
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: 7, Behaviour: b,
		Organization: ssmsim.SampleOrganization(ssmsim.SampleOrgOptions{NodesPerTarget: 30})})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &orgSim{t: t, sim: sim, clk: clk, url: srv.URL}
}

// factory is a factory whose sessions reach the simulator as the
// management account's user.
func (o *orgSim) factory(stdout, stderr *bytes.Buffer) *Factory {
	f := NewFactory(&IOStreams{In: strings.NewReader(""), Out: stdout, ErrOut: stderr})
	f.Clock = o.clk
	f.Session = func(ctx context.Context) (*session, error) {
		calls := awsclient.NewCallCounter()
		c, cfg, err := awsclient.Client(ctx, awsclient.Config{
			Region: "us-east-1", EndpointURL: o.url, MaxBackoff: 20 * time.Millisecond,
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		}, calls.Options)
		if err != nil {
			return nil, err
		}
		return &session{ssm: c, region: "us-east-1", log: zap.NewNop(), calls: calls, cfg: cfg, endpoint: o.url, maxBackoff: 20 * time.Millisecond}, nil
	}
	return f
}

// run runs one command line and returns its exit code and streams.
func (o *orgSim) run(args ...string) (int, string, string) {
	o.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, o.factory(&out, &errOut), args)
	return code, out.String(), errOut.String()
}

// belowFloor counts, across the planned targets, the nodes the plan updates
// whose agent still reads below the floor in the simulator, leaving out the
// nodes built to fail.
func (o *orgSim) belowFloor(p plan.Plan) (left, updated int) {
	floor := version.Must(version.NewVersion(prereq.Default().MinAgentVersion))
	for _, np := range p.Nodes {
		if !np.HasAction(prereq.UpdateAgent) {
			continue
		}
		updated++
		o.sim.WithAccountRegion(np.Node.Account, np.Node.Region, func(r *ssmsim.Region) {
			n, ok := r.Node(np.Node.InstanceID)
			if !ok || n.Faults.UpdateFails || n.Faults.UpdateSkipped || n.Faults.OfflineAfterUpdate || n.Faults.Undeliverable {
				return
			}
			if v, err := version.NewVersion(n.AgentVersion); err != nil || v.LessThan(floor) {
				left++
			}
		})
	}
	return left, updated
}

var reRun = regexp.MustCompile(`(?:Applying|Resuming) run ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6})`)

func runIDOf(t *testing.T, stderr string) string {
	t.Helper()
	m := reRun.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no run ID in:\n%s", stderr)
	}
	return m[1]
}

var orgArgs = []string{"--org", "--regions", "us-east-1,eu-west-1"}

// with is the command more[0] with the flags base, then the rest of more.
func with(base []string, more ...string) []string {
	return append(append([]string{more[0]}, base...), more[1:]...)
}

// plan, apply (each strategy) and cleanup across the sample organization,
// from the command line: the broken account reported, every other node
// fixed and read back, exit code 4, and cleanup finds and removes every
// resource the run left (the associations were kept).
func TestOrgPlanApplyCleanupFromTheCommandLine(t *testing.T) {
	for _, strategy := range []string{"association", "maintenance-window", "run-command"} {
		t.Run(strategy, func(t *testing.T) {
			o := newOrgSim(t, ssmsim.Behaviour{})
			dir := t.TempDir()
			file, state := filepath.Join(dir, "plan.json"), filepath.Join(dir, "state")

			code, out, errOut := o.run(with(orgArgs, "plan", "--out", file, "--strategy", strategy)...)
			if code != ExitTargetFailed {
				t.Fatalf("plan exited %d, want %d\n%s\n%s", code, ExitTargetFailed, out, errOut)
			}
			for _, want := range []string{"patchready plan for 4 accounts, 2 regions (6 of 8 targets planned)",
				"333333333333  sandbox       us-east-1  -      -          -    -        FAILED (role)",
				"── 200000000001 (workload-001) · eu-west-1 ──",
				"✗ 333333333333 (sandbox) · us-east-1: cannot assume the role in account 333333333333: AccessDenied"} {
				if !strings.Contains(out, want) {
					t.Errorf("plan output lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errOut, "Leaving out account 444444444444 (legacy): the organization lists it SUSPENDED") {
				t.Errorf("the suspended account is not reported:\n%s", errOut)
			}
			p, err := plan.LoadFile(file)
			if err != nil {
				t.Fatal(err)
			}

			args := []string{"apply", file, "--state-dir", state, "--keep-associations", "--max-errors", "100%",
				"--max-concurrency", "50%", "--poll-interval", "10s", "--timeout", "3h"}
			// The maintenance window's schedule is left to patchready,
			// which opens it after its tasks are registered: a fixed time
			// on this fast fleet clock can pass while a loaded machine
			// registers them.
			code, out, errOut = o.run(args...)
			if code != ExitTargetFailed {
				t.Fatalf("apply exited %d, want %d\n%s\n%s", code, ExitTargetFailed, out, errOut)
			}
			for _, want := range []string{"Targets:", "FAILED (role)",
				"2 targets of 8 failed; the others ran (exit code 4)."} {
				if !strings.Contains(out, want) {
					t.Errorf("apply report lacks %q:\n%s", want, out)
				}
			}
			if left, updated := o.belowFloor(p); left != 0 || updated == 0 {
				t.Errorf("%d of %d nodes to update still below the floor", left, updated)
			}
			runID := runIDOf(t, errOut)

			code, out, errOut = o.run("cleanup", "--run-id", runID, "--state-dir", state)
			if code != ExitOK {
				t.Fatalf("cleanup exited %d\n%s\n%s", code, out, errOut)
			}
			if strategy != "run-command" && !strings.Contains(out, "removed ") {
				t.Errorf("cleanup removed nothing of a run that kept its associations:\n%s\n%s", out, errOut)
			}
			if !regexp.MustCompile(`started in [1-6] targets`).MatchString(errOut) {
				t.Errorf("cleanup did not read the run's targets from its journal:\n%s", errOut)
			}
			code, out, errOut = o.run("cleanup", "--run-id", runID, "--state-dir", state, "--dry-run")
			if code != ExitOK || !strings.Contains(errOut, "Nothing of patchready's to remove") {
				t.Errorf("after cleanup: exit %d\n%s\n%s", code, out, errOut)
			}
		})
	}
}

// An apply interrupted once it has started in the targets stays
// resumable; --resume finishes it in every target.
func TestOrgApplyResumeFromTheCommandLine(t *testing.T) {
	// Agent updates take 20 fleet minutes (1.2 s): the interrupt comes
	// while they run.
	o := newOrgSim(t, ssmsim.Behaviour{UpdateDelay: 20 * time.Minute})
	state := filepath.Join(t.TempDir(), "state")
	var out, errOut bytes.Buffer
	f := o.factory(&out, &errOut)
	done := make(chan int, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		done <- run(ctx, f, with(orgArgs, "apply", "--auto-approve", "--state-dir", state, "--max-errors", "100%",
			"--max-concurrency", "100%", "--poll-interval", "10s", "--timeout", "2h", "--shutdown-grace", "20s"))
	}()
	// Interrupt once associations exist: the first interrupt drains.
	deadline := time.Now().Add(30 * time.Second)
	for o.sim.Stats().Calls("CreateAssociation") < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	f.Shutdown.Signal(syscall.SIGINT)
	code := <-done
	runID := runIDOf(t, errOut.String())
	st, err := remedy.ReadJournal(remedy.JournalPath(state, runID))
	if err != nil {
		t.Fatal(err)
	}
	if st.Finished {
		t.Fatalf("the run finished before the interrupt took effect (exit %d)", code)
	}
	if code != ExitInterrupted || !strings.Contains(errOut.String(), "Continue it: patchready apply --resume "+runID) {
		t.Fatalf("interrupted apply exited %d\n%s", code, errOut.String())
	}
	created := o.sim.Stats().Calls("CreateAssociation")
	code, stdout, stderr := o.run("apply", "--resume", runID, "--state-dir", state, "--poll-interval", "10s", "--timeout", "2h")
	if code != ExitTargetFailed {
		t.Fatalf("resumed apply exited %d\n%s\n%s", code, stdout, stderr)
	}
	if n := o.sim.Stats().Calls("CreateAssociation"); n != created {
		t.Errorf("CreateAssociation went from %d to %d on resume", created, n)
	}
	p, err := plan.LoadFile(st.PlanFile)
	if err != nil {
		t.Fatal(err)
	}
	if left, updated := o.belowFloor(p); left != 0 || updated == 0 {
		t.Errorf("after resume, %d of %d nodes to update still below the floor\n%s\n%s", left, updated, stdout, stderr)
	}
	if st, _ := remedy.ReadJournal(remedy.JournalPath(state, runID)); !st.Finished || st.ExitCode != ExitTargetFailed {
		t.Errorf("resumed run: finished %v, exit %d", st.Finished, st.ExitCode)
	}
}

// heal --once across the organization: one cycle plans and fixes every
// reachable target, reports the broken account, exits 4.
func TestOrgHealOnce(t *testing.T) {
	o := newOrgSim(t, ssmsim.Behaviour{})
	state := t.TempDir()
	code, out, errOut := o.run(with(orgArgs, "heal", "--once", "--state-dir", state, "--interval", "1h", "--max-errors", "100%",
		"--poll-interval", "10s", "--timeout", "3h")...)
	if code != ExitTargetFailed {
		t.Fatalf("heal exited %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "2 targets failed (333333333333/eu-west-1, 333333333333/us-east-1)") {
		t.Errorf("heal line lacks the failed targets:\n%s", out)
	}
	// A second cycle finds nothing left to update in the reachable targets.
	code, out, errOut = o.run(with(orgArgs, "plan", "--out", filepath.Join(state, "after.json"))...)
	if code != ExitTargetFailed {
		t.Fatalf("plan after heal exited %d\n%s", code, errOut)
	}
	p, err := plan.LoadFile(filepath.Join(state, "after.json"))
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := o.belowFloor(p); left != 0 {
		t.Errorf("after heal, %d nodes that can be updated still need it:\n%s", left, out)
	}
}

// schedule install, show and remove in every account and region of the
// organization at once.
func TestOrgSchedule(t *testing.T) {
	o := newOrgSim(t, ssmsim.Behaviour{})
	code, out, errOut := o.run("schedule", "install", "--org", "--all-regions")
	if code != ExitTargetFailed {
		t.Fatalf("install exited %d\n%s\n%s", code, out, errOut)
	}
	for _, target := range []string{"111111111111/us-east-1", "111111111111/eu-west-1", "200000000001/af-south-1", "200000000002/eu-west-1"} {
		if !strings.Contains(out, "patchready-schedule-update-agent") || !strings.Contains(out, " in "+target+"\n") {
			t.Errorf("install output lacks %s:\n%s", target, out)
		}
	}
	if !strings.Contains(errOut, "333333333333/*: cannot assume the role") {
		t.Errorf("the broken account is not reported:\n%s", errOut)
	}
	code, out, _ = o.run("schedule", "show", "--accounts", "200000000001", "--all-regions")
	if code != ExitOK || strings.Count(out, "200000000001") != 6 || strings.Contains(out, "not installed") {
		t.Errorf("show exited %d:\n%s", code, out)
	}
	code, out, _ = o.run("schedule", "remove", "--org", "--all-regions", "--exclude-accounts", "333333333333")
	if code != ExitOK || strings.Count(out, "removed patchready-schedule-") != 14 {
		t.Errorf("remove exited %d, removed %d:\n%s", code, strings.Count(out, "removed patchready-schedule-"), out)
	}
}

// demo --org tells the story across the sample organization: the account
// without the role reported with what to do, every other account fixed;
// it exits 0 when only what the organization builds to fail failed, and
// --strict gives the real code, 4.
func TestDemoAcrossOrganization(t *testing.T) {
	code, out, errOut := runCLI(t, "demo", "--org", "--time-scale", "1000", "--log-level", "warn")
	if code != ExitOK {
		t.Fatalf("demo --org exited %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"patchready plan for 4 accounts, 2 regions (6 of 8 targets planned)",
		"✗ 333333333333 (sandbox) · us-east-1: not planned: cannot assume the role in account 333333333333: AccessDenied",
		"2 targets of 8 failed; the others ran (exit code 4).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	for _, account := range []string{"200000000001", "200000000002"} {
		if !regexp.MustCompile(account + `  workload-00[12]  (us-east|eu-west)-1  [1-9]\s+[1-9]\s+0\s+0\s+applied`).MatchString(out) {
			t.Errorf("account %s not fixed:\n%s", account, out)
		}
	}
	if !strings.Contains(errOut, "Leaving out account 444444444444 (legacy)") {
		t.Errorf("the suspended account is not reported:\n%s", errOut)
	}
	code, _, errOut = runCLI(t, "demo", "--org", "--strict", "--time-scale", "1000", "--log-level", "warn")
	if code != ExitTargetFailed {
		t.Errorf("demo --org --strict exited %d, want %d\n%s", code, ExitTargetFailed, errOut)
	}
}
