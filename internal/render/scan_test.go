package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
)

// scannedPlan is a plan made with --scan: a compliant node whose scan
// passed, one the preflight calls compliant whose repositories are out of
// reach, one to fix whose scan fails on what the fix mends, and a blocked
// node that was not scanned.
func scannedPlan() plan.Plan {
	ready := probed(n("i-0000000000000000c", "3.3.1142.0", "Amazon Linux", "2"))
	win := n("i-0000000000000000a", "3.3.1142.0", "Microsoft Windows Server 2019 Datacenter", "10.0.17763")
	fooled := probed(n("i-00000000000000082", "3.3.1142.0", "Amazon Linux", "2023"))
	bare := probed(n("i-00000000000000011", "3.3.1142.0", "Ubuntu", "24.04"), func(r *documents.ProbeReport) {
		r.PackageManagers, r.PackageManager, r.Python, r.PythonPath, r.PythonVersion, r.PackageModule = "apt", "", "", "", "", "na"
		r.PythonError = "An unsupported package manager and python version combination was found. Apt requires Python3 to be installed."
	})
	offline := n("i-0000000000000000d", "3.3.1142.0", "Ubuntu", "22.04")
	offline.PingStatus = fleet.PingConnectionLost
	end := time.Date(2026, 3, 1, 11, 58, 0, 0, time.UTC)
	o := opts(true)
	o.Scanned = true
	o.Scans = map[string]plan.NodeScan{
		ready.InstanceID: {Passed: true, PatchState: &fleet.PatchState{Missing: 2, Installed: 433, Operation: "Scan", OperationEnd: end}},
		win.InstanceID:   {Passed: true, PatchState: &fleet.PatchState{Missing: 7, InstalledPendingReboot: 1, Installed: 24, Operation: "Scan", OperationEnd: end}},
		fooled.InstanceID: {Cause: "the node could not reach its package repositories",
			Reason: "the patch scan failed (exit 1): the node could not reach its package repositories; what to do: let the node reach its repositories",
			Advice: "let the node reach its repositories", Detail: "Error: Failed to download metadata for repo 'amazonlinux'"},
		bare.InstanceID: {Cause: "the patch run found no Python it can use with the node's package manager", Check: prereq.CheckPatchPython,
			Reason: "the patch scan failed (exit 1): the patch run found no Python it can use with the node's package manager [patch-python]"},
	}
	return plan.Build([]fleet.Node{ready, win, fooled, bare, offline}, nil, o)
}

func TestScannedPlanGolden(t *testing.T) {
	for _, tt := range []struct {
		golden string
		f      Format
	}{{"scanned.txt", Text}, {"scanned.md", Markdown}} {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Plan(&buf, scannedPlan(), tt.f, Options{}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			checkGolden(t, tt.golden, out)
			for _, want := range []string{
				"ready; 2 patches missing", "ready; 7 patches missing, 1 patch waiting for a reboot",
				plan.ScanHeading, "could not reach its package repositories", "passed on 2, failed on 2",
				"Patch Manager's, not patchready's",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("%s lacks %q", tt.golden, want)
				}
			}
		})
	}
}

// The apply report shows what Patch Manager recorded of each scanned node
// and says whose the next step is; -o json carries the patch state and the
// failed scan's own words.
func TestApplyReportShowsPatchStates(t *testing.T) {
	r := NewApplyReport("run-1", "", 2, converge.Report{Outcomes: []converge.Outcome{
		{InstanceID: "i-0000000000000000a", State: converge.StateVerified, AgentBefore: "2.0.700.0", AgentAfter: "3.3.1142.0",
			PatchState: &fleet.PatchState{Missing: 7, InstalledPendingReboot: 1, Operation: "Scan"}},
		{InstanceID: "i-00000000000000082", State: converge.StateFailed, Reason: "the patch scan failed (exit 1): the node could not reach its package repositories",
			Detail: "Error: Failed to download metadata for repo 'amazonlinux'"},
	}, Counts: map[converge.State]int{converge.StateVerified: 1, converge.StateFailed: 1}}, 3)
	var text, js bytes.Buffer
	if err := Report(&text, r, Text, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"✓ i-0000000000000000a  agent 2.0.700.0 → 3.3.1142.0; scan: ready; 7 patches missing, 1 patch waiting for a reboot",
		"✗ i-00000000000000082  the patch scan failed (exit 1): the node could not reach its package repositories",
		"Patch Manager's scan passed on 1 node. Patching is the next step, and it is Patch Manager's, not patchready's",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	if err := Report(&js, r, JSON, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"patch_state": {`, `"missing": 7`, `"installed_pending_reboot": 1`, `"detail": "Error: Failed to download metadata for repo 'amazonlinux'"`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("-o json lacks %s:\n%s", want, js.String())
		}
	}
}
