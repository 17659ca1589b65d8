package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/probe"
	"github.com/patchready/patchready/internal/ssmsim"
)

const region = "us-east-1"

// Run plans and applies against a simulated fleet built from sc and returns
// the figures. With sc.PlanOnly it stops after saving the plan file.
func Run(ctx context.Context, sc Scenario) (Result, error) {
	sc = sc.withDefaults()
	if err := sc.validate(); err != nil {
		return Result{}, err
	}
	log := sc.Logger
	if log == nil {
		log = zap.NewNop()
	}
	pr := prereq.Default()
	clk := clock.NewScaled(time.Now(), sc.TimeScale)

	var (
		endpoint string
		sim      *ssmsim.Server
		answers  *answerLog
	)
	if sc.External {
		ext, err := startExternalSim(ctx, sc)
		if err != nil {
			return Result{}, err
		}
		defer ext.Stop()
		endpoint = ext.URL
	} else {
		fl := prepareFleet(sc, pr.MinAgentVersion)
		opts := ssmsim.Options{Clock: clk, Seed: sc.Seed, Fleets: map[string]ssmsim.Fleet{"*": fl}, Behaviour: sc.Behaviour}
		if sc.RatePerSecond > 0 {
			opts.Faults = ssmsim.Faults{RatePerSecond: sc.RatePerSecond, Burst: int(max(1, sc.RatePerSecond))}
		}
		sim = ssmsim.New(opts)
		answers = &answerLog{clk: clk, next: sim, at: map[string][]time.Time{}}
		srv := httptest.NewServer(answers)
		defer srv.Close()
		endpoint = srv.URL
		// Load the region before timing: building a 100k-node region is
		// the simulator's cost, not patchready's.
		sim.WithRegion(region, func(*ssmsim.Region) {})
	}

	stateDir, err := os.MkdirTemp("", "patchready-bench-")
	if err != nil {
		return Result{}, fmt.Errorf("create state directory: %w", err)
	}
	defer os.RemoveAll(stateDir)

	calls := awsclient.NewCallCounter()
	fails := &failCounter{}
	api, _, err := awsclient.Client(ctx, awsclient.Config{
		Region: region, EndpointURL: endpoint,
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""),
		// As the demo: backoff capped at a second of real time, so a
		// throttle costs what it would against AWS at this time scale.
		MaxBackoff: time.Second,
	}, calls.Options, fails.Options)
	if err != nil {
		return Result{}, fmt.Errorf("SDK client: %w", err)
	}

	mem := startMemSampler()
	cpu0, wall0, sim0 := cpuTime(), time.Now(), clk.Now()
	p, err := engine.MakePlan(ctx, api, engine.PlanInput{
		Rules: pr, Strategy: sc.Strategy, Probe: true, Region: region,
		ToolVersion: "bench", RunID: "bench-plan", Clock: clk, Logger: log,
		ProbeOptions: probe.Options{PollInterval: sc.PollInterval, MaxPollInterval: 4 * sc.PollInterval, Timeout: 15 * time.Minute},
	})
	if err != nil {
		mem.Stop()
		return Result{}, fmt.Errorf("plan: %w", err)
	}
	planCounts := calls.Snapshot()
	w := workOf(p, sc.Scan)
	if sc.PlanOnly {
		return finishPlanOnly(ctx, sc, p, w, stateDir, calls, fails, mem, cpu0, wall0)
	}
	var watch *updateWatcher
	if sim != nil && !sc.Scan {
		// With the scan a node is verified once Patch Manager has scanned
		// it, minutes after its update: the lag would measure the scan,
		// not how soon patchready notices an update.
		watch = startUpdateWatcher(sim, region, clk, agentsBefore(p))
	}
	scan := engine.ScanNone
	if sc.Scan {
		scan = engine.ScanAll
	}
	ar, err := engine.Apply(ctx, api, engine.ApplyInput{
		Plan: p, RunID: "bench-apply", StateDir: stateDir, Fresh: true,
		MaxConcurrency: sc.MaxConcurrency, MaxErrors: "100%",
		Clock: clk, PollInterval: sc.PollInterval, MaxPollInterval: sc.MaxPollInterval, Timeout: 2 * time.Hour,
		Scan: scan, Logger: log,
	})
	var (
		updatedAt  map[string]time.Time
		resolution time.Duration
	)
	if watch != nil {
		updatedAt, resolution = watch.Stop()
	}
	wall, cpu, simElapsed := time.Since(wall0), cpuTime()-cpu0, clk.Now().Sub(sim0)
	heap, sys := mem.Stop()
	if err != nil {
		return Result{}, fmt.Errorf("apply: %w", err)
	}

	res := Result{
		Scenario: sc, Name: sc.Name(),
		Targets: w.targets, Probed: w.probed, Requests: w.requests,
		Verified: ar.Report.Counts[converge.StateVerified],
		Wall:     wall, CPU: cpu, SimElapsed: simElapsed,
		PeakHeapInuse: heap, PeakSys: sys, MaxRSS: maxRSS(),
		FailedCalls:   fails.count(),
		LagResolution: resolution,
	}
	res.NotVerified = len(ar.Report.Outcomes) - res.Verified
	res.LastVerifiedLag, res.MedianVerifiedLag, res.MaxVerifiedLag = verifiedLags(ar.Report.Outcomes, updatedAt)
	counts := calls.Snapshot()
	if sc.Scan {
		// The scan's commands are counted apart from the probe's and the
		// fixes', with a client of their own whose calls are not counted.
		n, err := scanCommands(ctx, endpoint)
		if err != nil {
			return Result{}, err
		}
		counts[scanOp] = awsclient.Counts{Calls: n}
		for _, k := range w.scanned {
			res.ScanTargets += k
		}
		for _, o := range ar.Report.Outcomes {
			if o.PatchState != nil {
				res.ScanPassed++
			}
		}
		w.scanPassed = res.ScanPassed
	}
	res.addOps(planCounts, counts, w, sc)
	if sc.RatePerSecond > 0 && answers != nil {
		res.HotOp = hottest(res.Ops)
		// A gap of 3 s is longer than the slowest the pacer goes (one call
		// per 2 s) and than a capped retry backoff (1 s), so a paced stretch
		// is one busy period; stretches shorter than two bursts are
		// polling, not pacing.
		burst := int(max(1, sc.RatePerSecond))
		res.HotRate = answers.busyRate(res.HotOp, 3*time.Second, 2*burst, burst)
		res.HotFraction = res.HotRate / sc.RatePerSecond
	}
	return res, nil
}

// addOps fills in the per-operation figures and their totals.
func (r *Result) addOps(planCounts, counts map[string]awsclient.Counts, w work, sc Scenario) {
	naives := naive(w, updateDelay(sc.Behaviour))
	if sc.PlanOnly {
		// The naive loop plans nothing: its only planning call is the
		// discovery listing.
		naives = map[string]int{"DescribeInstanceInformation": naives["DescribeInstanceInformation"]}
	}
	mins := minimums(w)
	if sc.PlanOnly {
		delete(mins, "CreateAssociation")
	}
	r.Ops = opFigures(planCounts, counts, mins, naives)
	for _, o := range r.Ops {
		r.TotalCalls += o.Calls
		r.NaiveCalls += o.Naive
		r.Retries += o.Retries
		r.Throttles += o.Throttles
	}
}

// prepareFleet generates the fleet and sets exactly the first
// NeedUpdateFraction of it below the agent floor. Generate's node order is
// already random across profiles, so the first share is a fair sample.
func prepareFleet(sc Scenario, floor string) ssmsim.Fleet {
	fl := ssmsim.Generate(sc.Nodes, sc.Seed)
	below := int(sc.NeedUpdateFraction * float64(len(fl.Nodes)))
	floorV := parseVersion(floor)
	for i := range fl.Nodes {
		n := &fl.Nodes[i]
		switch {
		case i < below:
			n.AgentVersion = belowFloor
		case lessVersion(parseVersion(n.AgentVersion), floorV):
			n.AgentVersion = ssmsim.DefaultLatestAgentVersion
		}
	}
	return fl
}

// belowFloor is an agent version real fleets still run that is older than
// Patch Manager's 2.0.834.0 minimum.
const belowFloor = "2.0.790.0"

func workOf(p plan.Plan, scan bool) work {
	w := work{nodes: len(p.Nodes), strategy: p.Strategy}
	if scan {
		w.scanned = map[string]int{}
	}
	for _, n := range p.Nodes {
		if scan && (n.Verdict == plan.Compliant || n.Verdict == plan.Fix) {
			// apply --scan=all scans every node it fixes and every
			// compliant one, one command per platform.
			w.scanned[n.Node.PlatformType]++
		}
		if n.HasAction(prereq.UpdateAgent) {
			w.targets++
		}
		if len(n.Actions) > 0 && (len(n.Actions) > 1 || !n.HasAction(prereq.UpdateAgent)) {
			w.requests++
		}
		if probe.Eligible(n.Node) {
			w.probed++
		}
	}
	return w
}

func agentsBefore(p plan.Plan) map[string]string {
	m := map[string]string{}
	for _, n := range p.Nodes {
		if n.HasAction(prereq.UpdateAgent) {
			m[n.Node.InstanceID] = n.Node.AgentVersion
		}
	}
	return m
}

// verifiedLags returns the last VerifiedAt minus the last time a new
// version became visible, and the median and worst, over nodes, of
// VerifiedAt minus the time that node's new version became visible. Nodes
// that also had a fix (requests, curl, the patch run's Python) are left
// out: they are verified only after that command has run too, which measures the command, not how
// soon patchready notices an update.
func verifiedLags(outs []converge.Outcome, updatedAt map[string]time.Time) (last, median, worst time.Duration) {
	var lastVerified, lastUpdate time.Time
	var lags []time.Duration
	for _, o := range outs {
		u, ok := updatedAt[o.InstanceID]
		if o.State != converge.StateVerified || !ok || o.VerifiedAt.IsZero() || len(o.Changes) > 0 {
			continue
		}
		if o.VerifiedAt.After(lastVerified) {
			lastVerified = o.VerifiedAt
		}
		if u.After(lastUpdate) {
			lastUpdate = u
		}
		// The watcher reads visibility by polling under the simulator's
		// lock, so on a loaded run it can note a node after patchready
		// verified it: a lag below zero means "within the resolution",
		// and reads as 0.
		lags = append(lags, max(0, o.VerifiedAt.Sub(u)))
	}
	if len(lags) == 0 {
		return 0, 0, 0
	}
	slices.Sort(lags)
	return max(0, lastVerified.Sub(lastUpdate)), lags[(len(lags)-1)/2], lags[len(lags)-1]
}

func updateDelay(b ssmsim.Behaviour) time.Duration {
	if b.UpdateDelay > 0 {
		return b.UpdateDelay
	}
	return 90 * time.Second // ssmsim's default
}

func opFigures(planCounts, counts map[string]awsclient.Counts, mins, naives map[string]int) []OpFigures {
	seen := map[string]bool{}
	var out []OpFigures
	add := func(op string) {
		if seen[op] {
			return
		}
		seen[op] = true
		c := counts[op]
		f := OpFigures{Op: op, Calls: c.Calls, PlanCalls: planCounts[op].Calls, Minimum: mins[op], Naive: naives[op], Retries: c.Retries, Throttles: c.Throttles}
		switch op {
		case "DescribeInstanceInformation":
			f.Counted = f.PlanCalls
		case "SendCommand":
			// The floor is the probe's; apply sends the requests upgrade
			// in waves as nodes become ready, trading calls for time.
			f.Counted = f.PlanCalls
		default:
			f.Counted = f.Calls - f.PlanCalls
		}
		out = append(out, f)
	}
	for op := range counts {
		add(op)
	}
	for op := range naives {
		add(op)
	}
	for op := range mins {
		add(op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Op < out[j].Op })
	return out
}

func hottest(ops []OpFigures) string {
	best := OpFigures{}
	for _, o := range ops {
		if o.Calls > best.Calls {
			best = o
		}
	}
	return best.Op
}

// scanCommands counts the AWS-RunPatchBaseline commands sent, through a
// client of its own.
func scanCommands(ctx context.Context, endpoint string) (int, error) {
	api, _, err := awsclient.Client(ctx, awsclient.Config{
		Region: region, EndpointURL: endpoint,
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""),
	})
	if err != nil {
		return 0, fmt.Errorf("SDK client: %w", err)
	}
	n := 0
	p := ssm.NewListCommandsPaginator(api, &ssm.ListCommandsInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("list commands: %w", err)
		}
		for _, c := range page.Commands {
			if aws.ToString(c.DocumentName) == documents.RunPatchBaselineDocumentName {
				n++
			}
		}
	}
	return n, nil
}

func isServerError(err error) bool {
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() >= 500
}
