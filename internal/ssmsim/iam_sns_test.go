package ssmsim

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

func TestIAMOperations(t *testing.T) {
	_, mgmt, _ := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	_, err := mgmt.iam.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("nope")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Errorf("GetRole of a missing role: %v", err)
	}
	role, err := mgmt.iam.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String(DefaultRoleName)})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
	if doc != TrustAccount(SampleManagementAccount, "") || aws.ToString(role.Role.Arn) != "arn:aws:iam::111111111111:role/PatchReadyRole" {
		t.Errorf("role = %s, trust %s", aws.ToString(role.Role.Arn), doc)
	}
	_, err = mgmt.iam.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("patchreadyrole"), AssumeRolePolicyDocument: aws.String(TrustService("ec2.amazonaws.com"))})
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("CreateRole of an existing name, other case: %v", err)
	}
	_, err = mgmt.iam.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("bad-doc"), AssumeRolePolicyDocument: aws.String("{not json")})
	var malformed *iamtypes.MalformedPolicyDocumentException
	if !errors.As(err, &malformed) {
		t.Errorf("CreateRole with a malformed trust policy: %v", err)
	}
	_, err = mgmt.iam.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("bad name!"), AssumeRolePolicyDocument: aws.String(TrustService("ec2.amazonaws.com"))})
	if apiCode(err) != "ValidationError" {
		t.Errorf("CreateRole with a bad name: %v", err)
	}
	_, err = mgmt.iam.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String(DefaultRoleName), PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")})
	if !errors.As(err, &nse) {
		t.Errorf("attach an unknown policy: %v", err)
	}
	for _, p := range []string{PolicySSMManagedInstanceCore, PolicyS3ReadOnly} {
		if _, err := mgmt.iam.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String(DefaultRoleName), PolicyArn: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	pg := iam.NewListAttachedRolePoliciesPaginator(mgmt.iam, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(DefaultRoleName), MaxItems: aws.Int32(1)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.AttachedPolicies {
			names = append(names, aws.ToString(p.PolicyName))
		}
	}
	if len(names) != 3 || names[0] != "AmazonS3ReadOnlyAccess" {
		t.Errorf("attached policies = %v", names)
	}

	if _, err := mgmt.iam.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("fresh")}); err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.iam.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("fresh"), RoleName: aws.String(DefaultRoleName)}); err != nil {
		t.Fatal(err)
	}
	_, err = mgmt.iam.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("fresh"), RoleName: aws.String("app-server-role")})
	var limit *iamtypes.LimitExceededException
	if !errors.As(err, &limit) {
		t.Errorf("a second role in a profile: %v", err)
	}
	prof, err := mgmt.iam.GetInstanceProfile(cx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("fresh")})
	if err != nil || len(prof.InstanceProfile.Roles) != 1 || aws.ToString(prof.InstanceProfile.Roles[0].RoleName) != DefaultRoleName {
		t.Errorf("GetInstanceProfile: %+v %v", prof, err)
	}
	// The fleet's nodes report roles that IAM knows.
	fleetProf, err := mgmt.iam.GetInstanceProfile(cx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("patchready-ssm-instance")})
	if err != nil || len(fleetProf.InstanceProfile.Roles) != 1 {
		t.Errorf("profile of the fleet's nodes: %+v %v", fleetProf, err)
	}
}

func TestSNSPublish(t *testing.T) {
	s, mgmt, _ := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	topic := "arn:aws:sns:us-east-1:111111111111:" + SampleTopic
	out, err := mgmt.sns.Publish(cx, &sns.PublishInput{TopicArn: aws.String(topic), Subject: aws.String("patchready run"), Message: aws.String(`{"failed_accounts":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	got := s.Published()
	if len(got) != 1 || got[0].MessageID != aws.ToString(out.MessageId) || got[0].Message != `{"failed_accounts":1}` || got[0].Subject != "patchready run" {
		t.Fatalf("published = %+v", got)
	}
	tests := []struct {
		name string
		in   sns.PublishInput
		want interface{ ErrorCode() string }
	}{
		{"no such topic", sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:111111111111:nope"), Message: aws.String("m")}, &snstypes.NotFoundException{}},
		{"malformed ARN", sns.PublishInput{TopicArn: aws.String("topic"), Message: aws.String("m")}, &snstypes.InvalidParameterException{}},
		{"empty message", sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("")}, &snstypes.InvalidParameterException{}},
		{"another account's topic", sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:222222222222:x"), Message: aws.String("m")}, &snstypes.AuthorizationErrorException{}},
		{"another region", sns.PublishInput{TopicArn: aws.String("arn:aws:sns:eu-west-1:111111111111:" + SampleTopic), Message: aws.String("m")}, &snstypes.InvalidParameterException{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mgmt.sns.Publish(cx, &tc.in)
			if err == nil || apiCode(err) != apiCodeOf(tc.want) {
				t.Fatalf("got %v, want %s", err, apiCodeOf(tc.want))
			}
		})
	}
	// Tests outside Go read the messages from the admin endpoint.
	resp, err := http.Get(mgmt.url + "/_sim/sns/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var msgs []PublishedMessage
	if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil || len(msgs) != 1 || msgs[0].TopicArn != topic {
		t.Errorf("admin endpoint: %+v %v", msgs, err)
	}
}

func apiCodeOf(e interface{ ErrorCode() string }) string { return e.ErrorCode() }
