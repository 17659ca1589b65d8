package engine

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/probe"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
)

// simStart is the simulated time every end-to-end test starts at.
var simStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// timeScale is how much faster than real time the shared clock runs: a
// 90-second agent update takes 90 ms, a 30-minute timeout 1.8 s. It is
// kept moderate so that a slow machine running -race (where one HTTP
// round trip can take milliseconds, i.e. seconds of fleet time) still
// sees the fleet change slower than patchready polls it.
const timeScale = 1000

// env is one simulator served over HTTP on 127.0.0.1, a real SDK client
// pointed at it, and the clock they share.
type env struct {
	t     testing.TB
	sim   *ssmsim.Server
	api   *ssm.Client
	clk   *clock.Scaled
	calls *awsclient.CallCounter
	url   string
	log   *zap.Logger
}

func newEnv(t testing.TB, fl ssmsim.Fleet, mod func(*ssmsim.Options)) *env {
	t.Helper()
	return newEnvScaled(t, fl, timeScale, mod)
}

func newEnvScaled(t testing.TB, fl ssmsim.Fleet, scale float64, mod func(*ssmsim.Options)) *env {
	t.Helper()
	clk := clock.NewScaled(simStart, scale)
	opts := ssmsim.Options{Clock: clk, Seed: 11, Fleets: map[string]ssmsim.Fleet{"*": fl}}
	if mod != nil {
		mod(&opts)
	}
	sim := ssmsim.New(opts)
	srv := httptest.NewServer(sim) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	e := &env{t: t, sim: sim, clk: clk, url: srv.URL, log: testLogger(t)}
	e.api, e.calls = e.client()
	return e
}

// testLogger writes warnings and errors to the test log; info lines
// (every node settling) would drown the output of a failing test.
func testLogger(t testing.TB) *zap.Logger {
	return zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
}

// client builds an SSM client the way the CLI does, with patchready's
// retry policy, backoff capped low so that throttling costs milliseconds.
func (e *env) client(optFns ...func(*ssm.Options)) (*ssm.Client, *awsclient.CallCounter) {
	e.t.Helper()
	calls := awsclient.NewCallCounter()
	api, _, err := awsclient.Client(context.Background(), awsclient.Config{
		Region: "us-east-1", EndpointURL: e.url,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		MaxBackoff:  50 * time.Millisecond,
	}, append([]func(*ssm.Options){calls.Options}, optFns...)...)
	if err != nil {
		e.t.Fatalf("SDK client: %v", err)
	}
	return api, calls
}

func (e *env) plan(ctx context.Context, st plan.Strategy) plan.Plan {
	e.t.Helper()
	p, err := MakePlan(ctx, e.api, e.planInput(st))
	if err != nil {
		e.t.Fatalf("MakePlan: %v", err)
	}
	return p
}

func (e *env) planInput(st plan.Strategy) PlanInput {
	return PlanInput{
		Rules: prereq.Default(), Strategy: st, Probe: true, Region: "us-east-1",
		ToolVersion: "test", RunID: "plan-run", Clock: e.clk, Logger: e.log,
		// The probe's bound is generous in fleet time: the simulator runs the
		// real scripts, and on a loaded machine their real CPU time is
		// minutes of a fast fleet clock.
		ProbeOptions: probe.Options{PollInterval: 2 * time.Second, MaxPollInterval: 10 * time.Second, Timeout: 2 * time.Hour},
	}
}

// applyInput is an apply of p with small poll intervals in fleet time.
func (e *env) applyInput(p plan.Plan, runID, stateDir string) ApplyInput {
	// The window's schedule is left to the strategy, which opens it two
	// fleet minutes after its tasks are registered, however long that took.
	return ApplyInput{
		Plan: p, RunID: runID, StateDir: stateDir,
		MaxConcurrency: "50%", MaxErrors: "100%",
		Window: remedy.WindowOptions{Duration: 2, Cutoff: 1},
		Clock:  e.clk, PollInterval: 10 * time.Second, MaxPollInterval: 30 * time.Second,
		Timeout: 45 * time.Minute, OfflineGrace: 5 * time.Minute,
		Logger: e.log,
	}
}

// node reads a node's current state in the simulator.
func (e *env) node(id string) ssmsim.Node {
	e.t.Helper()
	var n ssmsim.Node
	var ok bool
	e.sim.WithRegion("us-east-1", func(r *ssmsim.Region) { n, ok = r.Node(id) })
	if !ok {
		e.t.Fatalf("node %s not in the simulator", id)
	}
	return n
}

func (e *env) updateNode(id string, fn func(*ssmsim.Node)) {
	e.t.Helper()
	var ok bool
	e.sim.WithRegion("us-east-1", func(r *ssmsim.Region) { ok = r.UpdateNode(id, fn) })
	if !ok {
		e.t.Fatalf("node %s not in the simulator", id)
	}
}

// associations lists every association in the simulator through a
// separate client (not the one under test, whose call counts matter).
func (e *env) associations(ctx context.Context) []types.Association {
	e.t.Helper()
	api, _ := e.client()
	var out []types.Association
	p := ssm.NewListAssociationsPaginator(api, &ssm.ListAssociationsInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			e.t.Fatalf("list associations: %v", err)
		}
		out = append(out, page.Associations...)
	}
	return out
}

// windows lists every maintenance window in the simulator.
func (e *env) windows(ctx context.Context) []types.MaintenanceWindowIdentity {
	e.t.Helper()
	api, _ := e.client()
	var out []types.MaintenanceWindowIdentity
	p := ssm.NewDescribeMaintenanceWindowsPaginator(api, &ssm.DescribeMaintenanceWindowsInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			e.t.Fatalf("describe maintenance windows: %v", err)
		}
		out = append(out, page.WindowIdentities...)
	}
	return out
}

// liveIDs returns the IDs of patchready's associations and windows that
// exist in the simulator, as "type/id".
func (e *env) liveIDs(ctx context.Context) map[string]bool {
	out := map[string]bool{}
	for _, a := range e.associations(ctx) {
		if strings.HasPrefix(aws.ToString(a.AssociationName), remedy.NamePrefix) {
			out[remedy.ResourceAssociation+"/"+aws.ToString(a.AssociationId)] = true
		}
	}
	for _, w := range e.windows(ctx) {
		if strings.HasPrefix(aws.ToString(w.Name), remedy.NamePrefix) {
			out[remedy.ResourceWindow+"/"+aws.ToString(w.WindowId)] = true
		}
	}
	return out
}

// duplicates counts, per deterministic name, the associations or windows
// beyond the first that carry it.
func (e *env) duplicates(ctx context.Context) int {
	seen := map[string]int{}
	for _, a := range e.associations(ctx) {
		seen["a/"+aws.ToString(a.AssociationName)]++
	}
	for _, w := range e.windows(ctx) {
		seen["w/"+aws.ToString(w.Name)]++
	}
	dups := 0
	for name, n := range seen {
		if n > 1 {
			e.t.Errorf("%d resources named %s", n, name)
			dups += n - 1
		}
	}
	return dups + e.doubleCommands()
}

// journalLive returns the journal's live associations and windows, as
// "type/id" (commands and window targets/tasks are not listed: commands
// cannot be deleted, and targets and tasks go with their window).
func journalLive(t testing.TB, path string) map[string]bool {
	t.Helper()
	st, err := remedy.ReadJournal(path)
	if err != nil {
		t.Fatalf("read journal: %v", err)
	}
	out := map[string]bool{}
	for _, r := range st.Live {
		if r.Type == remedy.ResourceAssociation || r.Type == remedy.ResourceWindow {
			out[r.Type+"/"+r.ID] = true
		}
	}
	return out
}

// outcomes maps each node of a report to "state: reason".
func outcomes(r converge.Report) map[string]converge.Outcome {
	out := map[string]converge.Outcome{}
	for _, o := range r.Outcomes {
		out[o.InstanceID] = o
	}
	return out
}

func formatReport(r converge.Report) string {
	var b strings.Builder
	ids := make([]string, 0, len(r.Outcomes))
	byID := outcomes(r)
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		o := byID[id]
		fmt.Fprintf(&b, "  %s %s: %s (agent %s → %s)\n", id, o.State, o.Reason, o.AgentBefore, o.AgentAfter)
	}
	return b.String()
}

// targeted returns the IDs of the plan's nodes that have actions.
func targeted(p plan.Plan) []string {
	var out []string
	for _, np := range p.Nodes {
		if len(np.Actions) > 0 {
			out = append(out, np.Node.InstanceID)
		}
	}
	return out
}

func ceilDiv(n, d int) int { return (n + d - 1) / d }

// testCtx bounds a test's work in real time, so a bug shows as a failure
// rather than a hung test binary.
func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// made returns how many calls of op the client under test made (each may
// have taken several attempts). Tests count calls here rather than at the
// simulator: the SDK retries a 200 whose body read fails with "use of
// closed network connection" (aws/aws-sdk-go-v2#1825, seen under -race), so
// the server may count an attempt more than the calls the code made.
func (e *env) made(op string) int { return e.calls.Snapshot()[op].Calls }

// savePlan saves p as `plan --out` does and loads it back as `apply FILE`
// does: the file's path, and the plan as read from it.
func savePlan(t *testing.T, p plan.Plan) (string, plan.Plan) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "plan.json")
	if err := plan.SaveFile(file, p); err != nil {
		t.Fatal(err)
	}
	saved, err := plan.LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return file, saved
}
