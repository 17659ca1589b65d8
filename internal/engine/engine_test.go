package engine

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
)

var strategies = []plan.Strategy{"association", "maintenance-window", "run-command"}

// creations counts the calls that created the agent updater's resources.
func (e *env) creations() int {
	n := 0
	for op, s := range e.sim.Stats().Snapshot() {
		switch op {
		case "CreateAssociation", "CreateMaintenanceWindow", "RegisterTargetWithMaintenanceWindow", "RegisterTaskWithMaintenanceWindow":
			n += s.OK // a throttled or failed call created nothing
		}
	}
	return n
}

// doubleCommands counts the nodes that the run-command strategy sent more
// than one agent update command not cancelled, in one batch: a resumed run
// must follow the command its interrupted part sent, not send another (a
// command the interrupt cancelled is sent again, by design).
func (e *env) doubleCommands() int {
	p := ssm.NewListCommandsPaginator(e.api, &ssm.ListCommandsInput{Filters: []types.CommandFilter{
		{Key: types.CommandFilterKeyDocumentName, Value: aws.String(documents.UpdateAgentDocumentName)}}})
	perBatch := map[string]int{}
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			e.t.Fatalf("list update commands: %v", err)
		}
		for _, c := range page.Commands {
			cm := aws.ToString(c.Comment)
			// Associations and windows run the document through commands
			// of their own, without " batch ".
			if !strings.HasPrefix(cm, "patchready update-agent run ") || !strings.Contains(cm, " batch ") {
				continue
			}
			if c.Status != types.CommandStatusCancelled && c.Status != types.CommandStatusCancelling {
				for _, id := range c.InstanceIds {
					perBatch[cm+" "+id]++
				}
			}
		}
	}
	n := 0
	for _, k := range perBatch {
		if k > 1 {
			n++
		}
	}
	return n
}

// checkOutcomes asserts that the report accounts for exactly the nodes of
// wants, each in its state with its reason.
func checkOutcomes(t *testing.T, r converge.Report, wants map[string]want) {
	t.Helper()
	got := outcomes(r)
	if len(got) != len(wants) || len(r.Outcomes) != len(wants) {
		t.Errorf("report has %d outcomes, want %d", len(r.Outcomes), len(wants))
	}
	for _, id := range slices.Sorted(maps.Keys(wants)) {
		w := wants[id]
		o, ok := got[id]
		switch {
		case !ok:
			t.Errorf("%s: missing from the report", id)
		case string(o.State) != w.state || !strings.Contains(o.Reason, w.reason):
			t.Errorf("%s: %s %q, want %s with %q", id, o.State, o.Reason, w.state, w.reason)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", formatReport(r))
	}
}

func TestApplyMixedFleet(t *testing.T) {
	for _, st := range strategies {
		t.Run(st.String(), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 40*time.Second)
			e := newEnv(t, mixedFleet(), nil)
			p := e.plan(ctx, st)

			verdicts := map[string]plan.Verdict{}
			for _, np := range p.Nodes {
				verdicts[np.Node.InstanceID] = np.Verdict
			}
			for id, v := range map[string]plan.Verdict{idCompliant: plan.Compliant, idLost: plan.Blocked, idCentOS: plan.Blocked, idOld1: plan.Fix, idNoPip: plan.Fix} {
				if verdicts[id] != v {
					t.Errorf("plan: %s is %s, want %s", id, verdicts[id], v)
				}
			}
			if got, want := targeted(p), slices.Sorted(maps.Keys(mixedWant)); !slices.Equal(got, want) {
				t.Fatalf("plan targets %v, want %v", got, want)
			}

			// Through a saved file, as `plan --out` then `apply FILE` do:
			// the staleness check re-reads the nodes and lets it through.
			file, saved := savePlan(t, p)
			in := e.applyInput(saved, "20260302T090000Z-00000a", t.TempDir())
			in.PlanFile = file
			res, err := Apply(ctx, e.api, in)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			checkOutcomes(t, res.Report, mixedWant)
			if res.Report.AllVerified() {
				t.Error("AllVerified with failed nodes")
			}

			// What the report says is what the fleet shows.
			for id, w := range mixedWant {
				n := e.node(id)
				if w.state == "verified" && n.AgentVersion < "2.0.834.0" {
					t.Errorf("%s verified with agent %s in the simulator", id, n.AgentVersion)
				}
			}
			// Amazon Linux 1's patch run uses Python 2.7, whose newest
			// requests is 2.27.1 (pip honours Requires-Python): that is
			// the interpreter the fix must have upgraded.
			for _, id := range []string{idProxied, idProxiedOld} {
				if n := e.node(id); n.Requests != "2.27.1" {
					t.Errorf("%s: requests %q in the simulator, want 2.27.1 in its Python 2.7", id, n.Requests)
				}
			}
			if n := e.node(idUpdateFails); n.AgentVersion != belowFloor {
				t.Errorf("%s: agent %s after a failed update", idUpdateFails, n.AgentVersion)
			}

			// One-shot resources are gone, and the journal says so.
			if live := e.liveIDs(ctx); len(live) != 0 {
				t.Errorf("resources left after the run: %v", live)
			}
			if live := journalLive(t, res.JournalPath); len(live) != 0 {
				t.Errorf("journal shows live resources: %v", live)
			}
			j, err := remedy.ReadJournal(res.JournalPath)
			if err != nil {
				t.Fatal(err)
			}
			if !j.Finished || j.ExitCode != 3 || j.PlanFile != file || j.Strategy != st.String() {
				t.Errorf("journal: finished %v exit %d plan %q strategy %q", j.Finished, j.ExitCode, j.PlanFile, j.Strategy)
			}
			for id, w := range mixedWant {
				if j.Nodes[id].State != w.state {
					t.Errorf("journal: %s %s, want %s", id, j.Nodes[id].State, w.state)
				}
			}
			switch st {
			case plan.Strategy("association"):
				if n := e.made("CreateAssociation"); n != 1 {
					t.Errorf("CreateAssociation calls: %d, want 1", n)
				}
			case plan.Strategy("maintenance-window"):
				if n := e.made("CreateMaintenanceWindow"); n != 1 {
					t.Errorf("CreateMaintenanceWindow calls: %d, want 1", n)
				}
			}
		})
	}
}

// A second apply of the same plan finds what the first made (kept with
// Keep) instead of creating it again; without Keep the one-shot resources
// are removed once every node is verified.
func TestApplyTwiceCreatesNothingNew(t *testing.T) {
	for _, st := range strategies {
		t.Run(st.String(), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 40*time.Second)
			e := newEnv(t, uniformFleet(60), nil)
			p := e.plan(ctx, st)
			file, _ := savePlan(t, p)
			all := map[string]want{}
			for _, id := range targeted(p) {
				all[id] = want{"verified", "agent " + latest + " read back"}
			}

			in := e.applyInput(p, "20260302T090000Z-00000b", t.TempDir())
			in.Keep = true
			res, err := Apply(ctx, e.api, in)
			if err != nil {
				t.Fatalf("first apply: %v", err)
			}
			checkOutcomes(t, res.Report, all)
			created := e.creations()
			live := e.liveIDs(ctx)
			wantLive := map[plan.Strategy]int{
				"association":        2, // one association per batch of ≤ 50
				"maintenance-window": 1,
				"run-command":        0, // commands are not resources
			}[st]
			if len(live) != wantLive {
				t.Fatalf("kept resources: %v, want %d", live, wantLive)
			}
			if jl := journalLive(t, res.JournalPath); !maps.Equal(jl, live) {
				t.Errorf("journal live %v, simulator %v", jl, live)
			}

			// The saved plan is now stale (every agent changed): refused
			// before anything is looked up or created.
			saved, err := plan.LoadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Apply(ctx, e.api, e.applyInput(saved, "20260302T090000Z-00000c", t.TempDir()))
			var stale *plan.StaleError
			if !errors.As(err, &stale) {
				t.Fatalf("second apply of the saved plan: %v, want a stale plan", err)
			}

			// The same plan applied as if just made: found by name.
			in = e.applyInput(p, "20260302T090000Z-00000d", t.TempDir())
			in.Fresh = true
			res, err = Apply(ctx, e.api, in)
			if err != nil {
				t.Fatalf("third apply: %v", err)
			}
			checkOutcomes(t, res.Report, all)
			if n := e.creations(); n != created {
				t.Errorf("create calls went from %d to %d on a re-apply", created, n)
			}
			if d := e.duplicates(ctx); d != 0 {
				t.Errorf("%d duplicate resources", d)
			}
			// Not kept this time: removed after verification.
			if live := e.liveIDs(ctx); len(live) != 0 {
				t.Errorf("resources left without Keep: %v", live)
			}
			if jl := journalLive(t, res.JournalPath); len(jl) != 0 {
				t.Errorf("journal of the re-apply shows live resources: %v", jl)
			}
		})
	}
}

func TestApplyRefusesStalePlan(t *testing.T) {
	cases := []struct {
		name   string
		change func(e *env)
		diff   string
	}{
		{"agent changed", func(e *env) {
			e.updateNode(idOld1, func(n *ssmsim.Node) { n.AgentVersion = "3.0.1124.0" })
		}, idOld1 + ": agent_version " + belowFloor + " → 3.0.1124.0"},
		{"node terminated", func(e *env) {
			e.updateNode(idOld2, func(n *ssmsim.Node) { n.Terminated = true })
		}, idOld2 + ": no longer found"},
		{"node went offline", func(e *env) {
			e.updateNode(idProxied, func(n *ssmsim.Node) { n.PingStatus = "ConnectionLost" })
		}, idProxied + ": ping_status Online → ConnectionLost"},
	}
	for _, st := range strategies {
		for _, c := range cases {
			t.Run(st.String()+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				ctx := testCtx(t, 20*time.Second)
				e := newEnv(t, mixedFleet(), nil)
				p := e.plan(ctx, st)
				c.change(e)
				before := e.creations() + e.sim.Stats().Calls("SendCommand") // the plan's probe
				stateDir := t.TempDir()
				_, err := Apply(ctx, e.api, e.applyInput(p, "20260302T090000Z-00000e", stateDir))
				var stale *plan.StaleError
				if !errors.As(err, &stale) {
					t.Fatalf("Apply: %v, want *plan.StaleError", err)
				}
				if !strings.Contains(err.Error(), "Saved plan is stale") || !strings.Contains(err.Error(), c.diff) {
					t.Errorf("error does not show the change %q:\n%v", c.diff, err)
				}
				if n := e.creations() + e.sim.Stats().Calls("SendCommand") - before; n != 0 {
					t.Errorf("%d create/send calls for a stale plan", n)
				}
				if _, err := remedy.ReadJournal(remedy.JournalPath(stateDir, "20260302T090000Z-00000e")); err == nil {
					t.Error("a journal was started for a refused plan")
				}
			})
		}
	}
}

// A node terminated between plan and apply: a saved plan is refused (the
// test above); a plan made in the same process (Fresh) goes ahead and
// reports the node as gone.
func TestApplyFreshPlanNodeTerminated(t *testing.T) {
	for _, st := range strategies {
		t.Run(st.String(), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 30*time.Second)
			e := newEnv(t, uniformFleet(4), nil)
			p := e.plan(ctx, st)
			gone := targeted(p)[1]
			e.updateNode(gone, func(n *ssmsim.Node) { n.Terminated = true })
			in := e.applyInput(p, "20260302T090000Z-00000f", t.TempDir())
			in.Fresh = true
			res, err := Apply(ctx, e.api, in)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			wants := map[string]want{}
			for _, id := range targeted(p) {
				wants[id] = want{"verified", "agent " + latest + " read back"}
			}
			wants[gone] = want{"failed", "no longer a managed node"}
			checkOutcomes(t, res.Report, wants)
		})
	}
}

func TestApplyMaxTargets(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	e := newEnv(t, mixedFleet(), nil)
	p := e.plan(ctx, plan.Strategy("association"))
	before := e.creations() + e.sim.Stats().Calls("SendCommand") // the plan's probe
	stateDir := t.TempDir()
	in := e.applyInput(p, "20260302T090000Z-000010", stateDir)
	in.MaxTargets = len(mixedWant) - 1
	_, err := Apply(ctx, e.api, in)
	if !errors.Is(err, ErrTooManyTargets) {
		t.Fatalf("Apply: %v, want ErrTooManyTargets", err)
	}
	if !strings.Contains(err.Error(), "11 nodes targeted, cap is 10") {
		t.Errorf("message: %v", err)
	}
	if n := e.creations() + e.sim.Stats().Calls("SendCommand") - before; n != 0 {
		t.Errorf("%d create/send calls past the cap", n)
	}
	// At the cap exactly, it goes ahead.
	in.MaxTargets = len(mixedWant)
	in.Fresh = true
	if _, err := Apply(ctx, e.api, in); err != nil {
		t.Fatalf("Apply at the cap: %v", err)
	}
}

// API calls scale with the fleet in batches of 50: discovery makes
// ceil(N/50) DescribeInstanceInformation calls, and the association
// strategy ceil(K/50) CreateAssociation calls for K nodes to update.
func TestAPICallsScaleByFifty(t *testing.T) {
	const n = 130
	ctx := testCtx(t, 40*time.Second)
	fl := uniformFleet(n)
	// A few nodes already comply, so K differs from N.
	for i := range 7 {
		fl.Nodes[i].AgentVersion = latest
	}
	e := newEnv(t, fl, nil)
	in := e.planInput(plan.Strategy("association"))
	in.Probe = false // the probe's own calls are counted in the probe's tests
	p, err := MakePlan(ctx, e.api, in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.made("DescribeInstanceInformation"), ceilDiv(n, 50); got != want {
		t.Errorf("discovery: %d DescribeInstanceInformation calls for %d nodes, want %d", got, n, want)
	}
	k := len(targeted(p))
	if k != n-7 {
		t.Fatalf("%d targets, want %d", k, n-7)
	}
	e.sim.Stats().Reset()
	ain := e.applyInput(p, "20260302T090000Z-000011", t.TempDir())
	res, err := Apply(ctx, e.api, ain)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Report.AllVerified() {
		t.Errorf("not all verified:\n%s", formatReport(res.Report))
	}
	s := e.sim.Stats()
	if got, want := e.made("CreateAssociation"), ceilDiv(k, 50); got != want {
		t.Errorf("%d CreateAssociation calls for %d nodes, want %d", got, k, want)
	}
	if got, want := e.made("DeleteAssociation"), ceilDiv(k, 50); got != want {
		t.Errorf("%d DeleteAssociation calls, want %d", got, want)
	}
	// One listing at the start, then at most one per poll round to read
	// the associations' overviews. No update fails, so an association is
	// drilled into (executions, then targets) only to tell a skipped update
	// from a node still restarting: at most once each.
	if got, most := s.Calls("ListAssociations"), 1+res.Report.Rounds; got < 1 || got > most {
		t.Errorf("%d ListAssociations calls, want 1 to %d", got, most)
	}
	if got, most := s.Calls("DescribeAssociationExecutions")+s.Calls("DescribeAssociationExecutionTargets"), 2*ceilDiv(k, 50); got > most {
		t.Errorf("%d association execution reads with no failed update, want at most %d", got, most)
	}
	t.Logf("apply of %d nodes: %d API calls, %d poll rounds, %s of fleet time", k, s.Total().Calls, res.Report.Rounds, res.Report.Elapsed.Round(time.Second))
}

// cancelAt returns an OnProgress hook that calls stop once the watch has
// finished round n.
func cancelAt(n int, stop func()) func(converge.Progress) {
	return func(p converge.Progress) {
		if p.Round == n {
			stop()
		}
	}
}

// An apply stopped hard (the second Ctrl-C: the context is cancelled)
// mid-watch leaves its resources live and recorded; resuming it finishes
// the run without creating anything twice, then removes them.
func TestApplyResumeAfterCancel(t *testing.T) {
	for _, st := range strategies {
		t.Run(st.String(), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 40*time.Second)
			e := newEnv(t, mixedFleet(), nil)
			p := e.plan(ctx, st)
			file, _ := savePlan(t, p)
			const runID = "20260302T090000Z-000012"
			stateDir := t.TempDir()

			cctx, cancel := context.WithCancel(ctx)
			in := e.applyInput(p, runID, stateDir)
			in.PlanFile = file
			in.OnProgress = cancelAt(2, cancel)
			res, err := Apply(cctx, e.api, in)
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted Apply: %v, want context.Canceled", err)
			}
			created := e.creations()
			if created == 0 && st != "run-command" {
				t.Fatal("nothing was created before the interrupt")
			}
			live := e.liveIDs(ctx)
			// The run-command strategy's commands are not resources: there
			// is nothing live to compare.
			if jl := journalLive(t, res.JournalPath); (len(live) == 0 && st != "run-command") || !maps.Equal(jl, live) {
				t.Errorf("after the interrupt: journal live %v, simulator %v", jl, live)
			}
			j, _ := remedy.ReadJournal(res.JournalPath)
			if j.Finished {
				t.Error("interrupted run recorded as finished")
			}

			in = e.applyInput(p, runID, stateDir)
			in.PlanFile, in.Resume, in.Fresh = file, true, true
			res, err = Apply(ctx, e.api, in)
			if err != nil {
				t.Fatalf("resumed Apply: %v", err)
			}
			checkOutcomes(t, res.Report, mixedWant)
			if n := e.creations(); n != created {
				t.Errorf("create calls went from %d to %d on resume", created, n)
			}
			if n := e.sim.Stats().Calls("StartAssociationsOnce"); n != 0 {
				t.Errorf("resume re-ran associations %d times", n)
			}
			if d := e.duplicates(ctx); d != 0 {
				t.Errorf("%d duplicates", d)
			}
			if live := e.liveIDs(ctx); len(live) != 0 {
				t.Errorf("left after the resumed run: %v", live)
			}
			if jl := journalLive(t, res.JournalPath); len(jl) != 0 {
				t.Errorf("journal live after the resumed run: %v", jl)
			}
			if j, _ := remedy.ReadJournal(res.JournalPath); !j.Finished || j.ExitCode != 3 {
				t.Errorf("journal after resume: finished %v exit %d", j.Finished, j.ExitCode)
			}
		})
	}
}

// An apply drained (the first Ctrl-C) stops after the round in progress:
// what SSM runs is left running (agent updates, fixes already sent), every
// unsettled node ends interrupted, and the run stays resumable. Resuming
// follows the work left running, creates nothing twice, and finishes.
func TestApplyResumeAfterDrain(t *testing.T) {
	for _, st := range strategies {
		t.Run(st.String(), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 40*time.Second)
			e := newEnv(t, mixedFleet(), nil)
			p := e.plan(ctx, st)
			file, _ := savePlan(t, p)
			const runID = "20260302T090000Z-000013"
			stateDir := t.TempDir()

			drain := make(chan struct{})
			in := e.applyInput(p, runID, stateDir)
			in.PlanFile = file
			in.Drain = drain
			// Drained after the first round: the nodes that needed only a
			// fix have been sent it; every agent update is running.
			in.OnProgress = cancelAt(1, func() { close(drain) })
			res, err := Apply(ctx, e.api, in)
			if err != nil {
				t.Fatalf("drained Apply: %v", err)
			}
			drained := map[string]want{}
			for id := range mixedWant {
				drained[id] = want{"interrupted", "interrupted while its agent update runs in SSM"}
			}
			// A fix sent in the first round may also have finished in it
			// (the simulator's clock runs while the round's calls do).
			for _, id := range []string{idProxied, idNoPip} {
				if o := outcomeOf(res.Report, id); o.State == "interrupted" {
					drained[id] = want{"interrupted", "interrupted while its fix runs in SSM"}
				} else {
					drained[id] = mixedWant[id]
				}
			}
			checkOutcomes(t, res.Report, drained)
			if res.Report.Rounds != 1 {
				t.Errorf("drained after %d rounds, want the round in progress only", res.Report.Rounds)
			}
			j, _ := remedy.ReadJournal(res.JournalPath)
			if j.Finished {
				t.Fatal("drained run recorded as finished: it could not be resumed")
			}
			created := e.creations()

			in = e.applyInput(p, runID, stateDir)
			in.PlanFile, in.Resume, in.Fresh = file, true, true
			res, err = Apply(ctx, e.api, in)
			if err != nil {
				t.Fatalf("resumed Apply: %v", err)
			}
			checkOutcomes(t, res.Report, mixedWant)
			if n := e.creations(); n != created {
				t.Errorf("create calls went from %d to %d on resume", created, n)
			}
			if live := e.liveIDs(ctx); len(live) != 0 {
				t.Errorf("left after the resumed run: %v", live)
			}
			if jl := journalLive(t, res.JournalPath); len(jl) != 0 {
				t.Errorf("journal live after the resumed run: %v", jl)
			}
			if j, _ := remedy.ReadJournal(res.JournalPath); !j.Finished || j.ExitCode != 3 {
				t.Errorf("journal after resume: finished %v exit %d", j.Finished, j.ExitCode)
			}
		})
	}
}

// A one-time window whose time has passed would never open: refused
// before anything is created, instead of every node timing out.
func TestApplyRefusesPastWindowSchedule(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	e := newEnv(t, uniformFleet(3), nil)
	p := e.plan(ctx, plan.Strategy("maintenance-window"))
	in := e.applyInput(p, "20260302T090000Z-000014", t.TempDir())
	in.Fresh = true
	in.Window.Schedule = "at(" + e.clk.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04:05") + ")"
	_, err := Apply(ctx, e.api, in)
	if err == nil || !strings.Contains(err.Error(), "is not in the future") {
		t.Fatalf("Apply: %v, want a refusal of the past schedule", err)
	}
	if n := e.creations(); n != 0 {
		t.Errorf("%d resources created", n)
	}
}

// outcomeOf returns the report's outcome for id (zero when missing).
func outcomeOf(r converge.Report, id string) converge.Outcome {
	for _, o := range r.Outcomes {
		if o.InstanceID == id {
			return o
		}
	}
	return converge.Outcome{}
}

// A one-time window that opens before its targets and tasks are registered
// runs nothing and never opens again. With every call taking 70 fleet
// seconds, registering takes longer than the two minutes a default window
// waits: the strategy times the window once its tasks exist, so the
// updates still run.
func TestWindowOpensAfterItsTasksAreRegistered(t *testing.T) {
	ctx := testCtx(t, 40*time.Second)
	e := newEnv(t, uniformFleet(3), func(o *ssmsim.Options) { o.Faults = ssmsim.Faults{Latency: 70 * time.Second} })
	p := e.plan(ctx, plan.Strategy("maintenance-window"))
	in := e.applyInput(p, "20260302T090000Z-000015", t.TempDir())
	in.Fresh = true
	res, err := Apply(ctx, e.api, in)
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]want{}
	for _, id := range targeted(p) {
		all[id] = want{"verified", "agent " + latest + " read back"}
	}
	checkOutcomes(t, res.Report, all)
	if n := e.sim.Stats().Calls("UpdateMaintenanceWindow"); n != 1 {
		t.Errorf("UpdateMaintenanceWindow calls = %d, want 1 (the window timed after its tasks)", n)
	}
}

// A maintenance window holds at most 50 targets (AWS's quota, which the
// simulator enforces), i.e. 2,500 nodes: a plan of 51 batches gets two
// windows, every node is updated and verified, and both windows go.
func TestWindowStrategySpreadsBatchesOverWindows(t *testing.T) {
	ctx := testCtx(t, 2*time.Minute)
	const nodes = 50*50 + 1
	e := newEnv(t, uniformFleet(nodes), nil)
	in := e.planInput(plan.Strategy("maintenance-window"))
	in.Probe = false // the agent update is what this is about
	p, err := MakePlan(ctx, e.api, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(targeted(p)); got != nodes {
		t.Fatalf("plan targets %d nodes, want %d", got, nodes)
	}
	ain := e.applyInput(p, "20260302T090000Z-000051", t.TempDir())
	// A window's task runs its targets one after another: about a minute
	// each here, so 26 targets take about half an hour of the window.
	ain.Fresh, ain.MaxConcurrency, ain.Timeout = true, "100%", 2*time.Hour
	res, err := Apply(ctx, e.api, ain)
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Report.Counts[converge.StateVerified]; n != nodes {
		t.Errorf("%d nodes verified, want %d:\n%s", n, nodes, formatReport(res.Report))
	}
	if n := e.sim.Stats().Calls("CreateMaintenanceWindow"); n != 2 {
		t.Errorf("CreateMaintenanceWindow calls = %d, want 2 (51 targets, at most 50 a window)", n)
	}
	if n := e.sim.Stats().Calls("RegisterTargetWithMaintenanceWindow"); n != 51 {
		t.Errorf("RegisterTargetWithMaintenanceWindow calls = %d, want one per batch, 51", n)
	}
	if w := e.windows(ctx); len(w) != 0 {
		t.Errorf("%d windows left after the run", len(w))
	}

	// A window of the operator's holds no more than 50 targets either:
	// refused before anything is made.
	e2 := newEnv(t, uniformFleet(nodes), nil)
	p2, err := MakePlan(ctx, e2.api, in)
	if err != nil {
		t.Fatal(err)
	}
	ain2 := e2.applyInput(p2, "20260302T090000Z-000052", t.TempDir())
	ain2.Fresh, ain2.Window.ID = true, "mw-0123456789abcdef0"
	if _, err := Apply(ctx, e2.api, ain2); err == nil || !strings.Contains(err.Error(), "at most 50 targets") {
		t.Errorf("Apply with --window-id and 51 batches: %v, want a refusal naming the quota", err)
	}
	if n := e2.sim.Stats().Calls("RegisterTargetWithMaintenanceWindow"); n != 0 {
		t.Errorf("%d targets registered before the refusal", n)
	}
}
