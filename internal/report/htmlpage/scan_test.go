package htmlpage_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/report"
)

// A plan made with --scan and a run made with --scan: the page says how
// the scan went, shows what Patch Manager recorded of each node the run's
// scan passed ("ready; 7 patches missing") and says patching is the next
// step, Patch Manager's; the node table's details carry each node's scan.
func TestPageShowsPatchManagersScan(t *testing.T) {
	ready := fleet.Node{InstanceID: "i-0000000000000000a", PingStatus: fleet.PingOnline, AgentVersion: "3.3.1142.0",
		PlatformType: fleet.PlatformWindows, PlatformName: "Microsoft Windows Server 2019 Datacenter", PlatformVersion: "10.0.17763"}
	fooled := fleet.Node{InstanceID: "i-00000000000000082", PingStatus: fleet.PingOnline, AgentVersion: "3.3.1142.0",
		PlatformType: fleet.PlatformWindows, PlatformName: "Microsoft Windows Server 2022 Datacenter", PlatformVersion: "10.0.20348"}
	p := plan.Build([]fleet.Node{ready, fooled}, nil, plan.Options{CreatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Region: "eu-west-1", Rules: prereq.Default(), ProbeRan: true, Scanned: true, Scans: map[string]plan.NodeScan{
			ready.InstanceID:  {Passed: true, PatchState: &fleet.PatchState{Missing: 7, InstalledPendingReboot: 1, Operation: "Scan"}},
			fooled.InstanceID: {Reason: "the patch scan failed (exit 1); its output's last lines are in the journal"},
		}})
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	run := report.Run{ID: "20260302T100000Z-000001", Started: start, Ended: start.Add(8 * time.Minute), Finished: true, Nodes: map[string]report.Outcome{
		ready.InstanceID: {InstanceID: ready.InstanceID, State: "verified", Reason: "Patch Manager scanned the node: ready; 7 patches missing, 1 patch waiting for a reboot",
			At: start.Add(6 * time.Minute), RunID: "20260302T100000Z-000001", PatchState: &fleet.PatchState{Missing: 7, InstalledPendingReboot: 1}},
	}}
	run.Scanned = []report.Outcome{run.Nodes[ready.InstanceID]}
	_, raw := writePage(t, report.Build(p, report.Options{Runs: []report.Run{run}}), htmlpageOptions())
	page := string(raw)
	for _, want := range []string{
		"Patch Manager&#39;s scan", "passed on 1, failed on 1 (plan --scan)",
		"Scanned by Patch Manager (1)", "ready; 7 patches missing, 1 patch waiting for a reboot",
		"Patching them is the next step, and it is Patch Manager&#39;s, not patchready&#39;s",
		"Patch Manager&#39;s scan failed", // the cause the fooled node is blocked by
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	data := regexp.MustCompile(`<script type="application/json" id="node-data">([\s\S]*?)</script>`).FindStringSubmatch(page)
	if data == nil {
		t.Fatal("no node data")
	}
	var d struct {
		S  []string
		PT [][5][]int
	}
	if err := json.Unmarshal([]byte(data[1]), &d); err != nil {
		t.Fatal(err)
	}
	var scans []string
	for _, pt := range d.PT {
		for _, i := range pt[4] {
			scans = append(scans, d.S[i])
		}
	}
	if got := strings.Join(scans, "\n"); !strings.Contains(got, "passed: ready; 7 patches missing") || !strings.Contains(got, "failed: the patch scan failed (exit 1)") {
		t.Errorf("the node table's scan results: %q", scans)
	}
}
