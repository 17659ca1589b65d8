package ssmsim

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
)

// TestSampleFleetShowsEveryNodeCase probes the demo fleet's Linux nodes
// with the real probe document and checks each case the fleet is meant to
// show is there, as the probe reports it.
func TestSampleFleetShowsEveryNodeCase(t *testing.T) {
	f := SampleFleet()
	opts, clk := manualOpts(f)
	s, c := startSim(t, opts, 0)
	createDoc(t, c, documents.ProbeDocumentName, documents.ProbeYAML)
	probe := func(id string) (*documents.ProbeReport, int32) {
		inv := runDoc(t, c, clk, documents.ProbeDocumentName, id, nil)
		if inv.Status != types.CommandInvocationStatusSuccess {
			return nil, inv.ResponseCode
		}
		var r documents.ProbeReport
		if err := json.Unmarshal([]byte(aws.ToString(inv.StandardOutputContent)), &r); err != nil {
			t.Fatalf("%s: %v: %q", id, err, aws.ToString(inv.StandardOutputContent))
		}
		return &r, 0
	}
	const p = "i-0a1b2c3d4e5f6"
	tests := []struct {
		id   string
		what string
		ok   func(r *documents.ProbeReport) bool
	}{
		{p + "0011", "AL2 python2+python3, old requests on the patch python, payload only via the proxy its running agent has not loaded", func(r *documents.ProbeReport) bool {
			return r.Python == "python2.7" && r.RequestsVersion == "2.6.0" && !r.Proxied && r.ProxyPending &&
				r.Payload == documents.PayloadUnreachable && r.PayloadAfterRestart == documents.PayloadReachable
		}},
		{p + "0003", "AL1 https proxy only in an upstart override, without the metadata exemption", func(r *documents.ProbeReport) bool {
			return r.ProxyPending && r.PendingProxySource == "upstart-override" && r.PendingProxyScheme == "https" && !r.PendingNoProxyHasIMDS
		}},
		{p + "0022", "Ubuntu without python3", func(r *documents.ProbeReport) bool {
			return r.Python == "" && strings.Contains(r.PythonError, "Apt requires Python3")
		}},
		{p + "0023", "Ubuntu without python3-apt", func(r *documents.ProbeReport) bool { return r.PackageModule == documents.ModuleMissing }},
		{p + "0024", "no curl or wget", func(r *documents.ProbeReport) bool {
			return r.Downloader == "" && r.Payload == documents.PayloadUntested
		}},
		{p + "0032", "RHEL 8 without python3", func(r *documents.ProbeReport) bool {
			return strings.Contains(r.PythonError, "Dnf requires Python2 or Python3")
		}},
		{p + "0033", "payload blocked", func(r *documents.ProbeReport) bool {
			return r.Payload == documents.PayloadUnreachable && r.PayloadCode == "curl:7"
		}},
		{p + "0074", "/var low", func(r *documents.ProbeReport) bool { return r.VarFreeMB == 150 }},
		{p + "0075", "payload only through the agent's proxy", func(r *documents.ProbeReport) bool {
			return r.ProxySource == "process" && r.Payload == documents.PayloadReachable
		}},
	}
	for _, tc := range tests {
		r, code := probe(tc.id)
		if r == nil || !tc.ok(r) {
			t.Errorf("%s (%s): probe %+v exit %d", tc.id, tc.what, r, code)
		}
	}
	if r, code := probe(p + "0073"); r != nil || code != 126 {
		t.Errorf("noexec work directory: probe %+v exit %d, want exit 126", r, code)
	}
	createDoc(t, c, documents.FixDocumentName, documents.FixYAML)
	inv := runDoc(t, c, clk, documents.FixDocumentName, p+"0014", map[string][]string{"actions": {"requests"}, "minRequests": {"2.28.0"}})
	if inv.Status != types.CommandInvocationStatusFailed || !strings.Contains(aws.ToString(inv.StandardOutputContent), "could not install") {
		t.Errorf("pip not installable: fix %s %q", inv.Status, aws.ToString(inv.StandardOutputContent))
	}
	if st := s.ShellStats(); st.Runs == 0 {
		t.Errorf("no script ran: %+v", st)
	}
}
