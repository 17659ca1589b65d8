package cli

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Issue #15 item 6: with -o json, stdout is one JSON document (for heal,
// one per line) and nothing else; each document carries format_version,
// keeps every count key at zero, and gives durations as seconds.

// decodeOne decodes s as exactly one JSON value.
func decodeOne(t *testing.T, what, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: stdout is not JSON: %v\n%s", what, err, s)
	}
	if dec.More() {
		t.Fatalf("%s: stdout holds more than one document:\n%s", what, s)
	}
	return v
}

func hasKeys(t *testing.T, what string, m any, keys ...string) {
	t.Helper()
	obj, ok := m.(map[string]any)
	if !ok {
		t.Errorf("%s: not an object: %v", what, m)
		return
	}
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s: no key %q in %v", what, k, obj)
		}
	}
}

func TestJSONOutputs(t *testing.T) {
	_, global := endpointSim(t, endpointFleet())
	dir := t.TempDir()
	args := func(a ...string) []string { return append(append([]string{}, a...), global...) }
	counts := []string{"verified", "failed", "timed-out", "not-started"}

	// apply without a plan file: the plan goes to stderr, the report alone
	// to stdout. Before, the text plan came first on stdout and jq failed.
	code, out, errOut := runCLI(t, args("apply", "--auto-approve", "--no-probe", "--keep-associations", "-o", "json", "--poll-interval", "20ms", "--timeout", "30s",
		"--state-dir", filepath.Join(dir, "state"))...)
	if code != ExitOK {
		t.Fatalf("apply: exit %d\n%s", code, errOut)
	}
	rep := decodeOne(t, "apply -o json", out)
	hasKeys(t, "apply", rep, "format_version", "run_id", "journal", "targets", "counts", "outcomes", "elapsed_seconds", "exit_code")
	hasKeys(t, "apply counts", rep["counts"], counts...)
	if rep["format_version"] != "1.0" || rep["counts"].(map[string]any)["failed"] != 0.0 {
		t.Errorf("apply: %v", rep)
	}
	if _, ok := rep["elapsed_seconds"].(float64); !ok {
		t.Errorf("elapsed_seconds is not a number: %v", rep["elapsed_seconds"])
	}
	if !strings.Contains(errOut, "Plan: 3 to update agent") {
		t.Errorf("the plan was not shown on stderr:\n%s", errOut)
	}

	// plan -o json is the plan file: every action counted, zero or not.
	_, out, _ = runCLI(t, args("plan", "--no-probe", "-o", "json")...)
	p := decodeOne(t, "plan -o json", out)
	hasKeys(t, "plan", p, "format_version", "summary", "nodes", "checksum")
	hasKeys(t, "plan summary", p["summary"], "nodes", "compliant", "fix", "blocked", "actions")
	hasKeys(t, "plan actions", p["summary"].(map[string]any)["actions"], "update-agent", "upgrade-requests")

	// heal --once -o json: one compact document per cycle, one per line.
	code, out, errOut = runCLI(t, args("heal", "--once", "--no-probe", "-o", "json", "--interval", "1h", "--poll-interval", "20ms",
		"--state-dir", filepath.Join(dir, "heal"))...)
	if code != ExitOK || strings.Count(out, "\n") != 1 {
		t.Fatalf("heal: exit %d, stdout %q\n%s", code, out, errOut)
	}
	h := decodeOne(t, "heal -o json", out)
	hasKeys(t, "heal", h, "format_version", "run_id", "started", "finished", "duration_seconds", "result", "summary", "blocked",
		"backing_off", "targets", "counts", "outcomes")
	hasKeys(t, "heal counts", h["counts"], counts...)
	hasKeys(t, "heal summary actions", h["summary"].(map[string]any)["actions"], "update-agent", "upgrade-requests")
	if _, ok := h["duration_seconds"].(float64); !ok || h["result"] != "compliant" {
		t.Errorf("heal: %v", h)
	}
	if b, ok := h["blocked"].([]any); !ok || len(b) != 1 {
		t.Errorf("heal blocked: %v, want the offline node in a list", h["blocked"])
	}

	// schedule show -o json.
	_, out, errOut = runCLI(t, args("schedule", "show", "-o", "json")...)
	s := decodeOne(t, "schedule show -o json", out)
	hasKeys(t, "schedule show", s, "format_version", "associations")
	if a, ok := s["associations"].([]any); !ok || len(a) != 2 {
		t.Errorf("schedule show: %v\n%s", s, errOut)
	} else {
		hasKeys(t, "schedule association", a[0], "name", "exists")
	}

	// cleanup -o json: the document alone on stdout.
	code, out, errOut = runCLI(t, args("cleanup", "--dry-run", "-o", "json")...)
	c := decodeOne(t, "cleanup -o json", out)
	hasKeys(t, "cleanup", c, "format_version", "dry_run", "removed", "kept", "counts")
	hasKeys(t, "cleanup counts", c["counts"], "removed", "kept", "failed")
	if code != ExitOK || c["dry_run"] != true || strings.Contains(out, "would remove") || !strings.Contains(errOut, "would remove") {
		t.Errorf("cleanup: exit %d %v\nstderr:\n%s", code, c, errOut)
	}
	removed, _ := c["removed"].([]any)
	var types []string
	for _, r := range removed {
		types = append(types, r.(map[string]any)["type"].(string))
	}
	if !slices.Contains(types, "association") {
		t.Errorf("cleanup --dry-run lists %v; want the association apply kept", types)
	}
}
