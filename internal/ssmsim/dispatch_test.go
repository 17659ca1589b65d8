package ssmsim

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A test that gives Options.Fleets by region gets them in the management
// account, organization or not, as before the simulator held accounts.
func TestFleetsOptionIsTheManagementAccounts(t *testing.T) {
	org := SampleOrganization(SampleOrgOptions{})
	s := New(Options{Organization: org, Fleets: map[string]Fleet{"us-east-1": fleetOf(3), "eu-west-1": fleetOf(7)}})
	c := newClients(t, startHTTP(t, s), "us-east-1", staticCreds)
	if n := len(ssmIDs(t, c.ssm)); n != 3 {
		t.Errorf("us-east-1: %d nodes, want 3", n)
	}
	if n := len(ssmIDs(t, c.inRegion(t, "eu-west-1").ssm)); n != 7 {
		t.Errorf("eu-west-1: %d nodes, want 7", n)
	}
	member := c.assume(t, SampleMemberAccount(1), DefaultRoleName, "us-east-1")
	if ids := ssmIDs(t, member.ssm); len(ids) == 0 || len(ids) == 3 {
		t.Errorf("member account got %d nodes, want its own fleet", len(ids))
	}
}

// Fleets["*"] replaces the management account's fleet in every region,
// those the organization gives it included (sim serve --size).
func TestFleetsStarReplacesTheOrganizationsFleets(t *testing.T) {
	s := New(Options{Organization: SampleOrganization(SampleOrgOptions{}), Fleets: map[string]Fleet{"*": fleetOf(4)}})
	c := newClients(t, startHTTP(t, s), "us-east-1", staticCreds)
	for _, r := range []string{"us-east-1", "eu-west-1", "us-west-2"} {
		if n := len(ssmIDs(t, c.inRegion(t, r).ssm)); n != 4 {
			t.Errorf("%s: %d nodes, want 4", r, n)
		}
	}
}

// An unsigned request (curl) is placed by its X-Amz-Target, else by its
// Action, and acts as the management account.
func TestUnsignedRequestsArePlacedByTargetOrAction(t *testing.T) {
	url0 := startHTTP(t, New(Options{}))
	tests := []struct {
		name, target, body, want string
		status                   int
	}{
		{"STS by Action", "", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}.Encode(), "<Account>" + DefaultAccountID + "</Account>", 200},
		{"EC2 by Action", "", url.Values{"Action": {"DescribeRegions"}}.Encode(), "<regionName>us-east-1</regionName>", 200},
		{"SSM by target", "AmazonSSM.DescribeInstanceInformation", "{}", `"InstanceInformationList"`, 200},
		{"wrong API version", "", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2001-01-01"}}.Encode(), "<Code>InvalidAction</Code>", 400},
		{"unknown target", "AmazonFoo.Bar", "{}", "UnknownOperationException", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, url0, strings.NewReader(tc.body))
			if tc.target != "" {
				req.Header.Set("X-Amz-Target", tc.target)
				req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			} else {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
				t.Fatalf("%d %s, want %d with %q", resp.StatusCode, b, tc.status, tc.want)
			}
		})
	}
}
