package unmanaged_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/ssmsim"
	"github.com/patchready/patchready/internal/unmanaged"
)

// estate serves a simulator of the sample organization's management
// account, with fleet as its us-east-1 fleet, and returns the clients
// discovery reads through.
func estate(t testing.TB, fl ssmsim.Fleet) (*ssmsim.Server, unmanaged.APIs, *ssm.Client) {
	t.Helper()
	org := ssmsim.SampleOrganization(ssmsim.SampleOrgOptions{})
	sim := ssmsim.New(ssmsim.Options{Clock: clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 1), Seed: 3,
		Organization: org, Fleets: map[string]ssmsim.Fleet{"us-east-1": fl}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	api := ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})
	return sim, unmanaged.APIs{
		EC2: ec2.New(ec2.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		IAM: iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		SSM: api,
	}, api
}

func managedIDs(t testing.TB, api *ssm.Client) map[string]bool {
	t.Helper()
	nodes, err := fleet.Discover(context.Background(), api, fleet.Selection{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, n := range nodes {
		out[n.InstanceID] = true
	}
	return out
}

// The sample account's unmanaged instances are found with their facts,
// and the managed ones are not.
func TestDiscoverSampleInstances(t *testing.T) {
	_, apis, api := estate(t, ssmsim.SampleFleet())
	reg, nodes, err := unmanaged.Discover(context.Background(), apis, unmanaged.Input{Managed: managedIDs(t, api), AttachProfile: "patchready-ssm-instance"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*fleet.EC2Facts{}
	for _, n := range nodes {
		got[n.InstanceID] = n.EC2
	}
	want := map[string]fleet.EC2Facts{
		"i-0c0ffee000000a001": {State: "running", Name: "no-profile", MetadataEndpoint: "enabled", HostManagement: "off"},
		"i-0c0ffee000000a002": {State: "running", Name: "profile-without-ssm", Profile: "app-server-role", Role: "app-server-role", RoleProblem: fleet.RoleNoSSMPolicy, MetadataEndpoint: "enabled", HostManagement: "off"},
		"i-0c0ffee000000a003": {State: "running", Name: "no-agent", MetadataEndpoint: "enabled", HostManagement: "off"},
		"i-0c0ffee000000a004": {State: "stopped", Name: "stopped", MetadataEndpoint: "enabled", HostManagement: "off"},
		"i-0c0ffee000000a005": {State: "running", Name: "no-network-path", Profile: "patchready-ssm-instance", Role: "patchready-ssm-instance", MetadataEndpoint: "enabled", HostManagement: "off"},
	}
	if len(got) != len(want) || reg.Unmanaged != len(want) {
		t.Fatalf("found %d (region says %d), want %d: %v", len(got), reg.Unmanaged, len(want), nodes)
	}
	for id, w := range want {
		g := got[id]
		if g == nil {
			t.Errorf("%s not found", id)
			continue
		}
		g2 := *g
		g2.InstanceType, g2.MetadataTokens = "", ""
		if g2 != w {
			t.Errorf("%s:\n got %+v\nwant %+v", id, g2, w)
		}
	}
	if reg.Instances <= len(want) || reg.HostManagement.State != "off" || reg.HostManagement.Documented.Exists {
		t.Errorf("region = %+v", reg)
	}
	if p := reg.Profile; p == nil || p.Role != "patchready-ssm-instance" || p.Problem != "" {
		t.Errorf("profile = %+v", p)
	}
}

// A selection selects EC2 instances as it selects managed nodes.
func TestDiscoverFollowsTheSelection(t *testing.T) {
	_, apis, api := estate(t, ssmsim.SampleFleet())
	for _, tt := range []struct {
		sel  fleet.Selection
		want []string
	}{
		{fleet.Selection{InstanceIDs: []string{"i-0c0ffee000000a002", "mi-0a1b2c3d4e5f60081", "i-0a1b2c3d4e5f60001"}}, []string{"i-0c0ffee000000a002"}},
		{fleet.Selection{Tags: []fleet.Tag{{Key: "Name", Value: "no-agent"}, {Key: "Name", Value: "stopped"}}}, []string{"i-0c0ffee000000a003", "i-0c0ffee000000a004"}},
		{fleet.Selection{Platform: "Windows"}, nil},
		{fleet.Selection{ExcludeInstanceIDs: []string{"i-0c0ffee000000a001", "i-0c0ffee000000a002", "i-0c0ffee000000a005"}}, []string{"i-0c0ffee000000a003", "i-0c0ffee000000a004"}},
	} {
		t.Run(fmt.Sprint(tt.sel), func(t *testing.T) {
			managed := managedIDs(t, api)
			_, nodes, err := unmanaged.Discover(context.Background(), apis, unmanaged.Input{Selection: tt.sel, Managed: managed,
				Confirm: func(ctx context.Context, ids []string) (map[string]fleet.Node, error) {
					return fleet.ReadBack(ctx, api, ids, 0, nil)
				}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range nodes {
				got = append(got, n.InstanceID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("found %v, want %v", got, tt.want)
			}
		})
	}
}

// Discovery pages DescribeInstances at its largest page: N instances cost
// ceil(N/1000) calls, at any fleet size. This is a count, not a timing.
func TestDiscoverCostsOneCallPerThousandInstances(t *testing.T) {
	for _, n := range []int{1, 999, 1000, 1001, 10000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			_, apis, _ := estate(t, ssmsim.Generate(n, 7))
			// Calls counted at the client: an attempt the SDK repeated (a
			// throttle, or a 200 whose body read failed under load,
			// aws/aws-sdk-go-v2#1825) is one call, as the simulator's own
			// count would not say (retries are the retryer's business,
			// counted by the benchmarks).
			counter := awsclient.NewCallCounter()
			apis.EC2 = ec2.New(apis.EC2.(*ec2.Client).Options(), counter.EC2Options)
			pages := func() int { return counter.Snapshot()["DescribeInstances"].Calls }
			before := pages()
			reg, _, err := unmanaged.Discover(context.Background(), apis, unmanaged.Input{Managed: map[string]bool{}})
			if err != nil {
				t.Fatal(err)
			}
			calls := pages() - before
			if want := (reg.Instances + unmanaged.PageSize - 1) / unmanaged.PageSize; calls != want || reg.Instances < n*9/10 {
				t.Errorf("%d EC2 instances cost %d DescribeInstances pages, want %d", reg.Instances, calls, want)
			}
		})
	}
}

// ec2Fleet is a generated fleet of n EC2 nodes (no hybrid ones), so that
// with the sample account's five unmanaged instances the account holds
// n+5 EC2 instances.
func ec2Fleet(n int) ssmsim.Fleet {
	var out ssmsim.Fleet
	for _, nd := range ssmsim.Generate(n+n/5, 7).Nodes {
		if len(out.Nodes) < n && nd.ID[:2] == "i-" {
			out.Nodes = append(out.Nodes, nd)
		}
	}
	return out
}

// BenchmarkDiscover is discovery of a 10,000-instance account (the sample
// account's five unmanaged instances among 9,995 managed ones) against
// the simulator over HTTP: the figure the README quotes, with the calls it
// makes.
func BenchmarkDiscover(b *testing.B) {
	sim, apis, api := estate(b, ec2Fleet(9995))
	managed := managedIDs(b, api)
	var reg unmanaged.Region
	calls := 0
	for b.Loop() {
		before := sim.Stats().Calls("ec2:DescribeInstances")
		var err error
		if reg, _, err = unmanaged.Discover(context.Background(), apis, unmanaged.Input{Managed: managed}); err != nil {
			b.Fatal(err)
		}
		calls = sim.Stats().Calls("ec2:DescribeInstances") - before
	}
	b.ReportMetric(float64(reg.Instances), "instances")
	b.ReportMetric(float64(calls), "describe-instances-calls/op")
	b.ReportMetric(float64(reg.Unmanaged), "unmanaged")
}
