package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/orgrun"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/probe"
	"github.com/patchready/patchready/internal/ssmsim"
	"github.com/patchready/patchready/internal/targets"
)

// OrgScenario is a plan across an organization: Accounts accounts (the
// management account and Accounts-1 members) × Regions regions, each
// account-region a fleet of NodesPerTarget generated nodes, every
// operation limited to Rate calls per second in each account-region, as
// AWS's limits are. The simulator runs as its own process on real time,
// so memory and CPU are patchready's alone and rates mean what they would
// against AWS.
type OrgScenario struct {
	Accounts, Regions, NodesPerTarget int
	Rate                              float64
	Seed                              uint64
	// Parallel is --parallel-targets (every target at once when zero).
	Parallel int
	// Binary is the patchready executable that serves the simulator.
	Binary string      `json:"-"`
	Logger *zap.Logger `json:"-"`
}

// hubRate is the limit of the hub's AssumeRole calls, per second.
const hubRate = 100

// OrgResult is what a plan across an organization cost.
type OrgResult struct {
	Scenario OrgScenario
	Targets  int
	Nodes    int
	Probed   int
	// Wall is the whole plan: reaching every account, planning every
	// target, merging; Save the writing of the plan file after it.
	Wall, Save time.Duration
	// Slowest is the target that took longest within the run, and Alone
	// the plan of that target by itself, with nothing else running.
	Slowest       string
	SlowestInRun  time.Duration
	Alone         time.Duration
	CPU           time.Duration
	PeakHeapInuse uint64
	MaxRSS        uint64
	PlanFileBytes int64
	// Ops are the calls per operation (SSM's as the client counted them,
	// STS's and EC2's as the simulator did) against the fewest possible.
	Ops []OpFigures
	// FailedCalls ended, after every retry, with a throttle or a server
	// error; Throttles are the throttled attempts that were retried.
	FailedCalls, Throttles int
	FailedTargets          int
}

// Ratio is the plan's wall time over its slowest target's alone.
func (r OrgResult) Ratio() float64 { return r.Wall.Seconds() / r.Alone.Seconds() }

func (s OrgScenario) validate() error {
	switch {
	case s.Accounts < 1 || s.Accounts > 1000:
		return fmt.Errorf("accounts %d: use 1 to 1000", s.Accounts)
	case s.Regions < 1 || s.Regions > 10:
		return fmt.Errorf("regions %d: use 1 to 10", s.Regions)
	case s.NodesPerTarget < 1 || s.NodesPerTarget > 10000:
		return fmt.Errorf("nodes per target %d: use 1 to 10000", s.NodesPerTarget)
	case s.Binary == "":
		return errors.New("the organization benchmark runs the simulator as its own process: give the patchready binary")
	}
	return nil
}

// RunOrg plans across the scenario's organization, then plans the slowest
// target alone, and returns the figures.
func RunOrg(ctx context.Context, sc OrgScenario) (OrgResult, error) {
	if err := sc.validate(); err != nil {
		return OrgResult{}, err
	}
	if sc.Seed == 0 {
		sc.Seed = 1
	}
	targetCount := sc.Accounts * sc.Regions
	if sc.Parallel == 0 {
		sc.Parallel = targetCount
	}
	log := sc.Logger
	if log == nil {
		log = zap.NewNop()
	}
	args := []string{"--accounts", strconv.Itoa(sc.Accounts - 1), "--regions", strconv.Itoa(sc.Regions),
		"--nodes-per-target", strconv.Itoa(sc.NodesPerTarget), "--seed", strconv.FormatUint(sc.Seed, 10)}
	if sc.Rate > 0 {
		// The hub's AssumeRole calls, one per account, all come from one
		// account and region: under one target's SSM limit they would
		// queue behind each other, which is a limit of the hub's account,
		// not of the targets'. They get a limit of their own.
		args = append(args, "--throttle-rate", fmt.Sprint(sc.Rate), "--operation-rate", fmt.Sprintf("sts:AssumeRole=%d", hubRate))
	}
	sim, err := startSimServe(ctx, sc.Binary, args)
	if err != nil {
		return OrgResult{}, err
	}
	defer sim.Stop()

	spec := targets.Spec{Accounts: []string{ssmsim.SampleManagementAccount}, Parallel: sc.Parallel}
	for i := 1; i < sc.Accounts; i++ {
		spec.Accounts = append(spec.Accounts, ssmsim.SampleMemberAccount(i))
	}
	spec.Regions = sampleRegions(sc.Regions)
	if err := spec.CheckAndSetDefaults(); err != nil {
		return OrgResult{}, err
	}
	// The simulator builds each region's fleet on its first call: that is
	// its cost, not patchready's, so every region is called once first,
	// through a hub of its own.
	if err := warm(ctx, sim.URL, spec); err != nil {
		return OrgResult{}, fmt.Errorf("warm the simulator: %w", err)
	}
	before, err := simStats(ctx, sim.URL)
	if err != nil {
		return OrgResult{}, err
	}

	calls, fails := awsclient.NewCallCounter(), &failCounter{}
	res := OrgResult{Scenario: sc, Targets: targetCount}
	durations := map[string]time.Duration{}
	byKey := map[string]plan.Target{}
	mem := startMemSampler()
	cpu0, wall0 := cpuTime(), time.Now()
	p, err := planAcross(ctx, sim.URL, spec, log, calls, fails, func(t plan.Target, took time.Duration) {
		durations[t.Key()], byKey[t.Key()] = took, t
	})
	res.Wall, res.CPU = time.Since(wall0), cpuTime()-cpu0
	if err != nil {
		mem.Stop()
		return res, fmt.Errorf("plan: %w", err)
	}
	dir, err := os.MkdirTemp("", "patchready-bench-org-")
	if err != nil {
		mem.Stop()
		return res, fmt.Errorf("create a directory for the plan file: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "plan.json")
	save0 := time.Now()
	if err := plan.SaveFile(file, p); err != nil {
		mem.Stop()
		return res, fmt.Errorf("save the plan: %w", err)
	}
	res.Save = time.Since(save0)
	res.PeakHeapInuse, _ = mem.Stop()
	res.MaxRSS = maxRSS()
	if st, err := os.Stat(file); err == nil {
		res.PlanFileBytes = st.Size()
	}
	after, err := simStats(ctx, sim.URL)
	if err != nil {
		return res, err
	}
	res.Nodes, res.FailedTargets = p.Summary.Nodes, len(p.FailedTargets())
	probedPer := map[string]int{}
	for _, np := range p.Nodes {
		if np.Node.Probe != nil && np.Node.Probe.Status != "skipped" {
			probedPer[np.Node.Account+"/"+np.Node.Region]++
			res.Probed++
		}
	}
	res.Ops = orgOps(calls.Snapshot(), before, after, p, probedPer, len(spec.Accounts))
	res.FailedCalls = fails.count()
	for _, c := range calls.Snapshot() {
		res.Throttles += c.Throttles
	}
	p = plan.Plan{} // the alone run must not count this plan's memory

	for k, d := range durations {
		if d > res.SlowestInRun || (d == res.SlowestInRun && k < res.Slowest) {
			res.Slowest, res.SlowestInRun = k, d
		}
	}
	// The account-region's token buckets refill in a second or two.
	time.Sleep(3 * time.Second)
	t := byKey[res.Slowest]
	alone := targets.Spec{Accounts: []string{t.Account}, Regions: []string{t.Region}, Parallel: 1}
	if err := alone.CheckAndSetDefaults(); err != nil {
		return res, err
	}
	start := time.Now()
	if _, err := planAcross(ctx, sim.URL, alone, log, awsclient.NewCallCounter(), &failCounter{}, nil); err != nil {
		return res, fmt.Errorf("plan %s alone: %w", res.Slowest, err)
	}
	res.Alone = time.Since(start)
	return res, nil
}

// planAcross reaches the spec's targets as the management account and
// plans across them, as `patchready plan` does.
func planAcross(ctx context.Context, url string, spec targets.Spec, log *zap.Logger, calls *awsclient.CallCounter,
	fails *failCounter, onTarget func(plan.Target, time.Duration)) (plan.Plan, error) {
	cfg, err := awsclient.Load(ctx, awsclient.Config{Region: "us-east-1", EndpointURL: url, Logger: log,
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""), MaxBackoff: time.Second})
	if err != nil {
		return plan.Plan{}, err
	}
	h, err := targets.NewHub(ctx, targets.HubConfig{Config: cfg, Endpoint: url, Spec: spec, Clock: clock.Real{},
		MaxBackoff: time.Second, SSMOptions: []func(*ssm.Options){calls.Options, fails.Options}, Logger: log, SessionName: "patchready-bench"})
	if err != nil {
		return plan.Plan{}, err
	}
	set, err := targets.Resolve(ctx, h, spec)
	if err != nil {
		return plan.Plan{}, err
	}
	return orgrun.MakePlan(ctx, set, engine.PlanInput{
		Rules: prereq.Default(), Probe: true, ToolVersion: "bench", RunID: "bench-plan", Clock: clock.Real{}, Logger: log,
		// The probe polls every 2 s, without backing off, so that a
		// target's time measures its work rather than where its last
		// poll fell: with the CLI's growing waits (5 s up to 30 s) one
		// poll missed by a moment costs a target tens of seconds.
		ProbeOptions: probe.Options{PollInterval: 2 * time.Second, MaxPollInterval: 2 * time.Second, Timeout: 15 * time.Minute},
	}, orgrun.PlanOptions{Parallel: spec.Parallel, OnTarget: onTarget})
}

// warm calls every target once, so the simulator builds its fleets.
func warm(ctx context.Context, url string, spec targets.Spec) error {
	cfg, err := awsclient.Load(ctx, awsclient.Config{Region: "us-east-1", EndpointURL: url,
		Credentials: credentials.NewStaticCredentialsProvider("warm", "warm", ""), MaxBackoff: time.Second})
	if err != nil {
		return err
	}
	h, err := targets.NewHub(ctx, targets.HubConfig{Config: cfg, Endpoint: url, Spec: spec, MaxBackoff: time.Second})
	if err != nil {
		return err
	}
	set, err := targets.Resolve(ctx, h, spec)
	if err != nil {
		return err
	}
	if len(set.Failed) > 0 {
		return fmt.Errorf("%d targets unreachable, first %s: %s", len(set.Failed), set.Failed[0].Key(), set.Failed[0].Failure.Reason)
	}
	var mu sync.Mutex
	var first error
	targets.Each(ctx, set.Conns, 8, func(ctx context.Context, _ int, c *targets.Conn) {
		_, err := c.SSM.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(5)})
		if err != nil {
			mu.Lock()
			first = errors.Join(first, err)
			mu.Unlock()
		}
	})
	return first
}

// simStats reads the simulator's per-operation counters.
func simStats(ctx context.Context, url string) (map[string]ssmsim.OpStats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/_sim/stats", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("simulator stats: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Operations map[string]ssmsim.OpStats `json:"operations"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("simulator stats: %w", err)
	}
	return body.Operations, nil
}

// orgOps are the calls per operation against the fewest the work allows:
// per target one discovery page per 50 nodes and one probe command per 50
// probed nodes; per account but the caller's one AssumeRole, and per
// account one DescribeRegions. Operations without a floor (the probe's
// polls, which depend on how long commands run) are reported without one.
func orgOps(ssmCounts map[string]awsclient.Counts, before, after map[string]ssmsim.OpStats, p plan.Plan,
	probedPer map[string]int, accounts int) []OpFigures {
	minimum := map[string]int{"sts:AssumeRole": accounts - 1, "ec2:DescribeRegions": accounts}
	for _, t := range p.Targets {
		minimum["DescribeInstanceInformation"] += ceilDiv(t.Summary.Nodes, pageSize)
		minimum["SendCommand"] += ceilDiv(probedPer[t.Key()], pageSize)
	}
	var out []OpFigures
	for op, c := range ssmCounts {
		out = append(out, OpFigures{Op: op, Calls: c.Calls, Counted: c.Calls, Retries: c.Retries, Throttles: c.Throttles, Minimum: minimum[op]})
	}
	for _, op := range []string{"sts:AssumeRole", "ec2:DescribeRegions", "sts:GetCallerIdentity"} {
		n := after[op].Calls - before[op].Calls
		out = append(out, OpFigures{Op: op, Calls: n, Counted: n, Throttles: after[op].Throttled - before[op].Throttled, Minimum: minimum[op]})
	}
	slices.SortFunc(out, func(a, b OpFigures) int { return b.Calls - a.Calls })
	return out
}

// sampleRegions are the regions `sim serve --regions N` gives each account.
func sampleRegions(n int) []string {
	all := []string{"us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2",
		"ap-northeast-1", "ca-central-1", "sa-east-1", "eu-west-2", "us-east-2"}
	return all[:min(n, len(all))]
}

// WriteOrgTable writes an organization benchmark as Markdown: the plan
// against its slowest target alone, then the calls per operation.
func WriteOrgTable(w io.Writer, r OrgResult) error {
	var b strings.Builder
	sc := r.Scenario
	fmt.Fprintf(&b, "| Scenario | Targets | Nodes | Probed | Wall (plan) | Slowest target in the run | Slowest target alone | Wall ÷ alone | Save | CPU | Peak heap in use | Max RSS | Plan file | Failed calls | Throttles retried |\n")
	fmt.Fprintf(&b, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	name := fmt.Sprintf("%d accounts × %d regions × %s nodes, %g calls/s per operation per account-region (AssumeRole %d/s), %d targets at once",
		sc.Accounts, sc.Regions, thousands(sc.NodesPerTarget), sc.Rate, hubRate, sc.Parallel)
	fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s (%s) | %s | %.2f× | %s | %s | %s | %s | %s | %d | %d |\n\n",
		name, r.Targets, thousands(r.Nodes), thousands(r.Probed), round(r.Wall), round(r.SlowestInRun), r.Slowest, round(r.Alone),
		r.Ratio(), round(r.Save), round(r.CPU), mib(r.PeakHeapInuse), mib(r.MaxRSS), mib(uint64(r.PlanFileBytes)), r.FailedCalls, r.Throttles)
	b.WriteString("| Operation | Calls | Minimum | Calls ÷ minimum | Throttled |\n|---|--:|--:|--:|--:|\n")
	for _, o := range r.Ops {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %d |\n", o.Op, o.Calls, orDash(o.Minimum), ratio(o.Calls, o.Minimum), o.Throttles)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
