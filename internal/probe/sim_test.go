package probe_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/probe"
	"github.com/patchready/patchready/internal/ssmdoc"
	"github.com/patchready/patchready/internal/ssmsim"
)

var start = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)

// counter is the call counter of the client startSim made last. Tests count
// calls on the client side: the simulator also sees attempts the SDK repeats
// after a transport hiccup (aws/aws-sdk-go-v2#1825, seen under -race).
var counter *awsclient.CallCounter

func calls(op string) int { return counter.Snapshot()[op].Calls }

func startSim(t *testing.T, clk clock.Clock, nodes []ssmsim.Node, faults ssmsim.Faults) (*ssmsim.Server, *ssm.Client) {
	t.Helper()
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Faults: faults, Fleets: map[string]ssmsim.Fleet{"*": {Nodes: nodes}}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	cfg, err := awsclient.Load(context.Background(), awsclient.Config{
		Region: "us-east-1", MaxBackoff: 50 * time.Millisecond,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	counter = awsclient.NewCallCounter()
	return sim, awsclient.NewSSM(cfg, srv.URL, counter.Options)
}

func al2(id string) ssmsim.Node {
	return ssmsim.Node{ID: id, PlatformType: "Linux", PlatformName: "Amazon Linux", PlatformVersion: "2",
		AgentVersion: "3.2.582.0", Python: "/usr/bin/python3", Pip: "/usr/bin/pip3", Requests: "2.25.1"}
}

const (
	proxiedID   = "i-00000000000000001"
	directID    = "i-00000000000000002"
	noPipID     = "i-00000000000000003"
	offlineID   = "i-00000000000000004" // ConnectionLost at discovery: not probed
	undelivID   = "i-00000000000000005"
	windowsID   = "i-00000000000000006"
	goneLaterID = "i-00000000000000007" // offline after discovery
	al1ID       = "i-00000000000000008"
)

func probeFleet() []ssmsim.Node {
	proxied := al2(proxiedID)
	proxied.Requests = "2.6.0"
	proxied.Proxy = ssmsim.Proxy{URL: "http://patch:s3cret@proxy.corp:3128", Source: "systemd-override", NoProxy: "169.254.169.254,localhost"}
	noPip := al2(noPipID)
	noPip.Pip, noPip.Requests, noPip.Faults.NoPip = "", "", true
	noPip.Proxy = ssmsim.Proxy{URL: "https://proxy.corp:3128", Source: "process"}
	offline := al2(offlineID)
	offline.PingStatus = "ConnectionLost"
	undeliv := al2(undelivID)
	undeliv.Faults.Undeliverable = true
	al1 := al2(al1ID)
	al1.PlatformName, al1.PlatformVersion = "Amazon Linux AMI", "2018.03"
	return []ssmsim.Node{proxied, al2(directID), noPip, offline, undeliv,
		{ID: windowsID, PlatformType: "Windows", PlatformName: "Microsoft Windows Server 2019 Datacenter", PlatformVersion: "10.0.17763", AgentVersion: "3.2.582.0"},
		al2(goneLaterID), al1}
}

func TestSimProbe(t *testing.T) {
	clk := clock.NewScaled(start, 200)
	sim, api := startSim(t, clk, probeFleet(), ssmsim.Faults{})
	ctx := context.Background()
	nodes, err := fleet.Discover(ctx, api, fleet.Selection{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sim.WithRegion("us-east-1", func(r *ssmsim.Region) {
		r.UpdateNode(goneLaterID, func(n *ssmsim.Node) { n.PingStatus = "ConnectionLost" })
	})

	got, err := probe.Run(ctx, api, nodes, probe.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	// The facts that decide the requests check: whether the agent goes
	// through a proxy (scheme only) now or after its next restart, and the
	// patch run's interpreter and that interpreter's requests.
	type seen struct {
		status                    fleet.ProbeStatus
		reason                    string
		proxied, pending          bool
		source, scheme, py, reqVs string
	}
	view := func(f fleet.ProbeFacts) seen {
		source, scheme := f.ProxySource, f.ProxyScheme
		if f.ProxyPending {
			source, scheme = f.PendingProxySource, f.PendingProxyScheme
		}
		return seen{f.Status, f.Reason, f.Proxied, f.ProxyPending, source, scheme, f.Python, f.RequestsVersion}
	}
	want := map[string]seen{
		// Amazon Linux 2's patch run uses the Python that imports yum,
		// python2.7, whatever python3 the node also has. Its proxy is only
		// in the systemd override, which the running agent has not read:
		// it goes direct until it restarts.
		proxiedID:   {status: fleet.ProbeOK, pending: true, source: "systemd-override", scheme: "http", py: "python2.7", reqVs: "2.6.0"},
		directID:    {status: fleet.ProbeOK, py: "python2.7", reqVs: "2.25.1"},
		noPipID:     {status: fleet.ProbeOK, proxied: true, source: "process", scheme: "https", py: "python2.7"},
		undelivID:   {status: fleet.ProbeFailed, reason: "probe not delivered (DeliveryTimedOut): node unreachable"},
		goneLaterID: {status: fleet.ProbeFailed, reason: "probe not delivered (DeliveryTimedOut): node unreachable"},
		al1ID:       {status: fleet.ProbeOK, py: "python2.7", reqVs: "2.25.1"},
	}
	for id, w := range want {
		if g := view(*got[id]); g != w {
			t.Errorf("%s:\n got  %+v\n want %+v", id, g, w)
		}
	}
	for _, id := range []string{offlineID, windowsID} {
		if _, ok := got[id]; ok {
			t.Errorf("%s was probed; only Online Linux nodes are", id)
		}
	}
	if s := fmt.Sprint(got); strings.Contains(s, "s3cret") || strings.Contains(s, "proxy.corp") {
		t.Errorf("probe facts carry the proxy URL: %s", s)
	}
	if n := calls("SendCommand"); n != 1 {
		t.Errorf("SendCommand calls = %d, want 1 (6 nodes, one batch)", n)
	}
	if n := calls("GetCommandInvocation"); n != 0 {
		t.Errorf("GetCommandInvocation calls = %d, want 0 (ListCommandInvocations reads a batch at once)", n)
	}
}

func TestSimProbeEnsuresDocumentOnce(t *testing.T) {
	clk := clock.NewScaled(start, 200)
	_, api := startSim(t, clk, nil, ssmsim.Faults{})
	ctx := context.Background()
	v1, err := probe.EnsureDocument(ctx, api, map[string]string{"patchready:run": "r1"}, ssmdoc.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := probe.EnsureDocument(ctx, api, nil, ssmdoc.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if v1 != v2 {
		t.Errorf("second ensure moved the version: %s → %s", v1, v2)
	}
	if calls("CreateDocument") != 1 || calls("UpdateDocument") != 0 {
		t.Errorf("create = %d, update = %d; want 1 and 0", calls("CreateDocument"), calls("UpdateDocument"))
	}
	out, err := api.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: strPtr(documents.ProbeDocumentName)})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Document.Hash != documents.ContentHash(documents.ProbeYAML) {
		t.Error("document content is not the probe's")
	}
}

// TestSimProbeUnderThrottling runs 400 nodes in 8 batches against tight
// per-operation rate limits: no call may fail, every node must report.
func TestSimProbeUnderThrottling(t *testing.T) {
	clk := clock.NewScaled(start, 200)
	var nodes []ssmsim.Node
	for i := range 400 {
		nodes = append(nodes, al2(fmt.Sprintf("i-%017x", 0x100+i)))
	}
	// Rates are per second of simulated time: 0.25/s is 50/s of real time.
	faults := ssmsim.Faults{OperationRates: map[string]float64{"SendCommand": 0.25, "ListCommandInvocations": 0.25, "DescribeInstanceInformation": 0.5}, Burst: 1}
	sim, api := startSim(t, clk, nodes, faults)
	ctx := context.Background()
	found, err := fleet.Discover(ctx, api, fleet.Selection{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := probe.Run(ctx, api, found, probe.Options{Clock: clk, Concurrency: 4})
	if err != nil {
		t.Fatalf("probe failed under throttling: %v", err)
	}
	ok := 0
	for _, f := range got {
		if f.Status == fleet.ProbeOK {
			ok++
		}
	}
	if ok != 400 {
		t.Errorf("%d of 400 nodes ok", ok)
	}
	snap := sim.Stats().Snapshot()
	t.Logf("SendCommand %+v; ListCommandInvocations %+v", snap["SendCommand"], snap["ListCommandInvocations"])
	if snap["SendCommand"].Throttled+snap["ListCommandInvocations"].Throttled == 0 {
		t.Error("the limits never throttled: the test does not test throttling")
	}
	if n := calls("SendCommand"); n != 8 {
		t.Errorf("SendCommand calls = %d, want 8 batches", n)
	}
}

func TestSimProbeSkipsTerminatedNode(t *testing.T) {
	clk := clock.NewScaled(start, 200)
	var nodes []ssmsim.Node
	for i := range 20 {
		nodes = append(nodes, al2(fmt.Sprintf("i-%017x", 0x100+i)))
	}
	sim, api := startSim(t, clk, nodes, ssmsim.Faults{})
	ctx := context.Background()
	found, err := fleet.Discover(ctx, api, fleet.Selection{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	gone := nodes[7].ID
	sim.WithRegion("us-east-1", func(r *ssmsim.Region) { r.Terminate(gone) })
	got, err := probe.Run(ctx, api, found, probe.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if f := got[gone]; f.Status != fleet.ProbeFailed || !strings.Contains(f.Reason, "InvalidInstanceId") {
		t.Errorf("terminated node: %+v", f)
	}
	ok := 0
	for _, f := range got {
		if f.Status == fleet.ProbeOK {
			ok++
		}
	}
	if ok != 19 {
		t.Errorf("%d of 19 live nodes ok", ok)
	}
}

func strPtr(s string) *string { return &s }
