package cli

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/unmanaged"
)

// implied are the actions AWS authorizes on a call besides the call's own
// (the Service Authorization Reference's "dependent actions"): they have
// no operation of their own in the source.
var implied = map[string]string{
	"iam:PassRole": "ec2:AssociateIamInstanceProfile passes the profile's role to EC2; ssm:UpdateServiceSetting of the Default Host Management setting passes its role to Systems Manager",
}

// The policy must grant every operation the tool's code calls, and nothing
// it does not: the test reads the source the way a reviewer would, finding
// each request type (ssm.XInput, ec2.XInput, iam.XInput) and paginator
// (ssm.NewXPaginator, ...). Resources are held to the calls by
// TestIAMPolicyAllowsEveryCallOnItsResource.
func TestIAMPolicyGrantsExactlyWhatTheCodeCalls(t *testing.T) {
	called := operationsInSource(t, filepath.Join("..", ".."))
	granted := map[string]bool{}
	for _, s := range policyStatements(t) {
		for _, a := range actions(s.Action) {
			granted[a] = true
		}
	}
	var missing, unused []string
	for op := range called {
		if !granted[op] {
			missing = append(missing, op)
		}
	}
	for op := range granted {
		if !called[op] && implied[op] == "" {
			unused = append(unused, op)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 {
		t.Errorf("the code calls operations the IAM policy does not grant: %v", missing)
	}
	if len(unused) > 0 {
		t.Errorf("the IAM policy grants operations no code calls (not least privilege): %v", unused)
	}
	if len(called) < 20 || !called["ec2:DescribeInstances"] || !called["iam:CreateRole"] {
		t.Fatalf("found only %d operations in the source: the scan is broken", len(called))
	}
}

func TestIAMPolicyReadOnlyIsAStrictSubset(t *testing.T) {
	ro, err := iamPolicy(true, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"ssm:CreateAssociation", "ssm:CreateMaintenanceWindow", "ssm:DeleteAssociation", "ssm:UpdateServiceSetting",
		"ec2:AssociateIamInstanceProfile", "iam:CreateRole", "iam:AttachRolePolicy", "iam:PassRole"} {
		if strings.Contains(ro, op) {
			t.Errorf("--read-only policy grants %s", op)
		}
	}
	for _, op := range []string{"ssm:DescribeInstanceInformation", "patchready-Probe", "ec2:DescribeInstances", "iam:GetInstanceProfile",
		"iam:ListAttachedRolePolicies", "ssm:GetServiceSetting"} {
		if !strings.Contains(ro, op) {
			t.Errorf("--read-only policy lacks %s, which plan needs:\n%s", op, ro)
		}
	}
}

// The write actions of the fixes are opt-in: each fix's statements, and
// only those, come with --unmanaged-fixes NAME; every Fix statement
// belongs to exactly one fix.
func TestIAMPolicyFixesAreOptIn(t *testing.T) {
	full, err := iamPolicy(false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(full, `"Fix`) {
		t.Errorf("the default policy grants a fix's statements:\n%s", full)
	}
	owner := map[string]unmanaged.FixKind{}
	for _, f := range unmanaged.Fixes() {
		for _, sid := range f.PolicySids {
			if o, dup := owner[sid]; dup {
				t.Errorf("statement %s claimed by %s and %s", sid, o, f.Kind)
			}
			owner[sid] = f.Kind
		}
		out, err := iamPolicy(false, []unmanaged.FixKind{f.Kind})
		if err != nil {
			t.Fatal(err)
		}
		var doc iamDoc
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range doc.Statement {
			if strings.HasPrefix(s.Sid, "Fix") {
				got = append(got, s.Sid)
			}
		}
		if strings.Join(got, ",") != strings.Join(f.PolicySids, ",") {
			t.Errorf("--unmanaged-fixes %s gives %v, want %v", f.Kind, got, f.PolicySids)
		}
	}
	for _, s := range policyStatements(t) {
		if strings.HasPrefix(s.Sid, "Fix") && owner[s.Sid] == "" {
			t.Errorf("statement %s belongs to no fix", s.Sid)
		}
	}
	code, _, errOut := runCLI(t, "iam-policy", "--read-only", "--unmanaged-fixes", "all")
	if code == ExitOK || !strings.Contains(errOut, "--unmanaged-fixes cannot be used with --read-only") {
		t.Errorf("--read-only with fixes: exit %d, %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "iam-policy", "--unmanaged-fixes", "enable-everything")
	if code == ExitOK || !strings.Contains(errOut, `unknown fix "enable-everything"`) {
		t.Errorf("unknown fix: exit %d, %s", code, errOut)
	}
}

type policyStatement struct {
	Sid       string
	Effect    string
	Action    any
	Resource  any
	Condition map[string]map[string]any
}

func policyStatements(t *testing.T) []policyStatement {
	t.Helper()
	var doc struct{ Statement []policyStatement }
	if err := json.Unmarshal([]byte(documents.IAMPolicyJSON), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Statement
}

// actions reads a policy's Action or Resource, one string or a list.
func actions(a any) []string {
	switch v := a.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, x.(string))
		}
		return out
	case []string:
		return v
	}
	return nil
}

var reCall = regexp.MustCompile(`\b(ssm|ec2|iam)\.(?:([A-Z]\w+)Input|New([A-Z]\w+)Paginator)\b`)

// operationsInSource returns the AWS operations, as service:Operation,
// named in the non-test Go source of the tool (the simulator models AWS
// and is not the tool).
func operationsInSource(t *testing.T, root string) map[string]bool {
	t.Helper()
	ops := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// The targets package is the hub of a run across accounts: what it
		// calls (ec2:DescribeRegions, Organizations, STS) is granted by
		// --for hub and member, held to it by TestOrgPoliciesGrantWhatTargetsCall.
		if d.IsDir() && (d.Name() == "ssmsim" || d.Name() == "testdata" || d.Name() == "targets" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range reCall.FindAllStringSubmatch(string(b), -1) {
			ops[m[1]+":"+m[2]+m[3]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ops
}
