package render

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
)

// orgPlan is a plan across three accounts: the small plan's nodes in one
// target, the big plan's in another, a compliant target, and an account
// whose role could not be assumed.
func orgPlan() plan.Plan {
	small, big := smallPlan(), bigPlan(true)
	quiet := plan.Build([]fleet.Node{probed(n("i-0000000000000000c", "3.3.1142.0", "Ubuntu", "22.04"))}, nil, opts(true))
	o := opts(true)
	o.Region, o.Account = "", ""
	return plan.Merge([]plan.Part{
		{Target: plan.Target{Account: "111111111111", AccountName: "management", Region: "us-east-1"}, Plan: &small},
		{Target: plan.Target{Account: "200000000001", AccountName: "workload-001", Region: "eu-west-1"}, Plan: &big},
		{Target: plan.Target{Account: "200000000001", AccountName: "workload-001", Region: "us-east-1"}, Plan: &quiet},
		{Target: plan.Target{Account: "333333333333", AccountName: "sandbox", Region: "us-east-1", Failure: &plan.TargetFailure{
			Kind: "role", Reason: "cannot assume the role in account 333333333333: AccessDenied", Advice: "create the role"}}},
	}, o)
}

func TestPlanAcrossTargetsGolden(t *testing.T) {
	for _, tt := range []struct {
		golden string
		f      Format
	}{{"targets.txt", Text}, {"targets.md", Markdown}} {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Plan(&buf, orgPlan(), tt.f, Options{}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("output differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

// Each account and region reads as its own plan, in account then region
// order, and the failed target says why and what to do.
func TestPlanAcrossTargetsGroupsByAccountThenRegion(t *testing.T) {
	var buf bytes.Buffer
	if err := Plan(&buf, orgPlan(), Text, Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	mgmt := strings.Index(out, "── 111111111111 (management) · us-east-1 ──")
	work := strings.Index(out, "── 200000000001 (workload-001) · eu-west-1 ──")
	failed := strings.Index(out, "✗ 333333333333 (sandbox) · us-east-1: cannot assume the role")
	if mgmt < 0 || work < 0 || failed < 0 || !(mgmt < work && work < failed) {
		t.Fatalf("sections out of order or missing (%d, %d, %d):\n%s", mgmt, work, failed, out)
	}
	if strings.Contains(out, "── 200000000001 (workload-001) · us-east-1 ──") {
		t.Error("a target with nothing to change has a section")
	}
	// The payload bucket named is the target's own region's.
	if !strings.Contains(out[mgmt:work], "aws-ssm-us-east-1/") || strings.Contains(out, "aws-ssm-eu-west-1/") {
		t.Error("the payload URL is not the target region's")
	}
	if !strings.HasSuffix(strings.TrimSpace(out), "1 target was not planned (see Failed targets).") {
		t.Errorf("summary line: %q", out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	}
}

func TestApplyReportAcrossTargets(t *testing.T) {
	rep := NewApplyReport("20260302T090000Z-abcdef", "/state/runs/x.jsonl", 3, converge.Report{
		Outcomes: []converge.Outcome{
			{InstanceID: "i-1", Account: "111111111111", Region: "us-east-1", State: converge.StateVerified},
			{InstanceID: "i-2", Account: "200000000001", Region: "eu-west-1", State: converge.StateFailed, Reason: "agent update failed"},
		},
		Counts: map[converge.State]int{converge.StateVerified: 1, converge.StateFailed: 1},
	}, 4)
	rep.Targets = []TargetReport{
		{Account: "111111111111", AccountName: "management", Region: "us-east-1", Status: "applied", Targeted: 1, Counts: map[string]int{"verified": 1}},
		{Account: "200000000001", Region: "eu-west-1", Status: "applied", Targeted: 1, Counts: map[string]int{"failed": 1}},
		{Account: "333333333333", Region: "us-east-1", Status: "failed", Failure: &plan.TargetFailure{Kind: "role", Reason: "cannot assume the role", Advice: "create it"}},
	}
	var buf bytes.Buffer
	if err := Report(&buf, rep, Text, Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"  ACCOUNT       NAME        REGION     TARGETED  VERIFIED  FAILED  TIMED OUT  STATUS\n",
		"  333333333333  -           us-east-1  0         0         0       0          FAILED (role)\n",
		"  ✓ 111111111111/us-east-1/i-1",
		"  ✗ 333333333333 · us-east-1: cannot assume the role\n      what to do: create it\n",
		"1 target of 3 failed; the others ran (exit code 4).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
