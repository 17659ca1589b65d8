package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/ssmsim"
)

// Issue #15 item 2: narrowing flags with a saved plan apply a subset of
// what was reviewed, and say so. Before, `apply plan.json
// --exclude-instance-ids A` updated A anyway.
func TestApplyNarrowsSavedPlan(t *testing.T) {
	sim, global := endpointSim(t, endpointFleet())
	dir := t.TempDir()
	file := filepath.Join(dir, "plan.json")
	args := func(a ...string) []string { return append(append([]string{}, a...), global...) }
	if code, _, errOut := runCLI(t, args("plan", "--no-probe", "--out", file)...); code != ExitOK {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}

	code, out, errOut := runCLI(t, args("apply", file, "--exclude-instance-ids", "i-00000000000000e01", "--poll-interval", "20ms", "--timeout", "30s",
		"--state-dir", filepath.Join(dir, "state"))...)
	if code != ExitOK {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "Narrowed the saved plan "+file+" to --exclude-instance-ids i-00000000000000e01: 2 of its 3 nodes to fix.") {
		t.Errorf("the narrowing is not said:\n%s", errOut)
	}
	if !regexp.MustCompile(`(?m)^Apply complete after .*: 2 verified, 0 failed, 0 timed out, 0 interrupted, 0 not started \(of 2 targeted\)\.$`).MatchString(out) {
		t.Errorf("summary:\n%s", out)
	}
	sim.WithRegion("us-east-1", func(r *ssmsim.Region) {
		if n, _ := r.Node("i-00000000000000e01"); n.AgentVersion != "2.0.790.0" {
			t.Errorf("the excluded node was updated to %s", n.AgentVersion)
		}
		for _, id := range []string{"i-00000000000000e02", "i-00000000000000e03"} {
			if n, _ := r.Node(id); n.AgentVersion != ssmsim.DefaultLatestAgentVersion {
				t.Errorf("%s: agent %s", id, n.AgentVersion)
			}
		}
	})

	// A node the plan does not have is refused: it was never reviewed.
	code, _, errOut = runCLI(t, args("apply", file, "--instance-ids", "i-00000000000000e01,i-00000000000000f00", "--state-dir", filepath.Join(dir, "state"))...)
	if code != ExitError || !strings.Contains(errOut, "not in the plan: i-00000000000000f00") {
		t.Errorf("narrowing to an unreviewed node: exit %d\n%s", code, errOut)
	}
}

// Issue #15 item 7: a plan made for another region is refused, with the
// region named first, before anything is read or created. Before, the
// apply went ahead in the other region (the simulator serves one fleet in
// every region, so nothing looked stale).
func TestApplyRefusesPlanOfAnotherRegion(t *testing.T) {
	sim, global := endpointSim(t, endpointFleet())
	dir := t.TempDir()
	file := filepath.Join(dir, "plan.json")
	if code, _, errOut := runCLI(t, append([]string{"plan", "--no-probe", "--out", file}, global...)...); code != ExitOK {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	before := sim.Stats().Total().Calls
	// The last --region wins, as for any flag.
	code, _, errOut := runCLI(t, append(append([]string{"apply", file, "--state-dir", dir}, global...), "--region", "eu-west-1")...)
	want := "Error: " + file + " was made for region us-east-1, but this apply would run in eu-west-1"
	if code != ExitError || !strings.HasPrefix(errOut, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to start %q", code, errOut, want)
	}
	if n := sim.Stats().Total().Calls - before; n != 0 {
		t.Errorf("%d API calls before refusing", n)
	}
}
