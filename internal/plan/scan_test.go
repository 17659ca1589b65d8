package plan

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
)

func passed(missing int) NodeScan {
	return NodeScan{Passed: true, PatchState: &fleet.PatchState{Missing: missing, Installed: 40, Operation: "Scan",
		OperationEnd: time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)}}
}

var (
	reposFailed = NodeScan{Cause: "the node could not reach its package repositories",
		Reason: "the patch scan failed (exit 1): the node could not reach its package repositories; what to do: let the node reach them",
		Advice: "let the node reach them", Detail: "Error: Failed to download metadata for repo 'amazonlinux'"}
	payloadFailed = NodeScan{Cause: "the patch run could not download its payload", Check: prereq.CheckPayload,
		Reason: "the patch scan failed (exit 156): the patch run could not download its payload [payload]"}
	pythonFailed = NodeScan{Cause: "the patch run found no Python it can use with the node's package manager", Check: prereq.CheckPatchPython,
		Reason: "the patch scan failed (exit 1): the patch run found no Python it can use [patch-python]"}
	unknownFailed = NodeScan{Reason: "the patch scan failed (exit 143); its output's last lines are in the journal"}
)

// The scan corrects the preflight in one direction: a compliant node
// whose scan fails is not compliant, and a node to fix whose scan fails
// for a cause no planned action mends is blocked.
func TestScanBearsOnTheVerdict(t *testing.T) {
	ready := withProbe(node("i-ready", "3.3.1142.0", "Amazon Linux", "2023"), healthy())
	oldAgent := withProbe(node("i-agent", "2.0.700.0", "Amazon Linux", "2023"), healthy())
	noPython := withProbe(node("i-python", "3.3.1142.0", "Ubuntu", "22.04"), healthy(func(r *documents.ProbeReport) {
		r.PackageManagers, r.PackageManager, r.Python, r.PythonPath, r.PythonVersion = "apt", "", "", "", ""
		r.PythonError = "An unsupported package manager and python version combination was found. Apt requires Python3 to be installed."
		r.PackageModule = documents.ModuleNA
	}))
	offline := node("i-offline", "3.3.1142.0", "Ubuntu", "22.04")
	offline.PingStatus = fleet.PingConnectionLost
	tests := []struct {
		name        string
		node        fleet.Node
		scan        NodeScan
		wantVerdict Verdict
		wantBlocked []prereq.CheckID
		wantActions []prereq.ActionKind
		wantReason  string // a part of the node's reasons
		wantNote    string // a part of one of its notes
	}{
		{name: "compliant, scan passes", node: ready, scan: passed(7), wantVerdict: Compliant},
		{name: "compliant, repositories out of reach", node: ready, scan: reposFailed, wantVerdict: Blocked,
			wantBlocked: []prereq.CheckID{ScanCheck}, wantReason: "could not reach its package repositories"},
		{name: "compliant, payload the probe thought reachable", node: ready, scan: payloadFailed, wantVerdict: Blocked,
			wantBlocked: []prereq.CheckID{prereq.CheckPayload}, wantReason: "exit 156"},
		{name: "compliant, failure not recognised", node: ready, scan: unknownFailed, wantVerdict: Blocked,
			wantBlocked: []prereq.CheckID{ScanCheck}, wantReason: "exit 143"},
		{name: "fix, the planned action mends what failed", node: noPython, scan: pythonFailed, wantVerdict: Fix,
			wantActions: []prereq.ActionKind{installPython}, wantNote: "failed as the preflight expects"},
		{name: "fix, failure not recognised", node: oldAgent, scan: unknownFailed, wantVerdict: Fix,
			wantActions: []prereq.ActionKind{prereq.UpdateAgent}, wantNote: "does not recognise"},
		{name: "fix, a cause no action mends", node: oldAgent, scan: reposFailed, wantVerdict: Blocked,
			wantBlocked: []prereq.CheckID{ScanCheck}, wantReason: "repositories"},
		{name: "fix, a check no planned action mends", node: noPython, scan: payloadFailed, wantVerdict: Blocked,
			wantBlocked: []prereq.CheckID{prereq.CheckPayload}},
		{name: "blocked stays blocked when the scan passes", node: offline, scan: passed(0), wantVerdict: Blocked,
			wantBlocked: []prereq.CheckID{prereq.CheckOnline}, wantNote: "scan passed although the preflight blocks"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := opts()
			o.Scanned, o.Scans = true, map[string]NodeScan{tc.node.InstanceID: tc.scan}
			p := Build([]fleet.Node{tc.node}, nil, o)
			np := p.Nodes[0]
			if np.Verdict != tc.wantVerdict || !slices.Equal(np.BlockedBy, tc.wantBlocked) || !slices.Equal(np.Actions, tc.wantActions) {
				t.Fatalf("verdict %s, blocked by %v, actions %v; want %s, %v, %v (reasons %q, notes %q)",
					np.Verdict, np.BlockedBy, np.Actions, tc.wantVerdict, tc.wantBlocked, tc.wantActions, np.Reasons, np.Notes)
			}
			if tc.wantReason != "" && !strings.Contains(strings.Join(np.Reasons, "\n"), tc.wantReason) {
				t.Errorf("reasons %q lack %q", np.Reasons, tc.wantReason)
			}
			if tc.wantNote != "" && !strings.Contains(strings.Join(np.Notes, "\n"), tc.wantNote) {
				t.Errorf("notes %q lack %q", np.Notes, tc.wantNote)
			}
			if np.Scan == nil || !reflect.DeepEqual(*np.Scan, tc.scan) {
				t.Errorf("the node's scan is %+v, want %+v", np.Scan, tc.scan)
			}
			if !p.Scanned {
				t.Error("the plan does not say it was scanned")
			}
			if tc.wantVerdict != Fix && len(p.Batches) != 0 {
				t.Errorf("batches %+v for a node with nothing to do", p.Batches)
			}
		})
	}
}

func TestScanSummaryAndNodesNotScanned(t *testing.T) {
	a := withProbe(node("i-a", "3.3.1142.0", "Amazon Linux", "2023"), healthy())
	b := withProbe(node("i-b", "3.3.1142.0", "Amazon Linux", "2023"), healthy())
	c := withProbe(node("i-c", "3.3.1142.0", "Amazon Linux", "2023"), healthy())
	o := opts()
	o.Scanned, o.Scans = true, map[string]NodeScan{"i-a": passed(2), "i-b": reposFailed}
	p := Build([]fleet.Node{a, b, c}, nil, o)
	s := p.Summary
	if s.ScanPassed != 1 || s.ScanFailed != 1 || s.Compliant != 2 || s.Blocked != 1 {
		t.Errorf("summary %+v: want 1 scan passed, 1 failed, 2 compliant, 1 blocked", s)
	}
	if p.Nodes[2].Scan != nil {
		t.Errorf("a node without a scan result has one: %+v", p.Nodes[2].Scan)
	}
}

// A scanned plan saves and loads whole, checksum and all; a plan made
// without --scan writes none of the fields the scan added, so a plan saved
// by the patchready before them keeps its checksum (the 2.0 and 2.1 seeds
// in testdata/fuzz still load: TestFuzzSeedsStillMeaningful).
func TestScannedPlanRoundTrip(t *testing.T) {
	p := scannedPlan()
	data := saved(t, p)
	for _, want := range []string{`"format_version": "2.2"`, `"scanned": true`, `"scan": {`, `"patch_state": {`, `"scan_passed": 1`, `"scan_failed": 1`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("saved plan lacks %s", want)
		}
	}
	got, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, p)
	}
	plain := saved(t, samplePlan())
	for _, absent := range []string{`"scanned"`, `"scan"`, `"scan_passed"`, `"scan_failed"`, `"patch_state"`} {
		if bytes.Contains(plain, []byte(absent)) {
			t.Errorf("a plan made without --scan writes %s", absent)
		}
	}
}

func scannedPlan() Plan {
	a := withProbe(node("i-a", "3.3.1142.0", "Amazon Linux", "2023"), healthy())
	b := withProbe(node("i-b", "3.3.1142.0", "Amazon Linux", "2023"), healthy())
	o := opts()
	o.Scanned, o.Scans = true, map[string]NodeScan{"i-a": passed(7), "i-b": reposFailed}
	return Build([]fleet.Node{a, b}, nil, o)
}
