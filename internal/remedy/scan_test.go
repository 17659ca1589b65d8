package remedy

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/runcmd"
)

func TestScanVerifiesOnlyWhatPatchManagerRecorded(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	opts, journal := testOptions(t, "20260302T090000Z-0000c1")
	const (
		linuxOK   = "i-0000000000000000a"
		linuxFail = "i-0000000000000000b"
		windows   = "i-0000000000000000c"
		noState   = "i-0000000000000000d"
	)
	nodes := []fleet.Node{
		{InstanceID: linuxOK, PlatformType: fleet.PlatformLinux}, {InstanceID: linuxFail, PlatformType: fleet.PlatformLinux},
		{InstanceID: windows, PlatformType: fleet.PlatformWindows}, {InstanceID: noState, PlatformType: fleet.PlatformLinux},
	}
	s, err := NewScan(api, nodes, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, []string{linuxOK, linuxFail, windows, noState}); err != nil {
		t.Fatal(err)
	}
	// One command per platform, each a read-only scan that never reboots.
	if len(api.cmds) != 2 {
		t.Fatalf("%d scan commands, want one per platform", len(api.cmds))
	}
	for _, c := range api.cmds {
		if aws.ToString(c.DocumentName) != documents.RunPatchBaselineDocumentName || c.Parameters["Operation"][0] != "Scan" || c.Parameters["RebootOption"][0] != "NoReboot" {
			t.Errorf("scan command %s %v", aws.ToString(c.DocumentName), c.Parameters)
		}
	}
	api.patchStates[linuxOK] = types.InstancePatchState{InstanceId: aws.String(linuxOK), MissingCount: 7, Operation: types.PatchOperationTypeScan}
	api.patchStates[windows] = types.InstancePatchState{InstanceId: aws.String(windows), InstalledPendingRebootCount: aws.Int32(2), Operation: types.PatchOperationTypeScan}
	api.finish(api.commandOf(linuxOK), linuxOK, types.CommandInvocationStatusSuccess, documents.PatchLinuxStepName, "scan done")
	api.finish(api.commandOf(noState), noState, types.CommandInvocationStatusSuccess, documents.PatchLinuxStepName, "scan done")
	api.finish(api.commandOf(windows), windows, types.CommandInvocationStatusSuccess, documents.PatchWindowsStepName, "")
	api.finish(api.commandOf(linuxFail), linuxFail, types.CommandInvocationStatusFailed, documents.PatchLinuxStepName,
		"Using python binary: 'python2.7'\nDownloading payload from https://s3.dualstack.us-east-1.amazonaws.com/...\nUnable to download payload: https://s3.dualstack.us-east-1.amazonaws.com/....")
	res, err := s.Results(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[linuxOK]; !r.OK || r.PatchState == nil || r.PatchState.Missing != 7 || !strings.Contains(r.Reason, "ready; 7 patches missing") {
		t.Errorf("scanned node: %+v", r)
	}
	if r := res[windows]; !r.OK || !strings.Contains(r.Reason, "2 patches waiting for a reboot") {
		t.Errorf("Windows node read from PatchWindows: %+v", r)
	}
	if r := res[noState]; r.OK {
		t.Errorf("a scan Patch Manager recorded nothing of was called verified: %+v", r)
	}
	if r := res[linuxFail]; r.OK || !strings.Contains(r.Reason, "could not download its payload [payload]") ||
		!strings.Contains(r.Reason, "what to do: give the node outbound HTTPS") || !strings.Contains(r.Detail, "Unable to download payload") {
		t.Errorf("failed scan: %+v", r)
	}
	if n := api.calls["DescribeInstancePatchStates"]; n != 1 {
		t.Errorf("DescribeInstancePatchStates calls = %d, want one for the nodes that passed", n)
	}
	if st, _ := ReadJournal(journal); len(st.Live) != 2 {
		t.Errorf("journal holds %d scan commands, want 2", len(st.Live))
	}
}

func TestScanFailureNamesTheCause(t *testing.T) {
	for _, tt := range []struct {
		name   string
		code   int32
		output string
		want   string
	}{
		{"python combination", 1, "An unsupported package manager and python version combination was found.\nApt requires Python3 to be installed.", "[patch-python]"},
		{"yum import", 1, "Unable to import yum module on python2.7\nUnable to import yum module, please check version compatibility between Yum and Python", "cannot import yum [patch-python]"},
		{"payload by exit code", 156, "Error code returned from curl is 7", "could not download its payload [payload]"},
		{"noexec", 126, "/bin/sh: ./main_entrance.py: Permission denied", "noexec) [workdir-exec]"},
		{"no space", 1, "OSError: [Errno 28] No space left on device", "out of space in /var [var-space]"},
		{"yum lock", 1, "Another app is currently holding the yum lock; another process has acquired yum lock", "held the lock; what to do: let the other run finish"},
		{"dead repository", 1, "Error: Failed to download metadata for repo 'appstream'", "could not reach its package repositories"},
		{"unknown", 3, "something else", "failed (exit 3); its output's last lines are in the journal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := scanFailure(runcmd.Result{Status: types.CommandInvocationStatusFailed, Finished: true, StepFound: true, ResponseCode: tt.code, Output: tt.output})
			if r.OK || !strings.Contains(r.Reason, tt.want) {
				t.Errorf("reason %q, want it to contain %q", r.Reason, tt.want)
			}
			if r.Detail == "" {
				t.Error("the output's tail was not kept")
			}
		})
	}
	// A scan that never ran says so, not a cause on the node.
	r := scanFailure(runcmd.Result{Status: types.CommandInvocationStatusTimedOut, Details: "DeliveryTimedOut", Finished: true})
	if !strings.Contains(r.Reason, "patch scan not delivered") {
		t.Errorf("undelivered scan: %q", r.Reason)
	}
}
