package ssmsim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/documents"
)

// TestSampleFleetScans scans the demo fleet as it ships: the node whose
// repositories are out of reach passes every preflight fact the probe
// reports and fails only the scan, with dnf's own message; the others
// pass or fail as their software says.
func TestSampleFleetScans(t *testing.T) {
	f := SampleFleet()
	opts, clk := manualOpts(f)
	_, c := startSim(t, opts, 0)
	const p = "i-0a1b2c3d4e5f6"

	createDoc(t, c, documents.ProbeDocumentName, documents.ProbeYAML)
	inv := runDoc(t, c, clk, documents.ProbeDocumentName, p+"0082", nil)
	var r documents.ProbeReport
	if err := json.Unmarshal([]byte(aws.ToString(inv.StandardOutputContent)), &r); err != nil {
		t.Fatalf("probe of 0082: %v: %q", err, aws.ToString(inv.StandardOutputContent))
	}
	if r.Python != "python3" || r.PackageModule != documents.ModuleOK || r.Downloader != "curl" || r.Payload != documents.PayloadReachable ||
		r.WorkdirNoexec || r.VarFreeMB < 1024 || r.RequestsVersion != "2.31.0" {
		t.Fatalf("0082 should pass every preflight check: %+v", r)
	}

	want := []struct {
		id     string
		code   int32
		output string
	}{
		{"0012", 0, "Patch compliance summary: Installed=433 InstalledOther=7 InstalledPendingReboot=0 InstalledRejected=0 Missing=2"},
		{"0082", 1, "Error: Failed to download metadata for repo 'amazonlinux'"},
		// The proxy is in a systemd override the running agent has not
		// read (it was not restarted since): the patch run goes direct.
		{"0011", 156, "Unable to download payload: " + usEast1Payload + "."},
		{"0075", 0, "Patch compliance summary:"},
		{"0022", 1, "Apt requires Python3 to be installed."},
		{"0023", 0, "Installed: python3-apt"},
		{"0024", 1, "No such file or directory: 'wget'"},
		{"0032", 1, "Dnf requires Python2 or Python3 to be installed."},
		{"0033", 156, "Unable to download payload:"},
		{"0073", 126, "Permission denied"},
		{"0074", 0, "Patch compliance summary:"},
		{"0042", 0, "MissingCount                 : 7"},
		{"0063", -1, "This command is not supported on Windows 2003 or lower."},
		{"0051", 0, "Patch compliance summary:"},
	}
	var ids []string
	for _, w := range want {
		ids = append(ids, p+w.id)
	}
	cmd := scan(t, c, clk, ids, scanParams)
	for _, w := range want {
		out := getInvPlugin(t, c, cmd, p+w.id)
		text := aws.ToString(out.StandardOutputContent) + aws.ToString(out.StandardErrorContent)
		if out.ResponseCode != w.code || !strings.Contains(text, w.output) {
			t.Errorf("%s (%s): exit %d, want %d with %q:\n%s", w.id, aws.ToString(out.PluginName), out.ResponseCode, w.code, w.output, text)
		}
	}
	states := patchStates(t, c, ids)
	if st := states[p+"0042"]; aws.ToString(st.PatchGroup) != "sql-prod" || aws.ToInt32(st.InstalledPendingRebootCount) != 1 {
		t.Errorf("0042 state %+v", st)
	}
	if _, ok := states[p+"0082"]; ok {
		t.Error("0082 failed its scan but has a patch state")
	}
}

// TestAgentRestartLoadsItsOverrideProxy follows the headline node (0011,
// Amazon Linux 2 whose proxy is only in a systemd override) through what
// apply does to it: before, the patch run goes direct and cannot download
// its payload; once the agent restarts (here after its update) it runs
// with the override's proxy, downloads the payload and fails on the
// requests 2.6.0 of python2.7; after the fix document upgrades that
// requests, the scan passes.
func TestAgentRestartLoadsItsOverrideProxy(t *testing.T) {
	f := SampleFleet()
	opts, clk := manualOpts(f)
	_, c := startSim(t, opts, 0)
	id := "i-0a1b2c3d4e5f60011"
	if out := getInvPlugin(t, c, scan(t, c, clk, []string{id}, scanParams), id); out.ResponseCode != 156 {
		t.Fatalf("before the restart: exit %d, want 156", out.ResponseCode)
	}
	sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String(documents.UpdateAgentDocumentName), InstanceIds: []string{id}})
	clk.Advance(10 * time.Minute)
	out := getInvPlugin(t, c, scan(t, c, clk, []string{id}, scanParams), id)
	if out.ResponseCode != 143 || !strings.Contains(aws.ToString(out.StandardOutputContent), "Downloading payload") {
		t.Fatalf("after the restart: exit %d, want 143 past the download:\n%s", out.ResponseCode, aws.ToString(out.StandardOutputContent))
	}
	createDoc(t, c, documents.FixDocumentName, documents.FixYAML)
	if fix := runDoc(t, c, clk, documents.FixDocumentName, id, map[string][]string{"actions": {"requests"}}); fix.ResponseCode != 0 {
		t.Fatalf("fix: exit %d\n%s", fix.ResponseCode, aws.ToString(fix.StandardOutputContent))
	}
	if out := getInvPlugin(t, c, scan(t, c, clk, []string{id}, scanParams), id); out.ResponseCode != 0 {
		t.Errorf("after the fix: exit %d, want 0:\n%s%s", out.ResponseCode, aws.ToString(out.StandardOutputContent), aws.ToString(out.StandardErrorContent))
	}
}
