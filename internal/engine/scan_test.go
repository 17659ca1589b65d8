package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
	"github.com/patchready/patchready/internal/unmanaged"
)

// Sample-fleet nodes the scan tests follow (internal/ssmsim/sample-fleet.yaml).
const (
	sFooled    = "i-0a1b2c3d4e5f60082" // passes every preflight check; its repositories are out of reach
	sPatches   = "i-0a1b2c3d4e5f60012" // Amazon Linux 2, compliant, 2 patches missing
	sWindows   = "i-0a1b2c3d4e5f60042" // Windows, compliant, 7 missing, 1 waiting for a reboot
	sOldAgent  = "i-0a1b2c3d4e5f60013" // Amazon Linux 2, agent below the floor
	sNoPython  = "i-0a1b2c3d4e5f60022" // Ubuntu 20.04 without python3
	sAL2023    = "i-0a1b2c3d4e5f60015" // Amazon Linux 2023, compliant
	sUbuntu16  = "i-0a1b2c3d4e5f60021" // Ubuntu 16.04, agent below the floor
	sNoexec    = "i-0a1b2c3d4e5f60073" // Debian, work directory mounted noexec
	sNoPayload = "i-0a1b2c3d4e5f60033" // RHEL 9, payload bucket refused
)

// scanPlanInput is a plan of ids on the sample fleet, ending with Patch
// Manager's scan when scan is set. Its polls are in fleet time.
func (e *env) scanPlanInput(scan bool, ids ...string) PlanInput {
	in := e.planInput("association")
	in.Selection = fleet.Selection{InstanceIDs: ids}
	in.Scan = scan
	in.ScanOptions = ScanOptions{PollInterval: 10 * time.Second, MaxPollInterval: 30 * time.Second, Timeout: 2 * time.Hour}
	return in
}

func nodePlan(t *testing.T, p plan.Plan, id string) plan.NodePlan {
	t.Helper()
	for _, np := range p.Nodes {
		if np.Node.InstanceID == id {
			return np
		}
	}
	t.Fatalf("%s is not in the plan", id)
	return plan.NodePlan{}
}

// plan --scan finds what the preflight cannot see: the node whose every
// fact is right but whose repositories are out of reach is blocked with
// the patch run's own reason; a node to fix whose scan fails for what its
// fix mends stays a fix; compliant nodes carry the patch state Patch
// Manager recorded. The scan costs one SendCommand per platform (each
// command ≤ 50 nodes) and one DescribeInstancePatchStates per 50 nodes
// whose scan passed in a poll round.
func TestPlanScanFindsWhatThePreflightCannotSee(t *testing.T) {
	ctx := testCtx(t, 60*time.Second)
	e := newEnv(t, ssmsim.SampleFleet(), nil)
	ids := []string{sFooled, sPatches, sWindows, sNoPython, sNoexec}

	before := e.made("SendCommand")
	p, err := MakePlan(ctx, e.api, e.scanPlanInput(false, ids...))
	if err != nil {
		t.Fatal(err)
	}
	probes := e.made("SendCommand") - before
	if np := nodePlan(t, p, sFooled); np.Verdict != plan.Compliant || np.Scan != nil || p.Scanned {
		t.Fatalf("without --scan the preflight calls %s %s (scan %+v): the fleet no longer fools it", sFooled, np.Verdict, np.Scan)
	}

	before = e.made("SendCommand")
	p, err = MakePlan(ctx, e.api, e.scanPlanInput(true, ids...))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Scanned || p.FormatVersion != "2.2" {
		t.Errorf("plan scanned %v, format %s", p.Scanned, p.FormatVersion)
	}
	fooled := nodePlan(t, p, sFooled)
	if fooled.Verdict != plan.Blocked || !slices.Equal(fooled.BlockedBy, []prereq.CheckID{plan.ScanCheck}) ||
		!strings.Contains(strings.Join(fooled.Reasons, ";"), "could not reach its package repositories") {
		t.Errorf("%s: %s by %v: %q; want blocked by the scan with the repositories reason", sFooled, fooled.Verdict, fooled.BlockedBy, fooled.Reasons)
	}
	if s := fooled.Scan; s == nil || s.Passed || !strings.Contains(s.Detail, "Failed to download metadata for repo") || s.Advice == "" {
		t.Errorf("%s: scan %+v; want dnf's own message in its detail, and advice", sFooled, s)
	}
	for id, want := range map[string]string{sPatches: "ready; 2 patches missing", sWindows: "ready; 7 patches missing, 1 patch waiting for a reboot"} {
		np := nodePlan(t, p, id)
		if np.Verdict != plan.Compliant || np.Scan == nil || !np.Scan.Passed || np.Scan.PatchState == nil || np.Scan.PatchState.Summary() != want {
			t.Errorf("%s: %s, scan %+v; want compliant, %q", id, np.Verdict, np.Scan, want)
		}
	}
	// Ubuntu without python3: the scan fails on the interpreter, which the
	// planned install-python mends.
	if np := nodePlan(t, p, sNoPython); np.Verdict != plan.Fix || np.Scan == nil || np.Scan.Passed || np.Scan.Check != prereq.CheckPatchPython {
		t.Errorf("%s: %s, scan %+v; want fix, its scan failing on patch-python", sNoPython, np.Verdict, np.Scan)
	}
	// Blocked by the preflight: not scanned.
	if np := nodePlan(t, p, sNoexec); np.Verdict != plan.Blocked || np.Scan != nil {
		t.Errorf("%s: %s, scan %+v; want blocked and not scanned", sNoexec, np.Verdict, np.Scan)
	}
	if s := p.Summary; s.ScanPassed != 2 || s.ScanFailed != 2 {
		t.Errorf("summary: %d scans passed, %d failed; want 2 and 2", s.ScanPassed, s.ScanFailed)
	}
	// The probe again, then one scan command per platform (Linux, Windows).
	if n := e.made("SendCommand") - before; n != probes+2 {
		t.Errorf("plan --scan sent %d commands, want %d probes and 2 scans", n, probes)
	}
	if n := e.made("DescribeInstancePatchStates"); n < 1 || n > 2 {
		t.Errorf("DescribeInstancePatchStates: %d calls for 2 passed scans, want 1 or 2 (one per poll round that saw some)", n)
	}
}

// apply --scan=all of a plan made without the scan: the node the preflight
// calls compliant is scanned and ends failed with the scan's reason (not
// verified), the raw tail kept in the journal; the nodes apply fixes pass
// the scan after their fix and are verified with their patch state.
func TestApplyScanAllVerifiesOnlyWhatPatchManagerScanned(t *testing.T) {
	ctx := testCtx(t, 90*time.Second)
	e := newEnv(t, ssmsim.SampleFleet(), nil)
	p, err := MakePlan(ctx, e.api, e.scanPlanInput(false, sFooled, sPatches, sWindows, sOldAgent, sNoPython))
	if err != nil {
		t.Fatal(err)
	}
	in := e.applyInput(p, "20260302T090000Z-0000s1", t.TempDir())
	in.Scan = ScanAll
	res, err := Apply(ctx, e.api, in)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	t.Logf("report:\n%s", formatReport(res.Report))
	got := outcomes(res.Report)
	fooled := got[sFooled]
	if fooled.State != converge.StateFailed || !strings.Contains(fooled.Reason, "could not reach its package repositories") ||
		!strings.Contains(fooled.Detail, "Failed to download metadata for repo") {
		t.Errorf("%s: %s %q (detail %q); want failed with the repositories reason and dnf's message", sFooled, fooled.State, fooled.Reason, fooled.Detail)
	}
	for id, want := range map[string]string{
		sPatches: "ready; 2 patches missing", sWindows: "ready; 7 patches missing, 1 patch waiting for a reboot",
		sOldAgent: "ready;", sNoPython: "ready;",
	} {
		o := got[id]
		if o.State != converge.StateVerified || o.PatchState == nil || !strings.HasPrefix(o.PatchState.Summary(), want) {
			t.Errorf("%s: %s %q, patch state %+v; want verified, %q", id, o.State, o.Reason, o.PatchState, want)
		}
	}
	// The fixes happened before the scan.
	if o := got[sOldAgent]; o.AgentAfter == o.AgentBefore {
		t.Errorf("%s: agent %s → %s; want it updated before its scan", sOldAgent, o.AgentBefore, o.AgentAfter)
	}
	if !slices.ContainsFunc(got[sNoPython].Changes, func(c remedy.Change) bool { return c.What == "python" }) {
		t.Errorf("%s: changes %+v; want python installed before its scan", sNoPython, got[sNoPython].Changes)
	}
	j, err := remedy.ReadJournal(res.JournalPath)
	if err != nil {
		t.Fatal(err)
	}
	if rec := j.Nodes[sFooled]; rec.State != "failed" || !strings.Contains(rec.Detail, "Failed to download metadata") {
		t.Errorf("journal: %s %+v; want failed with the scan's tail", sFooled, rec)
	}
	if rec := j.Nodes[sWindows]; rec.PatchState == nil || rec.PatchState.Missing != 7 {
		t.Errorf("journal: %s %+v; want its patch state", sWindows, rec)
	}
}

// Re-running apply --scan=all on a fleet already made compliant changes
// nothing on the nodes: no association, no fix or update command, no
// document; its only commands are the scans (one per platform, ≤ 50 nodes
// each), and every node is verified by them. The plan's checks and the
// scan agree on every node.
func TestApplyScanAllOnACompliantFleetChangesNothing(t *testing.T) {
	ctx := testCtx(t, 90*time.Second)
	e := newEnv(t, ssmsim.SampleFleet(), nil)
	ids := []string{sPatches, sWindows, sOldAgent, sNoPython, sAL2023, sUbuntu16}
	first, err := MakePlan(ctx, e.api, e.scanPlanInput(false, ids...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, e.api, e.applyInput(first, "20260302T090000Z-0000s2", t.TempDir())); err != nil {
		t.Fatalf("first apply: %v", err)
	}

	p, err := MakePlan(ctx, e.api, e.scanPlanInput(true, ids...))
	if err != nil {
		t.Fatal(err)
	}
	for _, np := range p.Nodes {
		if np.Verdict != plan.Compliant || np.Scan == nil || !np.Scan.Passed {
			t.Errorf("after the first apply %s is %s (%q), scan %+v: the checks and the scan disagree", np.Node.InstanceID, np.Verdict, np.Reasons, np.Scan)
		}
	}
	software := map[string]ssmsim.Node{}
	for _, id := range ids {
		software[id] = e.node(id)
	}
	writesBefore := e.sim.Stats().Snapshot()
	since := e.clk.Now()
	in := e.applyInput(p, "20260302T090000Z-0000s3", t.TempDir())
	in.Scan = ScanAll
	res, err := Apply(ctx, e.api, in)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if !res.Report.AllVerified() || len(res.Report.Outcomes) != len(ids) {
		t.Errorf("re-run: %d of %d verified:\n%s", res.Report.Counts[converge.StateVerified], len(ids), formatReport(res.Report))
	}
	for _, o := range res.Report.Outcomes {
		if o.PatchState == nil {
			t.Errorf("%s verified without a patch state", o.InstanceID)
		}
	}
	after := e.sim.Stats().Snapshot()
	for _, op := range []string{"CreateAssociation", "UpdateAssociation", "StartAssociationsOnce", "CreateMaintenanceWindow",
		"CreateDocument", "UpdateDocument", "UpdateDocumentDefaultVersion"} {
		if n := after[op].Calls - writesBefore[op].Calls; n != 0 {
			t.Errorf("%s: %d calls on a compliant fleet", op, n)
		}
	}
	docs := e.commandsSince(ctx, since)
	if want := map[string]int{documents.RunPatchBaselineDocumentName: 2}; !maps.Equal(docs, want) {
		t.Errorf("commands sent by the re-run: %v, want %v (one scan per platform)", docs, want)
	}
	for id, before := range software {
		now := e.node(id)
		if now.AgentVersion != before.AgentVersion || now.Python != before.Python || now.Requests != before.Requests {
			t.Errorf("%s changed: agent %s → %s, python %s → %s, requests %s → %s", id,
				before.AgentVersion, now.AgentVersion, before.Python, now.Python, before.Requests, now.Requests)
		}
	}
}

// commandsSince counts, by document, the commands sent at or after t
// (fleet time), through a client of its own.
func (e *env) commandsSince(ctx context.Context, t time.Time) map[string]int {
	e.t.Helper()
	api, _ := e.client()
	out := map[string]int{}
	p := ssm.NewListCommandsPaginator(api, &ssm.ListCommandsInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			e.t.Fatalf("list commands: %v", err)
		}
		for _, c := range page.Commands {
			if !aws.ToTime(c.RequestedDateTime).Before(t) {
				out[aws.ToString(c.DocumentName)]++
			}
		}
	}
	return out
}

// The plan's checks and Patch Manager's scan agree on the sample fleet:
// every node the preflight calls compliant passes the scan, except the one
// built so that only the scan sees its fault; a node the preflight blocks
// on a patch-run check fails the scan on that check; and a node to fix
// fails it, if at all, for a reason its planned fix mends (or one patchready
// does not recognise). Every Online managed node is scanned here, blocked
// ones included, which plan --scan does not do.
//
// Until the probe tests the payload the way the patch run goes (the proxy
// fix: 0001, 0003, 0005 and 0011 have their proxy only in an override the
// running agent has not loaded, so the probe's HEAD through it succeeds
// while the patch run goes direct and fails with 156), this test fails on
// exactly those four nodes: it is the disagreement it exists to catch.
func TestPlanChecksAndScanAgreeOnTheSampleFleet(t *testing.T) {
	ctx := testCtx(t, 90*time.Second)
	e := newEnv(t, ssmsim.SampleFleet(), nil)
	p := e.plan(ctx, "association")
	var nodes []fleet.Node
	for _, np := range p.Nodes {
		if np.Node.PingStatus == fleet.PingOnline && !np.Node.Unmanaged() {
			nodes = append(nodes, np.Node)
		}
	}
	scans, err := runPlanScan(ctx, e.api, nodes, "plan-run", ScanOptions{PollInterval: 10 * time.Second, MaxPollInterval: 30 * time.Second, Timeout: 2 * time.Hour}, e.clk, e.log)
	if err != nil {
		t.Fatal(err)
	}
	var disagree []string
	for _, np := range p.Nodes {
		s, ok := scans[np.Node.InstanceID]
		if !ok {
			continue
		}
		id := np.Node.InstanceID
		var why string
		switch np.Verdict {
		case plan.Compliant:
			if !s.Passed && id != sFooled {
				why = "the preflight calls it compliant"
			}
			if s.Passed && id == sFooled {
				why = "its scan passed: the fleet no longer holds a node only the scan can catch"
			}
		case plan.Blocked:
			for _, c := range np.BlockedBy {
				if (c == prereq.CheckPayload || c == prereq.CheckWorkdirExec) && (s.Passed || s.Check != c) {
					why = "the preflight blocks it on " + string(c)
				}
			}
		case plan.Fix:
			if !s.Passed && s.Cause != "" && !mendedBy(np, s.Check) {
				why = "its fixes " + fmt.Sprint(np.Actions) + " do not mend what failed"
			}
		}
		if why != "" {
			disagree = append(disagree, fmt.Sprintf("%s (%s): scan passed=%v %q; %s", id, np.Verdict, s.Passed, s.Reason, why))
		}
	}
	for _, id := range []string{sNoexec, sNoPayload} {
		if _, ok := scans[id]; !ok {
			t.Errorf("%s was not scanned", id)
		}
	}
	if len(disagree) > 0 {
		t.Errorf("the plan's checks and the scan disagree on %d nodes:\n  %s", len(disagree), strings.Join(disagree, "\n  "))
	}
}

func mendedBy(np plan.NodePlan, id prereq.CheckID) bool {
	c, ok := prereq.Lookup(id)
	return ok && c.Fix != nil && np.HasAction(c.Fix.Kind)
}

// An instance apply brings under management is checked, fixed and, with
// --scan, scanned in the same run: it ends with Patch Manager's verdict.
func TestUnmanagedInstanceEndsWithAScan(t *testing.T) {
	ctx := testCtx(t, 60*time.Second)
	e := newEnv(t, unmanagedFleet(), unmanagedOrg)
	p := e.unmanagedPlan(ctx, "association", unmanaged.Options{AttachProfile: ssmProfile})
	in := e.applyInput(p, "20260302T090000Z-0000s4", t.TempDir())
	in.Estate, in.Scan = e.estate(), ScanFixed
	res, err := Apply(ctx, e.api, in)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	t.Logf("report:\n%s", formatReport(res.Report))
	got := outcomes(res.Report)
	for _, id := range []string{uOldAgent, uDHMC, mOld} {
		o := got[id]
		if o.State != converge.StateVerified || o.PatchState == nil {
			t.Errorf("%s: %s %q, patch state %+v; want verified by its scan", id, o.State, o.Reason, o.PatchState)
		}
	}
	if o := got[uNoAgent]; o.State != converge.StateFailed || o.PatchState != nil {
		t.Errorf("%s: %s %q; want failed (it never registers), without a scan", uNoAgent, o.State, o.Reason)
	}
	scanned := map[string]bool{}
	api, _ := e.client()
	pg := ssm.NewListCommandsPaginator(api, &ssm.ListCommandsInput{MaxResults: aws.Int32(50)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Commands {
			if aws.ToString(c.DocumentName) == documents.RunPatchBaselineDocumentName {
				for _, id := range c.InstanceIds {
					scanned[id] = true
				}
			}
		}
	}
	if !scanned[uOldAgent] || !scanned[uDHMC] {
		t.Errorf("scan commands reached %v; want the instances brought under management", slices.Sorted(maps.Keys(scanned)))
	}
}
