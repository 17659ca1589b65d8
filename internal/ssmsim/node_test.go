package ssmsim

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/ssmsim/host"
)

// infoOf returns what DescribeInstanceInformation says about one node.
func infoOf(t *testing.T, c *ssm.Client, id string) types.InstanceInformation {
	t.Helper()
	out, err := c.DescribeInstanceInformation(testCtx(t), &ssm.DescribeInstanceInformationInput{
		Filters: []types.InstanceInformationStringFilter{{Key: aws.String("InstanceIds"), Values: []string{id}}}})
	if err != nil || len(out.InstanceInformationList) != 1 {
		t.Fatalf("describe %s: %v", id, err)
	}
	return out.InstanceInformationList[0]
}

func nodeState(s *Server, id string) Node {
	var n Node
	s.WithRegion("us-east-1", func(r *Region) { n, _ = r.Node(id) })
	return n
}

func TestUpdateAgentTimingAndRestartWindow(t *testing.T) {
	f := fleetOf(2)
	f.Nodes[0].AgentVersion = "2.3.1319.0"
	opts, clk := manualOpts(f)
	opts.Behaviour = Behaviour{UpdateDelay: 90 * time.Second, RestartWindow: 20 * time.Second}
	s, c := startSim(t, opts, 0)
	id := f.Nodes[0].ID
	cmd := sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-UpdateSSMAgent"), InstanceIds: []string{id}})

	clk.Advance(89 * time.Second)
	if v := nodeState(s, id).AgentVersion; v != "2.3.1319.0" {
		t.Fatalf("agent changed to %s before the update delay", v)
	}
	clk.Advance(time.Second)
	inv := getInv(t, c, cmd, id)
	out := aws.ToString(inv.StandardOutputContent)
	if inv.Status != types.CommandInvocationStatusSuccess || !strings.HasPrefix(out, "Updating amazon-ssm-agent from 2.3.1319.0 to "+DefaultLatestAgentVersion) ||
		!strings.Contains(out, "amazon-ssm-agent updated successfully to "+DefaultLatestAgentVersion) {
		t.Errorf("invocation %s: %q", inv.Status, out)
	}
	if v := nodeState(s, id).AgentVersion; v != DefaultLatestAgentVersion {
		t.Errorf("agent %s after update", v)
	}
	// The agent reports its version when it pings: while it restarts, SSM
	// still shows the old one.
	if info := infoOf(t, c, id); info.PingStatus != types.PingStatusConnectionLost || aws.ToString(info.AgentVersion) != "2.3.1319.0" ||
		aws.ToBool(info.IsLatestVersion) {
		t.Errorf("during restart window: %s agent %s latest %v, want ConnectionLost agent 2.3.1319.0 latest false",
			info.PingStatus, aws.ToString(info.AgentVersion), aws.ToBool(info.IsLatestVersion))
	}
	// A command sent during the restart waits for the agent to come back.
	probe := sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{id},
		Parameters: map[string][]string{"commands": {"true"}}})
	clk.Advance(5 * time.Second)
	if inv := getInv(t, c, probe, id); inv.Status != types.CommandInvocationStatusDelayed {
		t.Errorf("command during restart: %s, want Delayed", inv.Status)
	}
	clk.Advance(15 * time.Second)
	if info := infoOf(t, c, id); info.PingStatus != types.PingStatusOnline || aws.ToString(info.AgentVersion) != DefaultLatestAgentVersion ||
		!aws.ToBool(info.IsLatestVersion) {
		t.Errorf("after restart window: %s agent %s latest %v, want Online agent %s latest true",
			info.PingStatus, aws.ToString(info.AgentVersion), aws.ToBool(info.IsLatestVersion), DefaultLatestAgentVersion)
	}
	clk.Advance(10 * time.Second)
	if inv := getInv(t, c, probe, id); inv.Status != types.CommandInvocationStatusSuccess {
		t.Errorf("command after restart: %s", inv.Status)
	}

	// Updating again is skipped: the node is at the latest version.
	again := sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-UpdateSSMAgent"), InstanceIds: []string{id}})
	clk.Advance(time.Minute)
	if inv := getInv(t, c, again, id); inv.Status != types.CommandInvocationStatusSuccess ||
		!strings.Contains(aws.ToString(inv.StandardOutputContent), "has already been installed, update skipped") {
		t.Errorf("second update: %s %q", inv.Status, aws.ToString(inv.StandardOutputContent))
	}
}

func TestUpdateAgentFaults(t *testing.T) {
	type want struct {
		status  types.CommandInvocationStatus
		details string
		output  string
		agent   string // installed on the node
		ping    types.PingStatus
		// shown is the version DescribeInstanceInformation reports;
		// "" means the installed one.
		shown string
	}
	old := "3.0.1124.0"
	latest := DefaultLatestAgentVersion
	tests := []struct {
		name   string
		node   func(n *Node)
		params map[string][]string
		want   want
	}{
		{"update fails", func(n *Node) { n.Faults.UpdateFails = true }, nil,
			want{types.CommandInvocationStatusFailed, "Failed", "ErrorMessage=The execution of command returned Exit Status: 1", old, types.PingStatusOnline, ""}},
		{"update skipped", func(n *Node) { n.Faults.UpdateSkipped = true }, nil,
			want{types.CommandInvocationStatusSuccess, "Success", "amazon-ssm-agent " + old + " has already been installed, update skipped", old, types.PingStatusOnline, ""}},
		{"offline after update", func(n *Node) { n.Faults.OfflineAfterUpdate = true }, nil,
			want{types.CommandInvocationStatusSuccess, "Success", "updated successfully to " + latest, latest, types.PingStatusConnectionLost, old}},
		{"undeliverable", func(n *Node) { n.Faults.Undeliverable = true }, nil,
			want{types.CommandInvocationStatusTimedOut, "DeliveryTimedOut", "", old, types.PingStatusOnline, ""}},
		{"connection lost", func(n *Node) { n.PingStatus = "ConnectionLost" }, nil,
			want{types.CommandInvocationStatusTimedOut, "DeliveryTimedOut", "", old, types.PingStatusConnectionLost, ""}},
		{"old macOS agent", func(n *Node) { n.PlatformType, n.AgentVersion = "MacOS", "3.1.821.0" }, nil,
			want{types.CommandInvocationStatusFailed, "Failed", "3.1.941.0", "3.1.821.0", types.PingStatusOnline, ""}},
		{"macOS agent new enough", func(n *Node) { n.PlatformType, n.AgentVersion = "MacOS", "3.1.941.0" }, nil,
			want{types.CommandInvocationStatusSuccess, "Success", "updated successfully", latest, types.PingStatusOnline, ""}},
		{"pinned version", nil, map[string][]string{"version": {"3.2.582.0"}},
			want{types.CommandInvocationStatusSuccess, "Success", "updated successfully to 3.2.582.0", "3.2.582.0", types.PingStatusOnline, ""}},
		{"downgrade refused", nil, map[string][]string{"version": {"2.3.1644.0"}},
			want{types.CommandInvocationStatusFailed, "Failed", "please enable allow downgrade", old, types.PingStatusOnline, ""}},
		{"downgrade allowed", nil, map[string][]string{"version": {"2.3.1644.0"}, "allowDowngrade": {"true"}},
			want{types.CommandInvocationStatusSuccess, "Success", "updated successfully to 2.3.1644.0", "2.3.1644.0", types.PingStatusOnline, ""}},
		{"windows", func(n *Node) { n.PlatformType, n.PlatformName = "Windows", "Microsoft Windows Server 2019 Datacenter" }, nil,
			want{types.CommandInvocationStatusSuccess, "Success", "updated successfully", latest, types.PingStatusOnline, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := linuxNode(0)
			n.AgentVersion = old
			if tt.node != nil {
				tt.node(&n)
			}
			opts, clk := manualOpts(Fleet{Nodes: []Node{n}})
			opts.Behaviour.DeliveryTimeout = 10 * time.Minute
			s, c := startSim(t, opts, 0)
			cmd := sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-UpdateSSMAgent"), InstanceIds: []string{n.ID}, Parameters: tt.params})
			clk.Advance(11 * time.Minute)
			inv := getInv(t, c, cmd, n.ID)
			out := aws.ToString(inv.StandardOutputContent)
			if inv.Status != tt.want.status || aws.ToString(inv.StatusDetails) != tt.want.details || !strings.Contains(out, tt.want.output) {
				t.Errorf("invocation %s/%s %q; want %s/%s containing %q", inv.Status, aws.ToString(inv.StatusDetails), out, tt.want.status, tt.want.details, tt.want.output)
			}
			if tt.want.status == types.CommandInvocationStatusFailed && inv.ResponseCode != 1 {
				t.Errorf("response code %d, want 1", inv.ResponseCode)
			}
			if got := nodeState(s, n.ID).AgentVersion; got != tt.want.agent {
				t.Errorf("agent %s, want %s", got, tt.want.agent)
			}
			shown := tt.want.shown
			if shown == "" {
				shown = tt.want.agent
			}
			if info := infoOf(t, c, n.ID); info.PingStatus != tt.want.ping || aws.ToString(info.AgentVersion) != shown {
				t.Errorf("described %s agent %s, want %s agent %s", info.PingStatus, aws.ToString(info.AgentVersion), tt.want.ping, shown)
			}
		})
	}
}

func TestTerminatedAfterSendIsUndeliverable(t *testing.T) {
	f := fleetOf(1)
	opts, clk := manualOpts(f)
	s, c := startSim(t, opts, 0)
	id := f.Nodes[0].ID
	var res execResult
	s.WithRegion("us-east-1", func(r *Region) {
		r.Terminate(id)
		r.r.runOnNode(id, "AWS-RunShellScript", "", map[string][]string{"commands": {"true"}}, clk.Now(), func(e execResult) { res = e })
	})
	clk.Advance(time.Second)
	_, _ = c.ListCommands(testCtx(t), &ssm.ListCommandsInput{}) // any request runs due events
	if res.Status != "Failed" || res.StatusDetails != "Undeliverable" {
		t.Errorf("result %+v, want Failed/Undeliverable", res)
	}
}

// runDoc runs a document on one node and returns its invocation a minute later.
func runDoc(t *testing.T, c *ssm.Client, clk interface{ Advance(time.Duration) }, doc, id string, params map[string][]string) *ssm.GetCommandInvocationOutput {
	t.Helper()
	cmd := sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String(doc), InstanceIds: []string{id}, Parameters: params})
	clk.Advance(time.Minute)
	return getInv(t, c, cmd, id)
}

func createDoc(t testing.TB, c *ssm.Client, name, content string) {
	t.Helper()
	_, err := c.CreateDocument(testCtx(t), &ssm.CreateDocumentInput{Name: aws.String(name), Content: aws.String(content),
		DocumentType: types.DocumentTypeCommand, DocumentFormat: types.DocumentFormatYaml})
	if err != nil {
		t.Fatalf("create document %s: %v", name, err)
	}
}

// TestDocumentsRunOnTheNodeModel runs the project's documents as the
// simulator runs every shell document: their scripts, interpreted against
// the node's software model, which the fix changes for later probes.
func TestDocumentsRunOnTheNodeModel(t *testing.T) {
	proxied := linuxNode(0)
	proxied.PlatformName, proxied.PlatformVersion = "Amazon Linux AMI", "2018.03"
	proxied.Python, proxied.Pip, proxied.Requests = "/usr/bin/python", "", "2.6.0"
	proxied.Proxy = Proxy{URL: "http://user:secret@proxy.corp.example:3128", Source: "upstart-override", NoProxy: "localhost,169.254.169.254"}
	noPip := linuxNode(1)
	noPip.Pip, noPip.Faults.NoPip = "", true
	windows := linuxNode(2)
	windows.PlatformType = "Windows"
	processProxy := proxied
	processProxy.ID = linuxNode(3).ID
	processProxy.Proxy.Source = "process"
	opts, clk := manualOpts(Fleet{Nodes: []Node{proxied, noPip, windows, processProxy}})
	s, c := startSim(t, opts, 0)
	// A renamed copy runs the same: the script is what runs.
	createDoc(t, c, "MyProbe", documents.ProbeYAML)
	createDoc(t, c, "MyFix", documents.FixYAML)

	inv := runDoc(t, c, clk, "MyProbe", proxied.ID, nil)
	out := aws.ToString(inv.StandardOutputContent)
	if strings.Contains(out, "secret") || strings.Contains(out, "proxy.corp") {
		t.Fatalf("probe printed the proxy URL: %q", out)
	}
	var probe documents.ProbeReport
	if err := json.Unmarshal([]byte(out), &probe); err != nil {
		t.Fatalf("probe output %q: %v", out, err)
	}
	// Amazon Linux 1's patch run uses python2.7 (the first Python 2 that
	// imports yum), not `python`. The proxy is only in the upstart
	// override: the running agent, and so the probe, goes direct, where
	// the payload does not answer; through the override's proxy it does.
	want := documents.ProbeReport{Schema: 3, ProxyPending: true, PendingProxySource: "upstart-override", PendingProxyScheme: "http", PendingNoProxyHasIMDS: true,
		Which: true, PackageManagers: "yum", PackageManager: "yum", Python: "python2.7", PythonPath: "/usr/bin/python2.7", PythonVersion: "2.7.18",
		PackageModule: "ok", RequestsVersion: "2.6.0", Pip: "missing", Downloader: "curl", Payload: "unreachable", PayloadCode: "curl:28",
		PayloadAfterRestart: "reachable", PayloadAfterRestartCode: "403", VarFreeMB: 6144}
	if probe != want {
		t.Errorf("probe = %+v, want %+v", probe, want)
	}

	inv = runDoc(t, c, clk, "MyFix", proxied.ID, map[string][]string{"actions": {"requests"}})
	lines := strings.Split(strings.TrimSpace(aws.ToString(inv.StandardOutputContent)), "\n")
	var fix documents.FixReport
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &fix) != nil || inv.Status != types.CommandInvocationStatusSuccess {
		t.Fatalf("fix %s %q", inv.Status, aws.ToString(inv.StandardOutputContent))
	}
	// pip on Python 2.7 installs the last requests that supports it.
	if len(fix.Steps) != 1 || !fix.Steps[0].OK || fix.Steps[0].Detail != "installed python27-pip, requests 2.6.0 to 2.27.1 with /usr/bin/python2.7 -m pip" {
		t.Errorf("fix report = %+v", fix)
	}
	if !strings.Contains(lines[1], `"requests_version":"2.27.1"`) {
		t.Errorf("read-back after the fix: %s", lines[1])
	}
	if n := nodeState(s, proxied.ID); n.Requests != "2.27.1" || n.Pip == "" || n.Python != "/usr/bin/python2.7" {
		t.Errorf("node after the fix: python %s pip %q requests %s", n.Python, n.Pip, n.Requests)
	}
	inv = runDoc(t, c, clk, "MyProbe", proxied.ID, nil)
	if !strings.Contains(aws.ToString(inv.StandardOutputContent), `"requests_version":"2.27.1"`) {
		t.Errorf("probe after the fix: %q", aws.ToString(inv.StandardOutputContent))
	}

	inv = runDoc(t, c, clk, "MyFix", noPip.ID, map[string][]string{"actions": {"requests"}, "minRequests": {"2.28.0"}})
	if inv.Status != types.CommandInvocationStatusFailed || inv.ResponseCode != 1 ||
		!strings.Contains(aws.ToString(inv.StandardOutputContent), "yum could not install python27-pip python2-pip python-pip") {
		t.Errorf("fix without installable pip: %s %q", inv.Status, aws.ToString(inv.StandardOutputContent))
	}

	// With the proxy in the running agent's environment (not in an
	// override file) yum and pip reach their sources too.
	inv = runDoc(t, c, clk, "MyFix", processProxy.ID, map[string][]string{"actions": {"requests"}})
	lines = strings.Split(strings.TrimSpace(aws.ToString(inv.StandardOutputContent)), "\n")
	fix = documents.FixReport{}
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &fix) != nil || inv.Status != types.CommandInvocationStatusSuccess {
		t.Fatalf("fix behind a process proxy: %s %q", inv.Status, aws.ToString(inv.StandardOutputContent))
	}
	if len(fix.Steps) != 1 || !fix.Steps[0].OK || !strings.Contains(fix.Steps[0].Detail, "requests 2.6.0 to 2.27.1") {
		t.Errorf("fix report behind a process proxy = %+v", fix)
	}

	inv = runDoc(t, c, clk, "MyProbe", windows.ID, nil)
	if inv.Status != types.CommandInvocationStatusSuccess || !strings.Contains(aws.ToString(inv.StandardOutputContent), "skipped") {
		t.Errorf("probe on Windows: %s %q", inv.Status, aws.ToString(inv.StandardOutputContent))
	}
	// allowedPattern guards the parameters the script interpolates.
	_, err := c.SendCommand(testCtx(t), &ssm.SendCommandInput{DocumentName: aws.String("MyFix"), InstanceIds: []string{proxied.ID},
		Parameters: map[string][]string{"actions": {"requests"}, "minRequests": {"1;rm -rf /"}}})
	var badParams *types.InvalidParameters
	if !errors.As(err, &badParams) {
		t.Errorf("injected minRequests: %v, want InvalidParameters", err)
	}
	// No release satisfies an impossible minimum: pip fails.
	inv = runDoc(t, c, clk, "MyFix", processProxy.ID, map[string][]string{"actions": {"requests"}, "minRequests": {"9.0"}})
	if inv.Status != types.CommandInvocationStatusFailed {
		t.Errorf("fix to requests 9.0: %s", inv.Status)
	}
}

// TestNoexecWorkdirFailsEveryScript: the agent cannot start a script from
// a noexec work directory, so every shell document ends with exit 126.
func TestNoexecWorkdirFailsEveryScript(t *testing.T) {
	n := linuxNode(0)
	n.Host = &host.Spec{Preset: host.AmazonLinux2023, WorkdirNoexec: true}
	opts, clk := manualOpts(Fleet{Nodes: []Node{n}})
	_, c := startSim(t, opts, 0)
	createDoc(t, c, "MyProbe", documents.ProbeYAML)
	inv := runDoc(t, c, clk, "MyProbe", n.ID, nil)
	if inv.Status != types.CommandInvocationStatusFailed || inv.ResponseCode != 126 {
		t.Errorf("probe on a noexec work directory: %s exit %d", inv.Status, inv.ResponseCode)
	}
}

// TestShellCacheSharesRuns: nodes with the same software cost one real
// run, and each sees its own instance ID in what the script printed.
func TestShellCacheSharesRuns(t *testing.T) {
	f := fleetOf(3)
	opts, clk := manualOpts(f)
	s, c := startSim(t, opts, 0)
	var ids []string
	for _, n := range f.Nodes {
		ids = append(ids, n.ID)
	}
	cmd := sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids,
		Parameters: map[string][]string{"commands": {"echo \"$AWS_SSM_INSTANCE_ID in $AWS_SSM_REGION_NAME\"", "python3 --version"}}})
	clk.Advance(time.Minute)
	for _, id := range ids {
		inv := getInv(t, c, cmd, id)
		if got, want := aws.ToString(inv.StandardOutputContent), id+" in us-east-1\nPython 3.7.16\n"; got != want {
			t.Errorf("%s printed %q, want %q", id, got, want)
		}
	}
	if st := s.ShellStats(); st.Runs != 1 || st.Hits != 2 {
		t.Errorf("shell stats %+v, want 1 run and 2 hits", st)
	}
}

func TestSlowNodeTakesLonger(t *testing.T) {
	n := linuxNode(0)
	n.Faults.Slow = 3
	opts, clk := manualOpts(Fleet{Nodes: []Node{n}})
	opts.Behaviour = Behaviour{UpdateDelay: time.Minute}
	s, c := startSim(t, opts, 0)
	sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-UpdateSSMAgent"), InstanceIds: []string{n.ID}})
	clk.Advance(2*time.Minute + 59*time.Second)
	if v := nodeState(s, n.ID).AgentVersion; v != n.AgentVersion {
		t.Fatalf("slow node updated to %s before 3x the update delay", v)
	}
	clk.Advance(time.Second)
	if v := nodeState(s, n.ID).AgentVersion; v != DefaultLatestAgentVersion {
		t.Errorf("slow node at %s after 3x the update delay", v)
	}
}
