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
)

// The policy must grant every SSM operation the tool's code calls, and
// nothing it does not: the test reads the source the way a reviewer would,
// finding each request type (ssm.XInput) and paginator (ssm.NewXPaginator).
func TestIAMPolicyGrantsExactlyWhatTheCodeCalls(t *testing.T) {
	called := ssmOperationsInSource(t, filepath.Join("..", ".."))
	granted := map[string]bool{}
	var doc struct {
		Statement []struct {
			Sid    string
			Action any
		}
	}
	if err := json.Unmarshal([]byte(documents.IAMPolicyJSON), &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Statement {
		for _, a := range actions(s.Action) {
			granted[strings.TrimPrefix(a, "ssm:")] = true
		}
	}
	var missing, unused []string
	for op := range called {
		if !granted[op] {
			missing = append(missing, op)
		}
	}
	for op := range granted {
		if !called[op] {
			unused = append(unused, op)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 {
		t.Errorf("the code calls SSM operations the IAM policy does not grant: %v", missing)
	}
	if len(unused) > 0 {
		t.Errorf("the IAM policy grants operations no code calls (not least privilege): %v", unused)
	}
	if len(called) < 10 {
		t.Fatalf("found only %d operations in the source: the scan is broken", len(called))
	}
}

func TestIAMPolicyReadOnlyIsAStrictSubset(t *testing.T) {
	ro, err := iamPolicy(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"ssm:CreateAssociation", "ssm:CreateMaintenanceWindow", "ssm:DeleteAssociation"} {
		if strings.Contains(ro, op) {
			t.Errorf("--read-only policy grants %s", op)
		}
	}
	if !strings.Contains(ro, "ssm:DescribeInstanceInformation") || !strings.Contains(ro, "patchready-Probe") {
		t.Errorf("--read-only policy lacks what plan needs:\n%s", ro)
	}
}

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

var (
	reInput     = regexp.MustCompile(`\bssm\.([A-Z]\w+)Input\b`)
	rePaginator = regexp.MustCompile(`\bssm\.New([A-Z]\w+)Paginator\b`)
)

// ssmOperationsInSource returns the SSM operations named in the non-test Go
// source of the tool (the simulator models AWS and is not the tool).
func ssmOperationsInSource(t *testing.T, root string) map[string]bool {
	t.Helper()
	ops := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "ssmsim" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range reInput.FindAllStringSubmatch(string(b), -1) {
			ops[m[1]] = true
		}
		for _, m := range rePaginator.FindAllStringSubmatch(string(b), -1) {
			ops[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ops
}
