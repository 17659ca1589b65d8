package ssmsim

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestCallerIdentityAndAssumeRole(t *testing.T) {
	_, mgmt, clk := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	me, err := mgmt.sts.GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(me.Account) != SampleManagementAccount || aws.ToString(me.Arn) != "arn:aws:iam::111111111111:user/simulator" {
		t.Errorf("plain keys: %s %s, want the management account's user", aws.ToString(me.Account), aws.ToString(me.Arn))
	}

	member := SampleMemberAccount(1)
	out, err := mgmt.sts.AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + member + ":role/" + DefaultRoleName),
		RoleSessionName: aws.String("patchready"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || aws.ToString(cr.SessionToken) == "" || !cr.Expiration.Equal(simT0.Add(15*time.Minute)) {
		t.Errorf("credentials = %s, token %d chars, expiring %s", aws.ToString(cr.AccessKeyId), len(aws.ToString(cr.SessionToken)), cr.Expiration)
	}
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::"+member+":assumed-role/PatchReadyRole/patchready" {
		t.Errorf("assumed role ARN %s", got)
	}
	them := newClients(t, mgmt.url, "us-east-1", credentials.NewStaticCredentialsProvider(*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken))
	who, err := them.sts.GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Account) != member {
		t.Fatalf("identity with the role's credentials: %v, %v", who, err)
	}
	// The role's credentials act in the member account: its fleet, not the
	// management account's.
	memberNodes, mgmtNodes := ssmIDs(t, them.ssm), ssmIDs(t, mgmt.ssm)
	if len(memberNodes) == 0 || len(memberNodes) == len(mgmtNodes) {
		t.Errorf("member account lists %d nodes, management %d", len(memberNodes), len(mgmtNodes))
	}
	for id := range memberNodes {
		if _, shared := mgmtNodes[id]; shared {
			t.Fatalf("node %s is in both accounts", id)
		}
	}

	// Past the expiration every service refuses the keys with its own
	// expired-credential code.
	clk.Advance(16 * time.Minute)
	_, err = them.sts.GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "ExpiredToken" {
		t.Errorf("STS after expiry: %v", err)
	}
	_, err = them.ssm.DescribeInstanceInformation(cx, &ssm.DescribeInstanceInformationInput{})
	if apiCode(err) != "ExpiredTokenException" {
		t.Errorf("SSM after expiry: %v", err)
	}
	_, err = them.ec2.DescribeInstances(cx, &ec2.DescribeInstancesInput{})
	if apiCode(err) != "RequestExpired" {
		t.Errorf("EC2 after expiry: %v", err)
	}
	// A key the simulator issued, with the wrong token, is refused.
	forged := newClients(t, mgmt.url, "us-east-1", credentials.NewStaticCredentialsProvider(*cr.AccessKeyId, "x", "not-the-token"))
	if _, err := forged.ssm.DescribeInstanceInformation(cx, &ssm.DescribeInstanceInformationInput{}); apiCode(err) != "UnrecognizedClientException" {
		t.Errorf("forged session token: %v", err)
	}
}

func TestAssumeRoleRefusals(t *testing.T) {
	_, mgmt, _ := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	assume := func(account, role, session string, ext *string, dur *int32) error {
		_, err := mgmt.sts.AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/" + role),
			RoleSessionName: aws.String(session), ExternalId: ext, DurationSeconds: dur})
		return err
	}
	tests := []struct {
		name     string
		err      error
		wantCode string
	}{
		{"role missing in the account", assume(SampleSandboxAccount, DefaultRoleName, "s1", nil, nil), "AccessDenied"},
		{"suspended account", assume(SampleSuspendedAccount, DefaultRoleName, "s1", nil, nil), "AccessDenied"},
		{"account not in the simulator", assume("999999999999", DefaultRoleName, "s1", nil, nil), "AccessDenied"},
		{"role that does not exist", assume(SampleMemberAccount(1), "NoSuchRole", "s1", nil, nil), "AccessDenied"},
		{"session name too short", assume(SampleMemberAccount(1), DefaultRoleName, "s", nil, nil), "ValidationError"},
		{"duration below 900", assume(SampleMemberAccount(1), DefaultRoleName, "s1", nil, aws.Int32(60)), "ValidationError"},
		{"duration above the role's maximum", assume(SampleMemberAccount(1), DefaultRoleName, "s1", nil, aws.Int32(7200)), "ValidationError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if apiCode(tc.err) != tc.wantCode {
				t.Fatalf("got %v, want %s", tc.err, tc.wantCode)
			}
		})
	}
}

func TestAssumeRoleExternalIDAndRegionDisabled(t *testing.T) {
	const mgmtID, target = "210987654321", "210987654322"
	org := &Organization{
		Regions: []RegionSpec{{Name: "us-east-1"}, {Name: "ap-east-1", OptIn: true}},
		Accounts: []Account{
			{ID: mgmtID, Name: "mgmt", OptedIn: []string{"ap-east-1"}},
			{ID: target, Name: "target", Roles: []Role{{Name: "Auditor", TrustPolicy: TrustAccount(mgmtID, "s3cr3t-id")}}},
		},
	}
	s := New(Options{Organization: org})
	c := newClients(t, startHTTP(t, s), "us-east-1", staticCreds)
	cx := testCtx(t)
	try := func(cl *clients, ext *string) error {
		_, err := cl.sts.AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + target + ":role/Auditor"),
			RoleSessionName: aws.String("audit"), ExternalId: ext})
		return err
	}
	if err := try(c, nil); apiCode(err) != "AccessDenied" {
		t.Errorf("without the external ID: %v", err)
	}
	if err := try(c, aws.String("wrong-id")); apiCode(err) != "AccessDenied" {
		t.Errorf("with a wrong external ID: %v", err)
	}
	if err := try(c, aws.String("s3cr3t-id")); err != nil {
		t.Errorf("with the external ID: %v", err)
	}
	// The caller has ap-east-1; the target account has not enabled it.
	if err := try(c.inRegion(t, "ap-east-1"), aws.String("s3cr3t-id")); apiCode(err) != "RegionDisabledException" {
		t.Errorf("into an account without the region: %v", err)
	}
}

func TestSuspendedAccountRefusesItsCredentials(t *testing.T) {
	s, mgmt, _ := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	member := mgmt.assume(t, SampleMemberAccount(2), DefaultRoleName, "us-east-1")
	if !s.SetAccountStatus(SampleMemberAccount(2), AccountSuspended) {
		t.Fatal("no such account")
	}
	_, err := member.ssm.DescribeInstanceInformation(cx, &ssm.DescribeInstanceInformationInput{})
	if apiCode(err) != "SubscriptionRequiredException" {
		t.Errorf("SSM: %v", err)
	}
	_, err = member.ec2.DescribeInstances(cx, &ec2.DescribeInstancesInput{})
	if apiCode(err) != "OptInRequired" {
		t.Errorf("EC2: %v", err)
	}
	_, err = member.sts.GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "OptInRequired" {
		t.Errorf("STS: %v", err)
	}
	_, err = mgmt.sts.AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + SampleMemberAccount(2) + ":role/" + DefaultRoleName),
		RoleSessionName: aws.String("again")})
	if apiCode(err) != "AccessDenied" {
		t.Errorf("AssumeRole into the suspended account: %v", err)
	}
}
