package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The README shows what the demo prints. The demo is deterministic but for
// the clock, so the page is held to a real run: only the creation time and
// the simulated durations may differ.
func TestREADMEDemoOutputIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo with the built binary")
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	const lead = "What the demo prints"
	i := strings.Index(readme, lead)
	if i < 0 {
		t.Fatalf("README has no %q paragraph", lead)
	}
	body, ok := strings.CutPrefix(readme[i+strings.Index(readme[i:], "```text\n"):], "```text\n")
	if !ok {
		t.Fatal("no ```text block after the demo paragraph")
	}
	shown := body[:strings.Index(body, "```\n")]

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testBinary(t), "demo")
	cmd.Env = append(binaryEnv(t), "XDG_STATE_HOME="+t.TempDir())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, tail(stderr.String(), 20))
	}
	if got, want := normalizeDemo(string(out)), normalizeDemo(shown); got != want {
		t.Errorf("README's demo output is not what the demo prints; paste the demo's stdout into the block.\n--- README\n%s\n--- demo\n%s", want, got)
	}
}

var (
	reCreatedLine = regexp.MustCompile(`(?m)^(\s*Created:\s+).*$`)
	reDuration    = regexp.MustCompile(`\b(after|in) (\d+h)?(\d+m)?\d+(\.\d+)?s\b`)
)

// normalizeDemo blanks what changes from run to run: when the plan was
// made (and by which build), and how long the simulated fleet took.
func normalizeDemo(s string) string {
	s = reCreatedLine.ReplaceAllString(s, "${1}(time)")
	return reDuration.ReplaceAllString(s, "$1 (duration)")
}
