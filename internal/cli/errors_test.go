package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// An AWS failure is reported advice first, then the SDK's own chain as the
// cause, once.
func TestErrorsLeadWithAdvice(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))

	code, _, errOut := runCLI(t, "plan", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9", "--log-level", "error")
	if code != ExitError {
		t.Fatalf("exit %d, want %d\n%s", code, ExitError, errOut)
	}
	if !strings.HasPrefix(errOut, "Error: no AWS credentials found: set AWS_PROFILE") {
		t.Errorf("the advice does not come first:\n%s", errOut)
	}
	if strings.Count(errOut, "no AWS credentials found") != 1 || !strings.Contains(errOut, "\n  cause: describe instances:") {
		t.Errorf("want the advice once and the cause on its own line:\n%s", errOut)
	}

	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	code, _, errOut = runCLI(t, "plan", "--endpoint-url", "http://127.0.0.1:9", "--log-level", "error")
	if code != ExitError || !strings.Contains(errOut, "no AWS region: pass --region or set AWS_REGION") {
		t.Errorf("without a region: exit %d\n%s", code, errOut)
	}
}
