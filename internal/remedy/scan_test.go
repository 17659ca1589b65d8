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
		// The package managers' own words, as the patch run logs them.
		{"yum base URL", 1, "root [ERROR]: One of the configured repositories failed (Unknown),\nroot [ERROR]: Cannot find a valid baseurl for repo: amzn2-core/2/x86_64",
			"could not reach its package repositories; what to do: let the node reach its repositories"},
		{"yum mirrors", 1, "https://cdn.amazonlinux.com/2/core/2.0/x86_64/repodata/repomd.xml: [Errno 12] Timeout\nTrying other mirror.\nNo more mirrors to try.",
			"could not reach its package repositories"},
		{"zypper repository", 1, "root [ERROR]: Repository 'SLE-Module-Basesystem15-SP5-Updates' is invalid.", "could not reach its package repositories"},
		{"apt lists lock", 1, "root [ERROR]: E: Could not get lock /var/lib/apt/lists/lock. It is held by process 3121 (unattended-upgr)\nroot [ERROR]: E: Unable to lock directory /var/lib/apt/lists/",
			"another package manager run held the lock"},
		{"dpkg frontend lock", 1, "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 3121 (unattended-upgr)\n" +
			"E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?", "held the lock"},
		{"dnf lock", 1, "root [ERROR]: Waiting for process with pid 3121 to finish.\nroot [ERROR]: Error: Failed to obtain the transaction lock (logged in as: root).", "held the lock"},
		{"old requests behind a proxy", 143, "root [ERROR]: Get Snapshot failed\nroot [ERROR]: requests 2.6.0 cannot reach ssm.us-east-1.amazonaws.com through the proxy: ProxyError('Cannot connect to proxy.')",
			"snapshot through the proxy: the patch run's requests is too old for it [requests]; what to do: "},
		{"exit 143 without the snapshot error is not requests", 143, "Terminated", "failed (exit 143); its output's last lines"},
		{"windows 2003", -1, "\n----------ERROR-------\nThis command is not supported on Windows 2003 or lower.\nfailed to run commands: exit status -1",
			"does not support Windows Server 2003 or lower [os-supported]"},
		{"windows old agent", -1, "This command is not supported with SSM Agent version less than 2.0.834.0.\n", "needs SSM Agent 2.0.834.0 or later [agent-version]"},
		{"payload that will not load", 156, "root [INFO]: Attempting to import entrance file os_selector\nroot [ERROR]: Error loading entrance module.\n" +
			"Traceback (most recent call last):\nImportError: No module named os_selector\n----------ERROR-------\nError loading patching payload",
			"downloaded its payload but its Python could not load it"},
		{"no wget, Python 3", 1, "root [INFO]: Downloading payload from https://s3.dualstack.us-east-1.amazonaws.com/aws-ssm-us-east-1/x.tar.gz\n" +
			"----------ERROR-------\nTraceback (most recent call last):\nFileNotFoundError: [Errno 2] No such file or directory: 'wget'\nfailed to run commands: exit status 1",
			"neither curl nor wget to download its payload [downloader]"},
		{"no wget, Python 2", 1, "root [INFO]: Downloading payload from https://s3.dualstack.us-east-1.amazonaws.com/aws-ssm-us-east-1/x.tar.gz\n" +
			"----------ERROR-------\nTraceback (most recent call last):\nOSError: [Errno 2] No such file or directory\nfailed to run commands: exit status 1",
			"neither curl nor wget to download its payload [downloader]"},
		{"another missing file is not the downloader", 1, "OSError: [Errno 2] No such file or directory: '/etc/yum.conf'", "failed (exit 1); its output's last lines"},
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
	r = scanFailure(runcmd.Result{Status: types.CommandInvocationStatusFailed, Details: "InvalidPlatform", Finished: true, StepFound: true, ResponseCode: -1})
	if !strings.Contains(r.Reason, "cannot run on this platform (InvalidPlatform)") {
		t.Errorf("a step SSM refused: %q", r.Reason)
	}
	// Whatever the first message, the payload's loading error decides:
	// exit 156 there is not a download failure.
	r = scanFailure(runcmd.Result{Status: types.CommandInvocationStatusFailed, Finished: true, StepFound: true, ResponseCode: 156,
		Output: "Error loading patching payload"})
	if strings.Contains(r.Reason, "[payload]") {
		t.Errorf("a payload that did not load was called a download failure: %q", r.Reason)
	}
}

// TestScanThatSkippedRepositoriesIsNotReady: dnf with skip_if_unavailable
// skips repositories it cannot reach and the scan succeeds, knowing of no
// patch in them. Patch Manager cannot patch what it cannot see: the node
// fails, with the repositories as the cause.
func TestScanThatSkippedRepositoriesIsNotReady(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	opts, _ := testOptions(t, "20260302T090000Z-0000c2")
	const (
		skipped = "i-0000000000000001a"
		clean   = "i-0000000000000001b"
	)
	s, err := NewScan(api, []fleet.Node{{InstanceID: skipped, PlatformType: fleet.PlatformLinux}, {InstanceID: clean, PlatformType: fleet.PlatformLinux}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, []string{skipped, clean}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{skipped, clean} {
		api.patchStates[id] = types.InstancePatchState{InstanceId: aws.String(id), Operation: types.PatchOperationTypeScan}
	}
	api.finish(api.commandOf(skipped), skipped, types.CommandInvocationStatusSuccess, documents.PatchLinuxStepName,
		"root [INFO]: Operation type: Scan\nroot [WARNING]: Ignoring repositories: amazonlinux\nroot [INFO]: Patch compliance summary: Installed=388 InstalledOther=3 Missing=0")
	api.finish(api.commandOf(clean), clean, types.CommandInvocationStatusSuccess, documents.PatchLinuxStepName,
		"root [INFO]: Patch compliance summary: Installed=388 InstalledOther=3 Missing=4")
	res, err := s.Results(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[skipped]; r.OK || !strings.Contains(r.Reason, `skipped repositories it could not reach ("Ignoring repositories: amazonlinux")`) ||
		!strings.Contains(r.Reason, "what to do: let the node reach its repositories") || r.PatchState != nil {
		t.Errorf("scan that skipped repositories: %+v", r)
	}
	if r := res[clean]; !r.OK {
		t.Errorf("a clean scan: %+v", r)
	}
}
