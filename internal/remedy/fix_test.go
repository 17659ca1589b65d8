package remedy

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
)

// al2Report is what the probe prints on an Amazon Linux 2 node behind a
// proxy: the patch run uses python2.7, whose requests is 2.6.0.
func al2Report() documents.ProbeReport {
	return documents.ProbeReport{
		Schema: documents.ProbeReportSchema, Proxied: true, ProxySource: "process", ProxyScheme: "http", NoProxyHasIMDS: true,
		Which: true, PackageManagers: "yum", PackageManager: "yum", Python: "python2.7", PythonPath: "/usr/bin/python2.7",
		PythonVersion: "2.7.18", PackageModule: documents.ModuleOK, RequestsVersion: "2.6.0", Pip: documents.PipMissing,
		Downloader: "curl", Payload: documents.PayloadReachable, PayloadCode: "403", VarFreeMB: 4000,
	}
}

func node(id, name, version string, rep documents.ProbeReport) fleet.Node {
	return fleet.Node{InstanceID: id, PingStatus: fleet.PingOnline, AgentVersion: "3.3.1142.0", IsLatestVersion: true,
		PlatformType: fleet.PlatformLinux, PlatformName: name, PlatformVersion: version,
		Probe: &fleet.ProbeFacts{Status: fleet.ProbeOK, ProbeReport: rep}}
}

// fixOutput is what the fix document prints: its report, then the probe's
// report of the node afterwards.
func fixOutput(t *testing.T, steps []documents.FixStep, after documents.ProbeReport) string {
	t.Helper()
	fr, err := json.Marshal(documents.FixReport{Schema: documents.FixReportSchema, Kind: "fix", Steps: steps})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := json.Marshal(after)
	if err != nil {
		t.Fatal(err)
	}
	return string(fr) + "\n" + string(pr) + "\n"
}

func TestFixReadsEveryNodeBackByTheRules(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	opts, _ := testOptions(t, "20260302T090000Z-0000f1")
	bare := al2Report()
	bare.Proxied, bare.ProxySource, bare.ProxyScheme, bare.NoProxyHasIMDS = false, "", "", false
	bare.PackageManagers, bare.PackageManager, bare.Python, bare.PythonPath, bare.PythonVersion = "apt", "", "", "", ""
	bare.PythonError = "An unsupported package manager and python version combination was found. Apt requires Python3 to be installed."
	bare.PackageModule, bare.Downloader, bare.Payload, bare.PayloadCode = documents.ModuleNA, "", documents.PayloadUntested, ""
	const (
		fixedID = "i-0000000000000000a" // requests upgraded in python2.7: verified
		wrongID = "i-0000000000000000b" // python3's requests upgraded, python2.7's still old: failed
		bareID  = "i-0000000000000000c" // python3 installed, curl not: failed with what is still wrong
	)
	targets := []FixTarget{
		{Node: node(fixedID, "Amazon Linux", "2", al2Report()), Actions: []prereq.ActionKind{"upgrade-requests"}},
		{Node: node(wrongID, "Amazon Linux", "2", al2Report()), Actions: []prereq.ActionKind{"upgrade-requests"}},
		{Node: node(bareID, "Ubuntu", "22.04", bare), Actions: []prereq.ActionKind{"install-python", "install-curl"}},
	}
	f, err := NewFix(api, prereq.Default(), targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Send(ctx, []string{fixedID, wrongID, bareID}); err != nil {
		t.Fatal(err)
	}
	// One command per set of steps, each with its steps in the
	// document's order whatever the actions' order.
	steps := map[string]string{}
	for _, c := range api.cmds {
		steps[strings.Join(c.InstanceIds, ",")] = strings.Join(c.Parameters["actions"], ",")
		if got := c.Parameters["minRequests"]; len(got) != 1 || got[0] != "2.18.4" {
			t.Errorf("minRequests = %v", got)
		}
	}
	if len(api.cmds) != 2 || steps[fixedID+","+wrongID] != "requests" || steps[bareID] != "python,curl" {
		t.Fatalf("commands by nodes: %v", steps)
	}

	fixed := al2Report()
	fixed.RequestsVersion, fixed.Pip = "2.32.3", documents.PipOK
	api.finish(api.commandOf(fixedID), fixedID, types.CommandInvocationStatusSuccess, documents.FixStepName,
		fixOutput(t, []documents.FixStep{{Name: "requests", OK: true, Detail: "requests 2.6.0 to 2.32.3 with /usr/bin/python2.7 -m pip"}}, fixed))
	// The step says it worked, but the node's read-back (python2.7, the
	// patch run's interpreter) still has the old requests.
	api.finish(api.commandOf(wrongID), wrongID, types.CommandInvocationStatusSuccess, documents.FixStepName,
		fixOutput(t, []documents.FixStep{{Name: "requests", OK: true, Detail: "requests upgraded with /usr/bin/python3 -m pip"}}, al2Report()))
	afterBare := bare
	afterBare.PackageManager, afterBare.Python, afterBare.PythonPath, afterBare.PythonVersion, afterBare.PythonError = "apt", "python3", "/usr/bin/python3", "3.10.12", ""
	afterBare.PackageModule = documents.ModuleOK
	api.finish(api.commandOf(bareID), bareID, types.CommandInvocationStatusFailed, documents.FixStepName,
		fixOutput(t, []documents.FixStep{{Name: "python", OK: true, Detail: "installed python3 python3-apt with apt-get"},
			{Name: "curl", OK: false, Detail: "apt-get could not install curl"}}, afterBare))

	res, err := f.Results(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[fixedID]; !r.OK || len(r.Changes) != 2 {
		t.Errorf("fixed node: %+v, want verified with the requests and pip changes", r)
	}
	if r := res[wrongID]; r.OK || !strings.Contains(r.Reason, "requests 2.6.0 in python2.7") {
		t.Errorf("node whose other interpreter was upgraded: %+v, want failed naming python2.7's requests", r)
	}
	if r := res[bareID]; r.OK || !strings.Contains(r.Reason, "fix step curl failed: apt-get could not install curl") ||
		!strings.Contains(r.Reason, "neither curl nor wget") {
		t.Errorf("node still without curl: %+v", r)
	}
	// Settled commands are not read again.
	lists := api.calls["ListCommandInvocations"]
	if again, err := f.Results(ctx); err != nil || len(again) != 0 {
		t.Errorf("second Results = %v, %v", again, err)
	}
	if api.calls["ListCommandInvocations"] != lists {
		t.Error("settled commands were listed again")
	}
}

func TestFixWithoutAReadBackFails(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	opts, _ := testOptions(t, "20260302T090000Z-0000f2")
	f, _ := NewFix(api, prereq.Default(), []FixTarget{{Node: node("i-0000000000000000a", "Amazon Linux", "2", al2Report()), Actions: []prereq.ActionKind{"upgrade-requests"}}}, opts)
	if err := f.Send(ctx, []string{"i-0000000000000000a"}); err != nil {
		t.Fatal(err)
	}
	api.finish(aws.ToString(api.cmds[0].CommandId), "i-0000000000000000a", types.CommandInvocationStatusSuccess, documents.FixStepName, "done\n")
	res, _ := f.Results(ctx)
	if r := res["i-0000000000000000a"]; r.OK || !strings.Contains(r.Reason, "no readable read-back") {
		t.Errorf("fix without a probe report: %+v", r)
	}
	if _, err := NewFix(api, prereq.Default(), []FixTarget{{Node: node("i-1", "Amazon Linux", "2", al2Report())}}, opts); err == nil {
		t.Error("a fix target without actions was accepted")
	}
}

// TestFixReadBackTakesThePatchRunsWay: the fix's read-back is a probe run
// by the running agent, so it tests the payload the way the patch run
// goes. After an agent update restarted the agent, that is through the
// proxy its override set; a proxy still waiting in an override for the
// next restart is tested too. Either failing keeps the node from being
// verified, whatever the fix's steps say.
func TestFixReadBackTakesThePatchRunsWay(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	opts, _ := testOptions(t, "20260302T090000Z-0000f3")
	// Before: the proxy only in the systemd override, not loaded.
	before := al2Report()
	before.Proxied, before.ProxySource, before.ProxyScheme, before.NoProxyHasIMDS = false, "", "", false
	before.ProxyPending, before.PendingProxySource, before.PendingProxyScheme, before.PendingNoProxyHasIMDS = true, "systemd-override", "http", true
	before.PayloadAfterRestart, before.PayloadAfterRestartCode = documents.PayloadReachable, "403"
	const (
		loadedID  = "i-0000000000000002a" // restarted: the override's proxy loaded, and the bucket answers through it
		deniedID  = "i-0000000000000002b" // restarted: the proxy loaded, but it refuses the bucket
		pendingID = "i-0000000000000002c" // not restarted: the override's proxy still waits, and fails
	)
	var targets []FixTarget
	for _, id := range []string{loadedID, deniedID, pendingID} {
		n := node(id, "Amazon Linux", "2", before)
		n.AgentVersion = "2.0.790.0"
		targets = append(targets, FixTarget{Node: n, Actions: []prereq.ActionKind{"upgrade-requests"}})
	}
	f, err := NewFix(api, prereq.Default(), targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Send(ctx, []string{loadedID, deniedID, pendingID}); err != nil {
		t.Fatal(err)
	}
	upgraded := []documents.FixStep{{Name: "requests", OK: true, Detail: "requests 2.6.0 to 2.27.1 with /usr/bin/python2.7 -m pip"}}
	loaded := al2Report()
	loaded.RequestsVersion = "2.27.1"
	denied := loaded
	denied.Payload, denied.PayloadCode = documents.PayloadUnreachable, "curl:56"
	pending := before
	pending.Payload, pending.PayloadCode, pending.RequestsVersion = documents.PayloadReachable, "403", "2.27.1"
	pending.PayloadAfterRestart, pending.PayloadAfterRestartCode = documents.PayloadUnreachable, "curl:7"
	for id, after := range map[string]documents.ProbeReport{loadedID: loaded, deniedID: denied, pendingID: pending} {
		api.finish(api.commandOf(id), id, types.CommandInvocationStatusSuccess, documents.FixStepName, fixOutput(t, upgraded, after))
	}
	res, err := f.Results(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[loadedID]; !r.OK {
		t.Errorf("restarted, the proxy loaded and working: %+v", r)
	}
	if r := res[deniedID]; r.OK || !strings.Contains(r.Reason, "still failing after the fix: the payload bucket does not answer through the running agent's proxy (curl exit 56") {
		t.Errorf("restarted, the proxy refusing the bucket: %+v", r)
	}
	if r := res[pendingID]; r.OK || !strings.Contains(r.Reason, "the payload bucket does not answer through it (curl exit 7") {
		t.Errorf("the override's proxy still pending and failing: %+v", r)
	}
}
