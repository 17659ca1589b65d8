package fleet_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/ssmsim"
)

var start = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)

// counter is the call counter of the client startSim made last.
var counter *awsclient.CallCounter

// describeCalls returns the DescribeInstanceInformation calls the code
// under test made. The simulator's own count also holds attempts the SDK
// repeated after a transport hiccup (a 200 whose body read failed with "use
// of closed network connection", aws/aws-sdk-go-v2#1825, seen under -race),
// so the simulator's count less the client's retries is what Discover asked
// for; both must agree.
func describeCalls(t *testing.T, sim *ssmsim.Server) int {
	t.Helper()
	c := counter.Snapshot()["DescribeInstanceInformation"]
	if got := sim.Stats().Calls("DescribeInstanceInformation") - c.Retries; got != c.Calls {
		t.Errorf("simulator saw %d calls beyond retries, client made %d", got, c.Calls)
	}
	return c.Calls
}

// simNodes returns n nodes: every third Windows, the rest Amazon Linux 2;
// even ones tagged env=prod, odd ones env=dev.
func simNodes(n int) []ssmsim.Node {
	nodes := make([]ssmsim.Node, n)
	for i := range nodes {
		nd := ssmsim.Node{ID: fmt.Sprintf("i-%017x", i+1), PlatformType: "Linux", PlatformName: "Amazon Linux",
			PlatformVersion: "2", AgentVersion: "3.2.582.0", Tags: map[string]string{"env": "prod"}}
		if i%3 == 2 {
			nd.PlatformType, nd.PlatformName, nd.PlatformVersion = "Windows", "Microsoft Windows Server 2019 Datacenter", "10.0.17763"
		}
		if i%2 == 1 {
			nd.Tags = map[string]string{"env": "dev"}
		}
		nodes[i] = nd
	}
	return nodes
}

// startSim serves a simulator over HTTP and returns it with a real SSM
// client pointed at it, which counts its calls in counter.
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
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("client counts: %+v; simulator: %+v", counter.Snapshot(), sim.Stats().Snapshot())
		}
	})
	return sim, awsclient.NewSSM(cfg, srv.URL, counter.Options)
}

func ids(nodes []fleet.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.InstanceID
	}
	return out
}

func TestSimDiscoverWholeFleetInCeilNOver50Calls(t *testing.T) {
	sim, api := startSim(t, clock.NewScaled(start, 200), simNodes(1234), ssmsim.Faults{})
	nodes, err := fleet.Discover(context.Background(), api, fleet.Selection{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1234 {
		t.Fatalf("discovered %d nodes, want 1234", len(nodes))
	}
	if !slices.IsSortedFunc(nodes, func(a, b fleet.Node) int { return compare(a.InstanceID, b.InstanceID) }) {
		t.Error("nodes are not sorted by ID")
	}
	if got := describeCalls(t, sim); got != 25 {
		t.Errorf("DescribeInstanceInformation calls = %d, want ceil(1234/50) = 25", got)
	}
	n := nodes[0]
	if n.PlatformName != "Amazon Linux" || n.AgentVersion != "3.2.582.0" || n.PingStatus != fleet.PingOnline || n.ResourceType != "EC2Instance" || n.LastPingAt.IsZero() {
		t.Errorf("node fields: %+v", n)
	}
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestSimDiscoverSelections(t *testing.T) {
	all := simNodes(300)
	allIDs := make([]string, len(all))
	for i, n := range all {
		allIDs[i] = n.ID
	}
	tests := []struct {
		name string
		sel  fleet.Selection
		want func(i int) bool
	}{
		{"120 ids", fleet.Selection{InstanceIDs: allIDs[100:220]}, func(i int) bool { return i >= 100 && i < 220 }},
		{"platform, any case", fleet.Selection{Platform: "windows"}, func(i int) bool { return i%3 == 2 }},
		{"tag", fleet.Selection{Tags: []fleet.Tag{{Key: "env", Value: "dev"}}}, func(i int) bool { return i%2 == 1 }},
		{"tag, platform, ids and exclusion", fleet.Selection{
			Tags: []fleet.Tag{{Key: "env", Value: "prod"}}, Platform: "Linux",
			InstanceIDs: allIDs[:60], ExcludeInstanceIDs: allIDs[:6]},
			func(i int) bool { return i < 60 && i >= 6 && i%2 == 0 && i%3 != 2 }},
		{"ids with platform", fleet.Selection{InstanceIDs: allIDs[:90], Platform: "Linux"}, func(i int) bool { return i < 90 && i%3 != 2 }},
	}
	_, api := startSim(t, clock.NewScaled(start, 200), all, ssmsim.Faults{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, err := fleet.Discover(context.Background(), api, tt.sel, nil)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for i, id := range allIDs {
				if tt.want(i) {
					want = append(want, id)
				}
			}
			if !slices.Equal(ids(nodes), want) {
				t.Errorf("got %d nodes, want %d", len(nodes), len(want))
			}
		})
	}
}

func TestSimDiscoverThroughEmptyPagesAndThrottling(t *testing.T) {
	// Real time here: the simulator's rate limit and the client's pacing
	// then run on the same clock.
	faults := ssmsim.Faults{EmptyPageRate: 0.3, RatePerSecond: 40, Burst: 2}
	sim, api := startSim(t, clock.Real{}, simNodes(1000), faults)
	nodes, err := fleet.Discover(context.Background(), api, fleet.Selection{}, nil)
	if err != nil {
		t.Fatalf("discovery failed under faults: %v", err)
	}
	if len(nodes) != 1000 {
		t.Fatalf("discovered %d nodes, want 1000", len(nodes))
	}
	st := sim.Stats().Snapshot()["DescribeInstanceInformation"]
	t.Logf("DescribeInstanceInformation: %+v", st)
	if st.OK < 20 {
		t.Errorf("%d successful pages, want at least 20", st.OK)
	}
}

func TestSimReadBack(t *testing.T) {
	nodes := simNodes(400)
	sim, api := startSim(t, clock.NewScaled(start, 200), nodes, ssmsim.Faults{})
	var want []string
	for _, n := range nodes[:70] {
		want = append(want, n.ID)
	}
	gone := nodes[5].ID
	sim.WithRegion("us-east-1", func(r *ssmsim.Region) { r.Terminate(gone) })

	for _, tc := range []struct {
		name      string
		fleetSize int
		wantCalls int
	}{
		{"per batch", 400, 2},
		{"full listing", 50, 8}, // the caller thinks the fleet is small
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim.Stats().Reset()
			before := counter.Snapshot()["DescribeInstanceInformation"]
			got, err := fleet.ReadBack(context.Background(), api, want, tc.fleetSize, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 69 {
				t.Errorf("read back %d nodes, want 69", len(got))
			}
			if _, ok := got[gone]; ok {
				t.Error("terminated node must be absent")
			}
			after := counter.Snapshot()["DescribeInstanceInformation"]
			if sim.Stats().Calls("DescribeInstanceInformation") != after.Calls-before.Calls+after.Retries-before.Retries {
				t.Errorf("simulator and client disagree on the calls made")
			}
			if calls := after.Calls - before.Calls; calls != tc.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tc.wantCalls)
			}
		})
	}
}
