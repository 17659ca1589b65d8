package orgrun

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	version "github.com/hashicorp/go-version"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/cleanup"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/probe"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
	"github.com/patchready/patchready/internal/targets"
)

// The sample organization's accounts, as the tests name them.
var (
	mgmt    = ssmsim.SampleManagementAccount
	member1 = ssmsim.SampleMemberAccount(1)
	member2 = ssmsim.SampleMemberAccount(2)
	sandbox = ssmsim.SampleSandboxAccount // the role is missing
)

// orgEnv is the sample organization served over HTTP on 127.0.0.1 on a
// fast clock, and a hub acting as its management account.
type orgEnv struct {
	t    testing.TB
	sim  *ssmsim.Server
	clk  *clock.Scaled
	url  string
	log  *zap.Logger
	spec targets.Spec
	hub  *targets.Hub
}

// newOrgEnv serves the sample organization, 30 generated nodes in every
// account and region so that every target has work; mod may change the
// simulator's options (faults) before it starts.
func newOrgEnv(t testing.TB, spec targets.Spec, mod func(*ssmsim.Options)) *orgEnv {
	t.Helper()
	clk := clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 1000)
	opts := ssmsim.Options{Clock: clk, Seed: 7, Organization: ssmsim.SampleOrganization(ssmsim.SampleOrgOptions{NodesPerTarget: 30})}
	if mod != nil {
		mod(&opts)
	}
	sim := ssmsim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	e := &orgEnv{t: t, sim: sim, clk: clk, url: srv.URL, log: zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)), spec: spec}
	e.hub = e.newHub(spec)
	return e
}

func (e *orgEnv) newHub(spec targets.Spec) *targets.Hub {
	e.t.Helper()
	if err := spec.CheckAndSetDefaults(); err != nil {
		e.t.Fatal(err)
	}
	cfg, err := awsclient.Load(context.Background(), awsclient.Config{Region: "us-east-1", EndpointURL: e.url,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		e.t.Fatal(err)
	}
	h, err := targets.NewHub(context.Background(), targets.HubConfig{Config: cfg, Endpoint: e.url, Spec: spec, Clock: e.clk,
		MaxBackoff: 50 * time.Millisecond, Logger: e.log})
	if err != nil {
		e.t.Fatal(err)
	}
	e.spec = spec
	return h
}

func (e *orgEnv) resolve(ctx context.Context) *targets.Set {
	e.t.Helper()
	set, err := targets.Resolve(ctx, e.hub, e.spec)
	if err != nil {
		e.t.Fatal(err)
	}
	return set
}

func (e *orgEnv) plan(ctx context.Context, st plan.Strategy) plan.Plan {
	e.t.Helper()
	p, err := MakePlan(ctx, e.resolve(ctx), engine.PlanInput{
		Rules: prereq.Default(), Strategy: st, Probe: true, ToolVersion: "test", RunID: "20260302T090000Z-000000",
		Clock: e.clk, Logger: e.log,
		// Bounds are generous in fleet time: at 1000x an hour is 3.6 s, and
		// a loaded machine stretches a run's fleet time; nothing built to
		// fail waits for them (offline nodes fail after OfflineGrace).
		ProbeOptions: probe.Options{PollInterval: 2 * time.Second, MaxPollInterval: 10 * time.Second, Timeout: 2 * time.Hour},
	}, PlanOptions{Parallel: e.spec.Parallel})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// applyInput applies p with small poll intervals in fleet time, to the
// targets the plan names, reached again as apply reaches them.
func (e *orgEnv) applyInput(ctx context.Context, p plan.Plan, runID, stateDir string) ApplyInput {
	e.t.Helper()
	var list []plan.Target
	for _, t := range p.Targets {
		if !t.Failed() {
			list = append(list, t)
		}
	}
	set, err := targets.ResolveList(ctx, e.hub, list, e.spec.Parallel)
	if err != nil {
		e.t.Fatal(err)
	}
	// The window's schedule is left to the strategy, which opens it two
	// fleet minutes after its targets and tasks are registered, however
	// long that took: a fixed time in a fast fleet clock passes while a
	// loaded machine registers them (remedy's retime test covers that).
	return ApplyInput{Set: set, Parallel: e.spec.Parallel, ApplyInput: engine.ApplyInput{
		Plan: p, RunID: runID, StateDir: stateDir, MaxConcurrency: "50%", MaxErrors: "100%",
		Window: remedy.WindowOptions{Duration: 2, Cutoff: 1},
		Clock:  e.clk, PollInterval: 10 * time.Second, MaxPollInterval: 30 * time.Second,
		Timeout: 3 * time.Hour, OfflineGrace: 5 * time.Minute, Logger: e.log,
	}}
}

// node reads a node of one account and region in the simulator.
func (e *orgEnv) node(account, region, id string) (ssmsim.Node, bool) {
	var n ssmsim.Node
	var ok bool
	e.sim.WithAccountRegion(account, region, func(r *ssmsim.Region) { n, ok = r.Node(id) })
	return n, ok
}

// intended reports whether the simulator builds the node to fail.
func intended(n ssmsim.Node) bool {
	f := n.Faults
	return f.UpdateFails || f.UpdateSkipped || f.OfflineAfterUpdate || f.Undeliverable || f.NoPip
}

// checkOutcomes holds every node an apply targeted to its outcome: each
// verified node reads back in the simulator with an agent at the floor,
// and every node not verified is one the simulator builds to fail.
func (e *orgEnv) checkOutcomes(p plan.Plan, r converge.Report) {
	e.t.Helper()
	floor := version.Must(version.NewVersion(prereq.Default().MinAgentVersion))
	targeted := 0
	for _, np := range p.Nodes {
		if len(np.Actions) > 0 {
			targeted++
		}
	}
	if len(r.Outcomes) != targeted {
		e.t.Errorf("%d outcomes for %d targeted nodes", len(r.Outcomes), targeted)
	}
	for _, o := range r.Outcomes {
		n, ok := e.node(o.Account, o.Region, o.InstanceID)
		if !ok {
			e.t.Errorf("%s/%s/%s: outcome for a node the simulator does not have there", o.Account, o.Region, o.InstanceID)
			continue
		}
		switch {
		case o.State == converge.StateVerified:
			if v, err := version.NewVersion(n.AgentVersion); err != nil || v.LessThan(floor) {
				e.t.Errorf("%s/%s: verified with agent %s in the simulator", o.Account, o.InstanceID, n.AgentVersion)
			}
		case intended(n), strings.Contains(o.Reason, "--max-errors"):
		default:
			e.t.Errorf("%s/%s/%s ended %s (%s), and the simulator builds no failure into it", o.Account, o.Region, o.InstanceID, o.State, o.Reason)
		}
	}
}

// checkCleanupFindsEverything holds cleanup to the journals: every
// resource a target's journal says is left is found by cleanup in that
// target, removing them leaves nothing of the run, and a target's
// resources are never found in another target.
func (e *orgEnv) checkCleanupFindsEverything(ctx context.Context, stateDir, runID string, wantLeft bool) {
	e.t.Helper()
	recs, err := RunTargets(stateDir, runID)
	if err != nil {
		e.t.Fatal(err)
	}
	set, err := targets.ResolveList(ctx, e.hub, ListOf(recs), e.spec.Parallel)
	if err != nil {
		e.t.Fatal(err)
	}
	found, err := FindLeft(ctx, set, 4, runID)
	if err != nil {
		e.t.Fatal(err)
	}
	byTarget := map[string]map[string]bool{}
	for _, f := range found {
		m := map[string]bool{}
		if f.Failure == nil {
			for _, r := range f.Value.Remove {
				m[r.Type+"/"+r.ID] = true
			}
			for _, k := range f.Value.Keep {
				m[k.Type+"/"+k.ID] = true
			}
		}
		byTarget[f.Target.Key()] = m
	}
	left := 0
	for _, rec := range recs {
		if rec.Journal == "" {
			continue
		}
		st, err := remedy.ReadJournal(rec.Journal)
		if err != nil {
			e.t.Fatalf("%s/%s: %v", rec.Account, rec.Region, err)
		}
		for _, r := range st.Live {
			typ := r.Type
			if typ != remedy.ResourceAssociation && typ != remedy.ResourceWindow && typ != remedy.ResourceDocument {
				continue // window targets and tasks go with their window; commands are not removable
			}
			id := r.ID
			if typ == remedy.ResourceDocument {
				id = r.Name
			}
			left++
			if !byTarget[rec.Account+"/"+rec.Region][typ+"/"+id] {
				e.t.Errorf("%s/%s: the journal says %s %s is left, cleanup does not find it there", rec.Account, rec.Region, typ, id)
			}
		}
	}
	if wantLeft && left == 0 {
		e.t.Error("no target's journal records a resource left: the test proves nothing")
	}
	if _, err := RemoveLeft(ctx, set, 4, found, e.log, func(plan.Target, cleanup.Resource) {}); err != nil {
		e.t.Fatal(err)
	}
	again, err := FindLeft(ctx, set, 4, runID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range again {
		if f.Failure == nil && len(f.Value.Remove) > 0 {
			e.t.Errorf("%s: %d resources left after cleanup", f.Target.Key(), len(f.Value.Remove))
		}
	}
}
