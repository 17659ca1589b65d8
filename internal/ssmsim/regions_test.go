package ssmsim

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestRegionsPerAccount(t *testing.T) {
	_, mgmt, _ := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	regions := func(c *clients, all bool) map[string]string {
		out, err := c.ec2.DescribeRegions(cx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(all)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, r := range out.Regions {
			m[aws.ToString(r.RegionName)] = aws.ToString(r.OptInStatus)
		}
		return m
	}
	optedIn := mgmt.assume(t, SampleMemberAccount(1), DefaultRoleName, "us-east-1")
	tests := []struct {
		name string
		c    *clients
		all  bool
		want map[string]string
	}{
		{"management, enabled only", mgmt, false, map[string]string{"us-east-1": "opt-in-not-required", "eu-west-1": "opt-in-not-required"}},
		{"management, all", mgmt, true, map[string]string{"us-east-1": "opt-in-not-required", "eu-west-1": "opt-in-not-required", SampleOptInRegion: "not-opted-in"}},
		{"opted-in member", optedIn, false, map[string]string{"us-east-1": "opt-in-not-required", "eu-west-1": "opt-in-not-required", SampleOptInRegion: "opted-in"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := regions(tc.c, tc.all)
			if len(got) != len(tc.want) {
				t.Fatalf("regions = %v, want %v", got, tc.want)
			}
			for r, st := range tc.want {
				if got[r] != st {
					t.Errorf("%s: %q, want %q", r, got[r], st)
				}
			}
		})
	}

	// Calls into the region the management account has not enabled fail
	// as AWS fails them, each service with its own code.
	off := mgmt.inRegion(t, SampleOptInRegion)
	_, err := off.ssm.DescribeInstanceInformation(cx, &ssm.DescribeInstanceInformationInput{})
	if apiCode(err) != "UnrecognizedClientException" {
		t.Errorf("SSM in a disabled region: %v", err)
	}
	_, err = off.ec2.DescribeInstances(cx, &ec2.DescribeInstancesInput{})
	if apiCode(err) != "OptInRequired" {
		t.Errorf("EC2 in a disabled region: %v", err)
	}
	_, err = off.sts.GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("STS in a disabled region: %v", err)
	}
	// The account that enabled it is served there.
	on := optedIn.inRegion(t, SampleOptInRegion)
	if n := len(ssmIDs(t, on.ssm)); n != 5 {
		t.Errorf("opted-in member's fleet in %s: %d nodes, want 5", SampleOptInRegion, n)
	}
}

func TestThrottlingIsPerAccountAndRegion(t *testing.T) {
	_, mgmt, _ := startOrg(t, SampleOrgOptions{}, func(o *Options) { o.Faults = Faults{RatePerSecond: 1, Burst: 1} })
	cx := testCtx(t)
	call := func(c *clients) error {
		_, err := c.ssm.DescribeInstanceInformation(cx, &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(5)})
		return err
	}
	member := mgmt.assume(t, SampleMemberAccount(1), DefaultRoleName, "us-east-1")
	if err := call(mgmt); err != nil {
		t.Fatal(err)
	}
	if err := call(mgmt); apiCode(err) != "ThrottlingException" {
		t.Fatalf("second call in the same second, account and region: %v", err)
	}
	if err := call(mgmt.inRegion(t, "eu-west-1")); err != nil {
		t.Errorf("same account, other region: %v", err)
	}
	if err := call(member); err != nil {
		t.Errorf("other account, same region: %v", err)
	}
	// EC2 answers its own throttling code.
	if _, err := mgmt.ec2.DescribeRegions(cx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.ec2.DescribeRegions(cx, &ec2.DescribeRegionsInput{}); apiCode(err) != "RequestLimitExceeded" {
		t.Errorf("EC2 over the limit: %v", err)
	}
}
