package report

import (
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/plan"
)

// A run made with --scan records each scanned node's patch state in its
// journal; the report reads it back and lists those nodes apart.
func TestReadRunKeepsPatchStates(t *testing.T) {
	journal := `{"time":"2026-03-02T09:00:00Z","kind":"run-started","run_id":"r1","strategy":"association"}
{"time":"2026-03-02T09:06:00Z","kind":"node","instance_id":"i-2","state":"verified","reason":"Patch Manager scanned the node: ready; 7 patches missing","patch_state":{"missing":7,"failed":0,"installed":24,"installed_pending_reboot":1,"operation":"Scan"}}
{"time":"2026-03-02T09:07:00Z","kind":"node","instance_id":"i-1","state":"failed","reason":"the patch scan failed (exit 1): the node could not reach its package repositories","detail":"Error: Failed to download metadata for repo 'amazonlinux'"}
{"time":"2026-03-02T09:08:00Z","kind":"run-finished","exit_code":3}
`
	r, err := ReadRun(strings.NewReader(journal))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Scanned) != 1 || r.Scanned[0].InstanceID != "i-2" || r.Scanned[0].PatchState.Summary() != "ready; 7 patches missing, 1 patch waiting for a reboot" {
		t.Errorf("scanned: %+v", r.Scanned)
	}
	if r.Nodes["i-1"].PatchState != nil || len(r.Failures) != 1 {
		t.Errorf("the failed scan: %+v, failures %+v", r.Nodes["i-1"], r.Failures)
	}
}

// A node blocked by a failed scan that points at no check is a cause the
// report names and advises on like any check.
func TestScanCauseHasATitleAndAdvice(t *testing.T) {
	if CheckTitle(plan.ScanCheck) != plan.ScanHeading || CheckAdvice(plan.ScanCheck) != plan.ScanAdvice {
		t.Errorf("scan cause: %q, %q", CheckTitle(plan.ScanCheck), CheckAdvice(plan.ScanCheck))
	}
}
