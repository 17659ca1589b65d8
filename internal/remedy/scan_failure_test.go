package remedy

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/runcmd"
)

// scanFailureOf must name exactly what scanFailure says in words, for
// every cause patchready knows and for one it does not: plan --scan
// decides verdicts from the one, and people read the other.
func TestScanFailureOfAgreesWithTheReason(t *testing.T) {
	outputs := []struct {
		code   int32
		output string
		check  prereq.CheckID
	}{
		{1, "An unsupported package manager and python version combination was found.", prereq.CheckPatchPython},
		{1, "Unable to import yum module, please check version compatibility between Yum and Python", prereq.CheckPatchPython},
		{156, "Error code returned from curl is 7", prereq.CheckPayload},
		{1, "IOError: [Errno 28] No space left on device", prereq.CheckVarSpace},
		{126, "/bin/sh: ./main_entrance.py: Permission denied", prereq.CheckWorkdirExec},
		{1, "another process has acquired yum lock, waiting 1 s and retry.", ""},
		{1, "Error: Failed to download metadata for repo 'amazonlinux'", ""},
		{3, "something else entirely", ""},
	}
	for _, o := range outputs {
		r := runcmd.Result{Status: types.CommandInvocationStatusFailed, Finished: true, StepFound: true, ResponseCode: o.code, Output: o.output}
		words, f := scanFailure(r), scanFailureOf(r)
		if f.Check != o.check || f.ExitCode != o.code {
			t.Errorf("%q: check %q exit %d, want %q %d", o.output, f.Check, f.ExitCode, o.check, o.code)
		}
		if f.Check != "" && !strings.Contains(words.Reason, "["+string(f.Check)+"]") {
			t.Errorf("%q: the reason %q does not name check %s", o.output, words.Reason, f.Check)
		}
		if f.Cause == "" {
			if !strings.Contains(words.Reason, "its output's last lines are in the journal") {
				t.Errorf("%q: no cause named, but the reason names one: %q", o.output, words.Reason)
			}
			continue
		}
		if !strings.Contains(words.Reason, f.Cause) || (f.Advice != "" && !strings.Contains(words.Reason, f.Advice)) {
			t.Errorf("%q: reason %q lacks the cause %q or the advice %q", o.output, words.Reason, f.Cause, f.Advice)
		}
	}
	// A scan that never ran has no cause on the node.
	f := scanFailureOf(runcmd.Result{Status: types.CommandInvocationStatusTimedOut, Details: "DeliveryTimedOut", Finished: true, ResponseCode: -1})
	if f.Cause != "" || f.Check != "" {
		t.Errorf("an undelivered scan is given a cause: %+v", f)
	}
}
