package bench

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

// buildBinary builds patchready for the tests that run the simulator, and
// show, as separate processes.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the patchready binary")
	}
	bin := filepath.Join(t.TempDir(), "patchready")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/patchready/patchready/cmd/patchready").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestExternalPlanOnly(t *testing.T) {
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := Run(ctx, Scenario{
		Nodes: 1000, External: true, PlanOnly: true, Binary: bin,
		Logger: zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := WriteTable(&buf, []Result{r}); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + buf.String())
	for _, o := range r.Ops {
		if o.Op == "DescribeInstanceInformation" && o.Counted != o.Minimum {
			t.Errorf("discovery: %d calls, want the minimum %d", o.Counted, o.Minimum)
		}
		if o.Op == "CreateAssociation" {
			t.Errorf("a plan-only run made %d CreateAssociation calls", o.Calls)
		}
	}
	if r.FailedCalls != 0 {
		t.Errorf("%d calls failed; want 0", r.FailedCalls)
	}
	// Show ran on the saved file and exited 0 (Run fails otherwise).
	if r.PlanFileBytes == 0 || r.ShowWall == 0 {
		t.Errorf("plan file %d bytes, show took %s: want both measured", r.PlanFileBytes, r.ShowWall)
	}
}
