package ssmsim

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/ssmsim/host"
)

// scanNode is one node of the scan tests and how its scan must end, as
// Run Command reports it.
type scanNode struct {
	name string
	node Node
	code int32
	// output must be in the step's Output (stdout, then the agent's
	// ERROR section); stderr in StandardErrorContent.
	output, stderr []string
	// counts is the patch state the scan must leave; nil for a failed
	// scan, which leaves none.
	counts *host.PatchCounts
}

// linuxHost is a Linux node of the given index built on a host spec.
func linuxHost(i int, spec host.Spec) Node {
	n := linuxNode(i)
	n.Python, n.Pip, n.Requests = "", "", ""
	n.Host = &spec
	return n
}

func patchCounts(p host.PatchCounts) *host.PatchCounts { return &p }

const usEast1Payload = "https://s3.dualstack.us-east-1.amazonaws.com/aws-ssm-us-east-1/patchbaselineoperations/linux/payloads/patch-baseline-operations-1.80.tar.gz"

func scanNodes() []scanNode {
	windows := Node{ID: "i-0000000000000aa01", PlatformType: "Windows", PlatformName: "Microsoft Windows Server 2022 Datacenter",
		PlatformVersion: "10.0.20348", AgentVersion: "3.3.1142.0", Tags: map[string]string{"Patch Group": "windows-prod"}}
	winFails := windows
	winFails.ID, winFails.Faults.ScanFails, winFails.Tags = "i-0000000000000aa02", true, nil
	win2003 := windows
	win2003.ID, win2003.PlatformName, win2003.PlatformVersion, win2003.Tags = "i-0000000000000aa03", "Microsoft Windows Server 2003 R2 Standard", "5.2.3790", nil
	mac := Node{ID: "i-0000000000000aa04", PlatformType: "MacOS", PlatformName: "macOS", PlatformVersion: "14.2.1", AgentVersion: "3.3.1142.0",
		Patches: &host.PatchCounts{Installed: 11, Missing: 4, NotApplicable: 20, Security: 4}}
	macFails := mac
	macFails.ID, macFails.Faults.ScanFails = "i-0000000000000aa05", true
	return []scanNode{
		{name: "amazon linux 2", node: linuxHost(0, host.Spec{Preset: host.AmazonLinux2}),
			output: []string{"Using python binary: 'python2.7'", "Patch compliance summary: Installed=421"},
			counts: patchCounts(host.PresetPatches(host.AmazonLinux2))},
		{name: "ubuntu without python3", node: linuxHost(1, host.Spec{Preset: host.Ubuntu2204, Without: []string{"python3"}}), code: 1,
			output: []string{"An unsupported package manager and python version combination was found.\nApt requires Python3 to be installed.",
				"\n----------ERROR-------\nfailed to run commands: exit status 1"}},
		{name: "no curl or wget", node: linuxHost(2, host.Spec{Preset: host.AmazonLinux2023, Without: []string{"curl"}}), code: 1,
			stderr: []string{"FileNotFoundError: [Errno 2] No such file or directory: 'wget'\nfailed to run commands: exit status 1"}},
		{name: "payload blocked", node: linuxHost(3, host.Spec{Preset: host.RHEL9, Payload: host.Blocked, BlockedBy: "timeout"}), code: 156,
			output: []string{"Error code returned from curl is 28", "----------ERROR-------\nUnable to download payload: " + usEast1Payload + ".\nfailed to run commands: exit status 156"}},
		{name: "requests too old behind the agent's proxy", node: linuxHost(9, host.Spec{Preset: host.AmazonLinux1,
			Proxy: &host.Proxy{URL: "http://proxy.corp.example:3128", Source: "process"}, Payload: host.Proxied, Repos: host.Proxied}), code: 143,
			output: []string{"Get Snapshot failed", "requests 2.6.0 cannot reach ssm.us-east-1.amazonaws.com through the proxy"}},
		{name: "repositories unreachable", node: linuxHost(4, host.Spec{Preset: host.RHEL9, Repos: host.Blocked, BlockedBy: "dns"}), code: 1,
			output: []string{"Error: Failed to download metadata for repo 'rhel-9-baseos-rhui-rpms'"}},
		{name: "yum lock held", node: linuxHost(5, host.Spec{Preset: host.AmazonLinux2, LockHeldBy: "yum"}), code: 1,
			output: []string{"another process has acquired yum lock, waiting 1 s and retry."}},
		{name: "dpkg lock held", node: linuxHost(6, host.Spec{Preset: host.Ubuntu2404, LockHeldBy: "unattended-upgr"}), code: 1,
			output: []string{"Could not get lock /var/lib/apt/lists/lock. It is held by process 3121 (unattended-upgr)",
				"----------ERROR-------\nE: Could not get lock /var/lib/dpkg/lock-frontend"}},
		{name: "no space in /var", node: linuxHost(7, host.Spec{Preset: host.SLES15, VarFreeMB: 8}), code: 155,
			output: []string{"No space left on device", "----------ERROR-------\nUnable to extract tar file: "}},
		{name: "noexec work directory", node: linuxHost(8, host.Spec{Preset: host.Debian12, WorkdirNoexec: true}), code: 126,
			stderr: []string{"/_script.sh: Permission denied\nfailed to run commands: exit status 126"}},
		{name: "windows", node: windows, output: []string{"Patch Summary for " + windows.ID, "MissingCount                 : 3"},
			counts: patchCounts(nodePatches(&windows))},
		{name: "windows update unreachable", node: winFails, code: 1, stderr: []string{"Exception from HRESULT: 0x8024402C"}},
		{name: "windows server 2003", node: win2003, code: -1, stderr: []string{"This command is not supported on Windows 2003 or lower."}},
		{name: "macos", node: mac, output: []string{"Patch compliance summary: Installed=11"}, counts: mac.Patches},
		{name: "macos payload unreachable", node: macFails, code: 156,
			stderr: []string{"Unable to download payload: https://s3.dualstack.us-east-1.amazonaws.com/aws-patchmanager-macos-us-east-1-"}},
	}
}

// scanNodeNamed is the node of the named scan case.
func scanNodeNamed(t *testing.T, name string) Node {
	t.Helper()
	for _, c := range scanNodes() {
		if c.name == name {
			return c.node
		}
	}
	t.Fatalf("no scan case %q", name)
	return Node{}
}

// scan sends AWS-RunPatchBaseline with params to ids, lets simulated time
// pass until every run ended, and returns the command ID.
func scan(t *testing.T, c *ssm.Client, clk *clock.Manual, ids []string, params map[string][]string) string {
	t.Helper()
	id := sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String(documents.RunPatchBaselineDocumentName), InstanceIds: ids,
		Parameters: params, MaxErrors: aws.String("100%")})
	clk.Advance(15 * time.Minute)
	return id
}

var scanParams = map[string][]string{"Operation": {"Scan"}, "RebootOption": {"NoReboot"}}

// TestPatchScanThroughSDK sends the scan as patchready does and reads
// back each node's invocation and patch state with the real SDK client.
func TestPatchScanThroughSDK(t *testing.T) {
	cases := scanNodes()
	f := Fleet{}
	var ids []string
	for _, c := range cases {
		f.Nodes = append(f.Nodes, c.node)
		ids = append(ids, c.node.ID)
	}
	opts, clk := manualOpts(f)
	_, c := startSim(t, opts, 0)
	start := clk.Now()
	cmd := scan(t, c, clk, ids, scanParams)

	invs, err := c.ListCommandInvocations(testCtx(t), &ssm.ListCommandInvocationsInput{CommandId: aws.String(cmd), Details: true})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]types.CommandInvocation{}
	for _, inv := range invs.CommandInvocations {
		byID[aws.ToString(inv.InstanceId)] = inv
	}
	if _, err := c.GetCommandInvocation(testCtx(t), &ssm.GetCommandInvocationInput{CommandId: aws.String(cmd), InstanceId: aws.String(ids[0])}); apiCode(err) != "InvalidPluginName" {
		t.Errorf("a three-step command's invocation without its step's name: %v, want InvalidPluginName", err)
	}
	states := patchStates(t, c, ids)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv, ok := byID[tc.node.ID]
			if !ok || len(inv.CommandPlugins) != 1 {
				t.Fatalf("invocation %+v", inv)
			}
			pl := inv.CommandPlugins[0]
			step := map[string]string{"Linux": documents.PatchLinuxStepName, "Windows": documents.PatchWindowsStepName, "MacOS": documents.PatchMacOSStepName}[tc.node.PlatformType]
			if aws.ToString(pl.Name) != step || pl.ResponseCode != tc.code {
				t.Fatalf("plugin %s exit %d, want %s exit %d; output:\n%s", aws.ToString(pl.Name), pl.ResponseCode, step, tc.code, aws.ToString(pl.Output))
			}
			wantStatus := types.CommandInvocationStatusSuccess
			if tc.code != 0 {
				wantStatus = types.CommandInvocationStatusFailed
			}
			if inv.Status != wantStatus {
				t.Errorf("status %s, want %s", inv.Status, wantStatus)
			}
			full, err := c.GetCommandInvocation(testCtx(t), &ssm.GetCommandInvocationInput{CommandId: aws.String(cmd),
				InstanceId: aws.String(tc.node.ID), PluginName: aws.String(step)})
			if err != nil {
				t.Fatal(err)
			}
			output := aws.ToString(full.StandardOutputContent)
			if e := aws.ToString(full.StandardErrorContent); e != "" {
				output += "\n----------ERROR-------\n" + e
			}
			if listed := aws.ToString(pl.Output); len(listed) < maxPluginOutputChars && listed != output {
				t.Errorf("listed output differs from GetCommandInvocation's:\n%s\n---\n%s", listed, output)
			}
			containsAll(t, "output", output, tc.output)
			containsAll(t, "stderr", aws.ToString(full.StandardErrorContent), tc.stderr)
			if strings.Contains(output, instanceToken) {
				t.Errorf("the output names the simulator's stand-in ID: %s", output)
			}

			st, recorded := states[tc.node.ID]
			if tc.counts == nil {
				if recorded {
					t.Errorf("a failed scan left a patch state: %+v", st)
				}
				return
			}
			if !recorded {
				t.Fatal("no patch state after a successful scan")
			}
			checkPatchState(t, st, tc.node, *tc.counts, start)
		})
	}
}

var (
	reBaselineID = regexp.MustCompile(`^pb-[0-9a-f]{17}$`)
	reUUID       = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

func checkPatchState(t *testing.T, st types.InstancePatchState, n Node, want host.PatchCounts, start time.Time) {
	t.Helper()
	got := host.PatchCounts{
		Installed: int(st.InstalledCount), InstalledOther: int(st.InstalledOtherCount), InstalledPendingReboot: int(aws.ToInt32(st.InstalledPendingRebootCount)),
		InstalledRejected: int(aws.ToInt32(st.InstalledRejectedCount)), Missing: int(st.MissingCount), Failed: int(st.FailedCount),
		NotApplicable: int(st.NotApplicableCount), Critical: int(aws.ToInt32(st.CriticalNonCompliantCount)),
		Security: int(aws.ToInt32(st.SecurityNonCompliantCount)), Other: int(aws.ToInt32(st.OtherNonCompliantCount)),
	}
	if got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}
	if st.Operation != types.PatchOperationTypeScan || st.RebootOption != types.RebootOptionNoReboot ||
		!reBaselineID.MatchString(aws.ToString(st.BaselineId)) || !reUUID.MatchString(aws.ToString(st.SnapshotId)) ||
		aws.ToString(st.PatchGroup) != n.Tags["Patch Group"] || st.LastNoRebootInstallOperationTime != nil {
		t.Errorf("state %+v", st)
	}
	s, e := aws.ToTime(st.OperationStartTime), aws.ToTime(st.OperationEndTime)
	if s.Before(start) || !e.After(s) || e.Sub(s) < time.Minute {
		t.Errorf("operation from %v to %v (sent at %v)", s, e, start)
	}
	if windows := n.PlatformType == "Windows"; (st.UnreportedNotApplicableCount != nil) != windows || (st.AvailableSecurityUpdateCount != nil) != windows {
		t.Errorf("Windows-only counts on a %s node: %+v", n.PlatformType, st)
	}
}

func containsAll(t *testing.T, what, text string, parts []string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, text)
		}
	}
}

// TestPatchScanInstallNotSimulated: the simulator models Scan only and
// says so on every platform instead of pretending to install.
func TestPatchScanInstallNotSimulated(t *testing.T) {
	f := Fleet{Nodes: []Node{scanNodeNamed(t, "amazon linux 2"), scanNodeNamed(t, "windows"), scanNodeNamed(t, "macos")}}
	opts, clk := manualOpts(f)
	_, c := startSim(t, opts, 0)
	ids := []string{f.Nodes[0].ID, f.Nodes[1].ID, f.Nodes[2].ID}
	cmd := scan(t, c, clk, ids, map[string][]string{"Operation": {"Install"}})
	for _, id := range ids {
		inv := getInvPlugin(t, c, cmd, id)
		if inv.ResponseCode != 1 || !strings.Contains(aws.ToString(inv.StandardErrorContent), "the simulator models Operation=Scan only") {
			t.Errorf("%s: exit %d, stderr %q", id, inv.ResponseCode, aws.ToString(inv.StandardErrorContent))
		}
	}
	if st := patchStates(t, c, ids); len(st) != 0 {
		t.Errorf("an install the simulator refused left patch states: %v", st)
	}
}

// getInvPlugin reads a node's invocation of a multi-step command: the
// listing names the step that ran, GetCommandInvocation needs it.
func getInvPlugin(t *testing.T, c *ssm.Client, cmd, id string) *ssm.GetCommandInvocationOutput {
	t.Helper()
	list, err := c.ListCommandInvocations(testCtx(t), &ssm.ListCommandInvocationsInput{CommandId: aws.String(cmd), InstanceId: aws.String(id), Details: true})
	if err != nil || len(list.CommandInvocations) != 1 || len(list.CommandInvocations[0].CommandPlugins) != 1 {
		t.Fatalf("list invocation %s/%s: %v", cmd, id, err)
	}
	n := aws.ToString(list.CommandInvocations[0].CommandPlugins[0].Name)
	out, err := c.GetCommandInvocation(testCtx(t), &ssm.GetCommandInvocationInput{CommandId: aws.String(cmd), InstanceId: aws.String(id), PluginName: aws.String(n)})
	if err != nil {
		t.Fatalf("get invocation %s/%s: %v", cmd, id, err)
	}
	return out
}

// TestPatchScanParametersValidated: SSM refuses what the document's
// parameters do not allow, before anything runs.
func TestPatchScanParametersValidated(t *testing.T) {
	opts, _ := manualOpts(fleetOf(1))
	_, c := startSim(t, opts, 0)
	for name, params := range map[string]map[string][]string{
		"no operation":      {"RebootOption": {"NoReboot"}},
		"unknown operation": {"Operation": {"Audit"}},
		"reboot option":     {"Operation": {"Scan"}, "RebootOption": {"Always"}},
		"snapshot id":       {"Operation": {"Scan"}, "SnapshotId": {"not-a-uuid"}},
		"override list":     {"Operation": {"Scan"}, "InstallOverrideList": {"http://example.com/list.yaml"}},
	} {
		_, err := c.SendCommand(testCtx(t), &ssm.SendCommandInput{DocumentName: aws.String(documents.RunPatchBaselineDocumentName),
			InstanceIds: []string{fleetOf(1).Nodes[0].ID}, Parameters: params})
		if apiCode(err) != "InvalidParameters" {
			t.Errorf("%s: %v, want InvalidParameters", name, err)
		}
	}
}

// TestPatchScanRecordsParametersAndReplacesState: a second scan replaces
// the node's state; a snapshot ID given is the one recorded; a scan that
// fails later leaves the last good state in place, as Patch Manager does.
func TestPatchScanRecordsParametersAndReplacesState(t *testing.T) {
	n := linuxHost(0, host.Spec{Preset: host.Ubuntu2404, Without: []string{"python3-apt"}})
	opts, clk := manualOpts(Fleet{Nodes: []Node{n}})
	s, c := startSim(t, opts, 0)
	first := getInvPlugin(t, c, scan(t, c, clk, []string{n.ID}, scanParams), n.ID)
	if !strings.Contains(aws.ToString(first.StandardOutputContent), "Installed: python3-apt") {
		t.Fatalf("first scan did not install python3-apt:\n%s", aws.ToString(first.StandardOutputContent))
	}
	const snap = "0f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a4b"
	second := getInvPlugin(t, c, scan(t, c, clk, []string{n.ID}, map[string][]string{"Operation": {"Scan"}, "SnapshotId": {snap}}), n.ID)
	if !strings.Contains(aws.ToString(second.StandardOutputContent), "python3-apt is already the newest version.") {
		t.Errorf("the first run's install did not stay on the node:\n%s", aws.ToString(second.StandardOutputContent))
	}
	st := patchStates(t, c, []string{n.ID})[n.ID]
	if aws.ToString(st.SnapshotId) != snap || st.RebootOption != types.RebootOptionRebootIfNeeded {
		t.Errorf("state %+v, want snapshot %s and the default RebootIfNeeded", st, snap)
	}
	end := aws.ToTime(st.OperationEndTime)

	// The node's repositories go away: the next scan fails, the state stays.
	s.WithRegion("us-east-1", func(r *Region) {
		node := r.r.byID[n.ID]
		h := node.sw.Clone()
		h.Net.Repos, h.Net.BlockedBy = host.Blocked, "dns"
		node.sw = h
	})
	third := getInvPlugin(t, c, scan(t, c, clk, []string{n.ID}, scanParams), n.ID)
	if third.ResponseCode != 1 || !strings.Contains(aws.ToString(third.StandardOutputContent), "Temporary failure resolving") {
		t.Fatalf("scan without repositories: exit %d\n%s", third.ResponseCode, aws.ToString(third.StandardOutputContent))
	}
	if got := aws.ToTime(patchStates(t, c, []string{n.ID})[n.ID].OperationEndTime); !got.Equal(end) {
		t.Errorf("a failed scan changed the state's end time from %v to %v", end, got)
	}
}

// TestPatchScanIdenticalNodesShareOneRun: the script runs once for every
// node with the same software, and each node's output names it.
func TestPatchScanIdenticalNodesShareOneRun(t *testing.T) {
	f := Fleet{}
	var ids []string
	for i := range 20 {
		f.Nodes = append(f.Nodes, linuxHost(i, host.Spec{Preset: host.AmazonLinux2023}))
		ids = append(ids, f.Nodes[i].ID)
	}
	opts, clk := manualOpts(f)
	s, c := startSim(t, opts, 0)
	cmd := scan(t, c, clk, ids, scanParams)
	if got := len(patchStates(t, c, ids)); got != 20 {
		t.Errorf("%d patch states, want 20", got)
	}
	if st := s.ShellStats(); st.Runs != 1 || st.Hits != 19 {
		t.Errorf("shell stats %+v, want 1 run and 19 hits", st)
	}
	for _, id := range ids[:3] {
		if out := aws.ToString(getInvPlugin(t, c, cmd, id).StandardOutputContent); !strings.Contains(out, "Instance Id: "+id+"\n") {
			t.Errorf("%s: output does not name the node:\n%s", id, out)
		}
	}
}
