package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/render"
	"github.com/patchready/patchready/internal/ssmsim"
)

// Sample-fleet nodes the scan tests follow (internal/ssmsim/sample-fleet.yaml).
const (
	scanFooled  = "i-0a1b2c3d4e5f60082" // passes every preflight check; its repositories are out of reach
	scanPatches = "i-0a1b2c3d4e5f60012" // compliant, 2 patches missing
	scanWindows = "i-0a1b2c3d4e5f60042" // Windows, compliant, 7 missing, 1 waiting for a reboot
	scanOld     = "i-0a1b2c3d4e5f60013" // agent below the floor
)

// clockSim serves the sample fleet on 127.0.0.1 with a fleet clock 1,000
// times faster than real time, and returns a command runner whose factory
// waits on that same clock: plan --scan's polls (15 s, growing to a
// minute) and apply's then cost milliseconds, as in the engine's tests.
func clockSim(t *testing.T) (*ssmsim.Server, func(args ...string) (int, string, string)) {
	t.Helper()
	clk := clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 1000)
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: 5, Fleets: map[string]ssmsim.Fleet{"*": ssmsim.SampleFleet()}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	_, global := endpointSim(t, ssmsim.Fleet{}) // the environment of a pipeline with no AWS of its own
	for i, a := range global {
		if a == "--endpoint-url" {
			global[i+1] = srv.URL
		}
	}
	run := func(args ...string) (int, string, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var out, errOut bytes.Buffer
		f := NewFactory(&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
		f.Clock = clk
		if args[0] != "show" && args[0] != "report" { // they make no call to AWS, and refuse its flags
			args = append(args, global...)
		}
		code := run(ctx, f, args)
		return code, out.String(), errOut.String()
	}
	return sim, run
}

// The commands a change board's run uses, end to end against the
// simulator: plan --scan shows what the preflight could not see and what
// Patch Manager recorded, show reads it back from the file, apply
// --scan=all of that plan verifies every node it targets with the patch
// state in -o json, apply --scan=all of a plan made without the scan fails
// the fooled node with the scan's own reason, and the HTML report shows
// the run's patch states.
func TestPlanScanApplyScanAndReport(t *testing.T) {
	sim, patchready := clockSim(t)
	dir := t.TempDir()
	file, stateDir := filepath.Join(dir, "plan.json"), filepath.Join(dir, "state")
	ids := strings.Join([]string{scanFooled, scanPatches, scanWindows, scanOld}, ",")

	code, out, errOut := patchready("plan", "--scan", "--instance-ids", ids, "--out", file)
	if code != ExitOK {
		t.Fatalf("plan --scan exited %d\n%s", code, errOut)
	}
	for _, want := range []string{
		"Patch scan:     ran (plan --scan)",
		"# Patch Manager's scan failed: 1 node",
		scanFooled + "  Amazon Linux 2023  the patch scan failed (exit 1): the node could not reach its package repositories",
		scanPatches + "  Amazon Linux 2", "ready; 2 patches missing",
		"ready; 7 patches missing, 1 patch waiting for a reboot",
		"Patch Manager's, not patchready's",
		"Patch Manager's scan: 3 passed, 1 failed.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan --scan output lacks %q:\n%s", want, out)
		}
	}
	scans := sim.Stats().Calls("SendCommand")
	code, js, errOut := patchready("show", file, "-o", "json")
	if code != ExitOK {
		t.Fatalf("show -o json exited %d\n%s", code, errOut)
	}
	p, err := plan.Load(strings.NewReader(js))
	if err != nil {
		t.Fatalf("show -o json is not the plan file: %v", err)
	}
	for _, np := range p.Nodes {
		if np.Node.InstanceID == scanFooled && (np.Scan == nil || np.Scan.Passed || !strings.Contains(np.Scan.Detail, "Failed to download metadata")) {
			t.Errorf("the plan file's scan of %s: %+v", scanFooled, np.Scan)
		}
	}

	code, js, errOut = patchready("apply", file, "--scan=all", "-o", "json", "--poll-interval", "10s", "--state-dir", stateDir)
	if code != ExitOK {
		t.Fatalf("apply PLAN --scan=all exited %d\n%s\n%s", code, js, errOut)
	}
	var rep render.ApplyReport
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("apply -o json: %v\n%s", err, js)
	}
	states := map[string]string{}
	for _, o := range rep.Outcomes {
		summary := "no patch state"
		if o.PatchState != nil {
			summary = o.PatchState.Summary()
		}
		states[o.InstanceID] = string(o.State) + ": " + summary
	}
	for id, want := range map[string]string{
		scanPatches: "verified: ready; 2 patches missing",
		scanWindows: "verified: ready; 7 patches missing, 1 patch waiting for a reboot",
		scanOld:     "verified: ready;",
	} {
		if !strings.HasPrefix(states[id], want) {
			t.Errorf("%s: %q, want %q", id, states[id], want)
		}
	}
	if _, ok := states[scanFooled]; ok || len(states) != 3 {
		t.Errorf("outcomes %v: the node plan --scan blocked must not be targeted", states)
	}
	// The old agent is updated through an association; the commands are
	// the scans alone, one per platform: the compliant Linux node's scan
	// waits for the updated one's, which comes once its new agent is read
	// back.
	if n := sim.Stats().Calls("SendCommand") - scans; n != 2 {
		t.Errorf("apply sent %d commands, want 2 scans (Linux, Windows)", n)
	}

	// The same node through a plan made without the scan: the preflight
	// calls it compliant, Patch Manager's scan fails it.
	code, js, errOut = patchready("apply", "--auto-approve", "--instance-ids", scanFooled, "--scan=all", "-o", "json", "--poll-interval", "10s", "--state-dir", stateDir)
	if code != ExitNotCompliant {
		t.Fatalf("apply --scan=all of the fooled node exited %d, want %d\n%s\n%s", code, ExitNotCompliant, js, errOut)
	}
	var fooled struct {
		RunID    string `json:"run_id"`
		Outcomes []struct {
			InstanceID string `json:"instance_id"`
			State      string `json:"state"`
			Reason     string `json:"reason"`
			Detail     string `json:"detail"`
		} `json:"outcomes"`
	}
	if err := json.Unmarshal([]byte(js), &fooled); err != nil {
		t.Fatal(err)
	}
	if len(fooled.Outcomes) != 1 || fooled.Outcomes[0].State != "failed" ||
		!strings.Contains(fooled.Outcomes[0].Reason, "could not reach its package repositories") ||
		!strings.Contains(fooled.Outcomes[0].Detail, "Failed to download metadata for repo") {
		t.Errorf("the fooled node: %+v", fooled.Outcomes)
	}

	html := filepath.Join(dir, "report.html")
	code, _, errOut = patchready("report", file, "--run", rep.RunID, "--state-dir", stateDir, "--out", html)
	if code != ExitOK {
		t.Fatalf("report exited %d\n%s", code, errOut)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Scanned by Patch Manager (3)", "ready; 7 patches missing, 1 patch waiting for a reboot",
		"Patching them is the next step, and it is Patch Manager&#39;s, not patchready&#39;s"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
}

// A compliant fleet has no changes, but --scan=all still has work: apply
// and heal --once scan it (and change nothing on it) instead of stopping
// at "no changes".
func TestScanAllOfACompliantFleetScans(t *testing.T) {
	sim, patchready := clockSim(t)
	ids := scanPatches + "," + scanWindows
	for _, args := range [][]string{
		{"apply", "--auto-approve", "--instance-ids", ids, "--scan=all", "-o", "json", "--poll-interval", "10s", "--state-dir", t.TempDir()},
		{"heal", "--once", "--instance-ids", ids, "--scan=all", "-o", "json", "--poll-interval", "10s", "--interval", "1h", "--state-dir", t.TempDir()},
	} {
		t.Run(args[0], func(t *testing.T) {
			before := sim.Stats().Snapshot()
			code, js, errOut := patchready(args...)
			if code != ExitOK {
				t.Fatalf("exit %d\n%s\n%s", code, js, errOut)
			}
			var doc struct {
				Result   string `json:"result"`
				Outcomes []struct {
					InstanceID string          `json:"instance_id"`
					State      string          `json:"state"`
					PatchState json.RawMessage `json:"patch_state"`
				} `json:"outcomes"`
			}
			if err := json.Unmarshal([]byte(js), &doc); err != nil {
				t.Fatalf("%v\n%s", err, js)
			}
			if len(doc.Outcomes) != 2 {
				t.Fatalf("outcomes %+v: want both compliant nodes scanned", doc.Outcomes)
			}
			for _, o := range doc.Outcomes {
				if o.State != "verified" || len(o.PatchState) == 0 {
					t.Errorf("%s: %s, patch state %s; want verified by its scan", o.InstanceID, o.State, o.PatchState)
				}
			}
			if args[0] == "heal" && doc.Result != "compliant" {
				t.Errorf("heal result %q", doc.Result)
			}
			after := sim.Stats().Snapshot()
			if n := after["CreateAssociation"].Calls - before["CreateAssociation"].Calls; n != 0 {
				t.Errorf("%d associations created on a compliant fleet", n)
			}
			// The probe of the one Linux node, then one scan per platform.
			if n := after["SendCommand"].Calls - before["SendCommand"].Calls; n != 3 {
				t.Errorf("%d commands; want the probe and 2 scans", n)
			}
		})
	}
}
