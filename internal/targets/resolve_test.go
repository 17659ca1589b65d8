package targets

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/ssmsim"
)

// sampleOrg serves the sample organization over HTTP on 127.0.0.1 and
// returns a hub for the given spec, acting as its management account.
func sampleOrg(t *testing.T, spec Spec) (*Hub, *ssmsim.Server) {
	t.Helper()
	clk := clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 100)
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: 3, Organization: ssmsim.SampleOrganization(ssmsim.SampleOrgOptions{})})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return hubFor(t, srv.URL, clk, spec), sim
}

func hubFor(t *testing.T, url string, clk clock.Clock, spec Spec) *Hub {
	t.Helper()
	if err := spec.CheckAndSetDefaults(); err != nil {
		t.Fatal(err)
	}
	cfg, err := awsclient.Load(context.Background(), awsclient.Config{Region: "us-east-1", EndpointURL: url,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), MaxBackoff: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHub(context.Background(), HubConfig{Config: cfg, Endpoint: url, Spec: spec, Clock: clk, MaxBackoff: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func keys(set *Set) (reached, failed []string) {
	for _, c := range set.Conns {
		reached = append(reached, c.Account+"/"+c.Region)
	}
	for _, f := range set.Failed {
		failed = append(failed, f.Key()+" "+f.Failure.Kind)
	}
	return reached, failed
}

// The sample organization holds every case: the role missing in one
// account, a suspended account, an opt-in region enabled in one account.
func TestResolveSampleOrganization(t *testing.T) {
	const (
		mgmt = ssmsim.SampleManagementAccount
		sand = ssmsim.SampleSandboxAccount
		susp = ssmsim.SampleSuspendedAccount
	)
	m1, m2 := ssmsim.SampleMemberAccount(1), ssmsim.SampleMemberAccount(2)
	for _, tc := range []struct {
		name            string
		spec            Spec
		reached, failed []string
		skipped         []string
	}{
		{
			name: "org, all regions",
			spec: Spec{Org: true, AllRegions: true},
			reached: []string{mgmt + "/eu-west-1", mgmt + "/us-east-1", m1 + "/af-south-1", m1 + "/eu-west-1", m1 + "/us-east-1",
				m2 + "/eu-west-1", m2 + "/us-east-1"},
			failed:  []string{sand + "/* role"},
			skipped: []string{susp},
		},
		{
			name:    "caller's account, two regions",
			spec:    Spec{Regions: []string{"eu-west-1", "us-east-1"}},
			reached: []string{mgmt + "/eu-west-1", mgmt + "/us-east-1"},
		},
		{
			name:    "named accounts, an opt-in region only one has enabled",
			spec:    Spec{Accounts: []string{m1, m2}, Regions: []string{"af-south-1"}},
			reached: []string{m1 + "/af-south-1"},
			failed:  []string{m2 + "/af-south-1 region-disabled"},
		},
		{
			name:   "a suspended account named",
			spec:   Spec{Accounts: []string{susp}},
			failed: []string{susp + "/us-east-1 suspended"},
		},
		{
			name:    "an OU subtree, one account excluded",
			spec:    Spec{OUs: []string{"ou-exam-workload"}, Exclude: []string{m2}},
			reached: []string{m1 + "/us-east-1"},
		},
		{
			name:   "the wrong role name",
			spec:   Spec{Accounts: []string{m1}, RoleName: "OrganizationAccountAccessRole", Regions: []string{"eu-west-1"}},
			failed: []string{m1 + "/eu-west-1 role"},
		},
		{
			name:    "an external ID the role does not ask for is still admitted; a region AWS does not list is not",
			spec:    Spec{Accounts: []string{m1}, ExternalID: "ext-123", Regions: []string{"us-east-1", "xx-nowhere-1"}},
			reached: []string{m1 + "/us-east-1"},
			failed:  []string{m1 + "/xx-nowhere-1 region-disabled"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := sampleOrg(t, tc.spec)
			set, err := Resolve(context.Background(), h, h.c.Spec)
			if err != nil {
				t.Fatal(err)
			}
			reached, failed := keys(set)
			if !slices.Equal(reached, tc.reached) || !slices.Equal(failed, tc.failed) {
				t.Errorf("reached %v\n failed %v\nwant reached %v\n failed %v", reached, failed, tc.reached, tc.failed)
			}
			var skipped []string
			for _, s := range set.Skipped {
				skipped = append(skipped, s.Account)
			}
			if !slices.Equal(skipped, tc.skipped) {
				t.Errorf("skipped %v, want %v", skipped, tc.skipped)
			}
			for _, f := range set.Failed {
				if f.Failure.Reason == "" || f.Failure.Advice == "" {
					t.Errorf("%s: failure without reason or advice: %+v", f.Key(), f.Failure)
				}
			}
		})
	}
}

// Every reached target's client works, as its account: the role's
// credentials are assumed once per account and shared by its regions.
func TestReachedTargetsCallSSMAsTheirAccount(t *testing.T) {
	h, sim := sampleOrg(t, Spec{Org: true, AllRegions: true})
	set, err := Resolve(context.Background(), h, h.c.Spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range set.Conns {
		got, err := countNodes(context.Background(), c)
		if err != nil {
			t.Fatalf("%s/%s: %v", c.Account, c.Region, err)
		}
		want := 0
		sim.WithAccountRegion(c.Account, c.Region, func(r *ssmsim.Region) { want = r.Len() })
		if got != want || got == 0 {
			t.Errorf("%s/%s: listed %d nodes, the simulator holds %d", c.Account, c.Region, got, want)
		}
	}
	// Two member accounts with the role, plus the sandbox's refused try.
	if n := sim.Stats().Calls("sts:AssumeRole"); n != 3 {
		t.Errorf("%d AssumeRole calls, want 3 (one per account that is not the caller's)", n)
	}
}

func TestSpecRefuses(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		want string
	}{
		{Spec{Regions: []string{"eu-west-1"}, AllRegions: true}, "--regions and --all-regions"},
		{Spec{Accounts: []string{"111111111111"}, Org: true}, "--accounts names the accounts"},
		{Spec{Regions: []string{"Ireland"}}, `--regions "Ireland"`},
		{Spec{Accounts: []string{"1234"}}, `--accounts "1234": an account ID is 12 digits`},
		{Spec{Exclude: []string{"111111111111"}}, "--exclude-accounts leaves accounts out of"},
		{Spec{Accounts: []string{"111111111111"}, Exclude: []string{"111111111111"}}, "leaves none of --accounts"},
		{Spec{RoleName: "Ops"}, "--role-name is the role assumed in other accounts"},
		{Spec{ExternalID: "abc"}, "--external-id goes with the role"},
		{Spec{Parallel: 4}, "--parallel-targets has no effect on one account and region"},
		{Spec{Org: true, Parallel: -1}, "--parallel-targets -1"},
		{Spec{OUs: []string{"Prod"}}, `--ou "Prod"`},
	} {
		err := tc.spec.CheckAndSetDefaults()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want %q", tc.spec, err, tc.want)
		}
	}
	ok := Spec{Org: true}
	if err := ok.CheckAndSetDefaults(); err != nil || ok.RoleName != DefaultRoleName || ok.Parallel != DefaultParallel {
		t.Errorf("defaults: %+v, %v", ok, err)
	}
}

func TestClassify(t *testing.T) {
	f := Classify(Where("111122223333", "eu-west-1"), &plan.StaleError{Changes: []plan.FactChange{{InstanceID: "i-1"}}})
	if f.Kind != KindStale || !strings.Contains(f.Reason, "account 111122223333 in eu-west-1") {
		t.Errorf("stale: %+v", f)
	}
}

func countNodes(ctx context.Context, c *Conn) (int, error) {
	n := 0
	p := ssmDescribe(c)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		n += len(out.InstanceInformationList)
	}
	return n, nil
}
