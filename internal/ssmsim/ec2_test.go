package ssmsim

import (
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// ec2Instances lists DescribeInstances to exhaustion with the SDK
// paginator and returns the instances by ID and the number of pages.
func ec2Instances(t testing.TB, c *ec2.Client, in *ec2.DescribeInstancesInput) (map[string]types.Instance, int) {
	t.Helper()
	out := map[string]types.Instance{}
	pages := 0
	p := ec2.NewDescribeInstancesPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatalf("DescribeInstances: %v", err)
		}
		pages++
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				if _, dup := out[aws.ToString(i.InstanceId)]; dup {
					t.Fatalf("instance %s listed twice", aws.ToString(i.InstanceId))
				}
				out[aws.ToString(i.InstanceId)] = i
			}
		}
	}
	return out, pages
}

func TestDescribeInstancesListsFleetAndUnmanaged(t *testing.T) {
	_, mgmt, _ := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	all, pages := ec2Instances(t, mgmt.ec2, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5)})
	managed := ssmIDs(t, mgmt.ssm)
	ec2Nodes := 0
	for id := range managed {
		if id[:2] == "i-" {
			ec2Nodes++
			if _, ok := all[id]; !ok {
				t.Errorf("managed EC2 node %s missing from DescribeInstances", id)
			}
		}
	}
	if want := ec2Nodes + len(SampleInstances()); len(all) != want || pages < want/5 {
		t.Fatalf("%d instances in %d pages, want %d", len(all), pages, want)
	}
	// DescribeInstances minus DescribeInstanceInformation: the instances
	// Patch Manager cannot see.
	var unmanaged []string
	for id, i := range all {
		if _, ok := managed[id]; !ok && i.State.Name == types.InstanceStateNameRunning {
			unmanaged = append(unmanaged, id)
		}
	}
	sort.Strings(unmanaged)
	want := []string{"i-0c0ffee000000a001", "i-0c0ffee000000a002", "i-0c0ffee000000a003", "i-0c0ffee000000a005"}
	if len(unmanaged) != len(want) {
		t.Fatalf("running and unmanaged: %v, want %v", unmanaged, want)
	}
	weak := all["i-0c0ffee000000a002"]
	if weak.IamInstanceProfile == nil || aws.ToString(weak.IamInstanceProfile.Arn) != "arn:aws:iam::111111111111:instance-profile/app-server-role" ||
		weak.MetadataOptions.HttpEndpoint != types.InstanceMetadataEndpointStateEnabled || weak.MetadataOptions.HttpTokens != types.HttpTokensStateOptional {
		t.Errorf("profile-without-ssm instance: %+v %+v", weak.IamInstanceProfile, weak.MetadataOptions)
	}
	if all["i-0c0ffee000000a001"].IamInstanceProfile != nil {
		t.Errorf("no-profile instance shows a profile")
	}

	running, _ := ec2Instances(t, mgmt.ec2, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1000),
		Filters: []types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"running"}}}})
	if _, ok := running["i-0c0ffee000000a004"]; ok || len(running) != len(all)-1 {
		t.Errorf("running filter: %d of %d, stopped one included: %v", len(running), len(all), ok)
	}
	byTag, _ := ec2Instances(t, mgmt.ec2, &ec2.DescribeInstancesInput{
		Filters: []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"no-*"}}}})
	if len(byTag) != 3 {
		t.Errorf("tag:Name=no-* matched %d, want 3 (no-profile, no-agent, no-network-path)", len(byTag))
	}

	tests := []struct {
		name string
		in   ec2.DescribeInstancesInput
		code string
	}{
		{"MaxResults below 5", ec2.DescribeInstancesInput{MaxResults: aws.Int32(4)}, "InvalidParameterValue"},
		{"MaxResults above 1000", ec2.DescribeInstancesInput{MaxResults: aws.Int32(1001)}, "InvalidParameterValue"},
		{"MaxResults with IDs", ec2.DescribeInstancesInput{MaxResults: aws.Int32(5), InstanceIds: []string{"i-0c0ffee000000a001"}}, "InvalidParameterCombination"},
		{"unknown ID", ec2.DescribeInstancesInput{InstanceIds: []string{"i-0c0ffee0000000fff"}}, "InvalidInstanceID.NotFound"},
		{"malformed ID", ec2.DescribeInstancesInput{InstanceIds: []string{"web-1"}}, "InvalidInstanceID.Malformed"},
		{"unknown filter", ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("colour"), Values: []string{"red"}}}}, "InvalidParameterValue"},
		{"forged token", ec2.DescribeInstancesInput{NextToken: aws.String("forged")}, "InvalidPaginationToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := mgmt.ec2.DescribeInstances(cx, &tc.in); apiCode(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
	one, err := mgmt.ec2.DescribeInstances(cx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0c0ffee000000a004"}})
	if err != nil || len(one.Reservations) != 1 || one.Reservations[0].Instances[0].State.Name != types.InstanceStateNameStopped ||
		aws.ToInt32(one.Reservations[0].Instances[0].State.Code) != 80 {
		t.Errorf("by ID: %+v %v", one, err)
	}
}

func TestInstanceProfileFixesRegisterInstances(t *testing.T) {
	s, mgmt, clk := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	delay := s.opts.Behaviour.ProfileRegistrationDelay
	managed := func(id string) bool { _, ok := ssmIDs(t, mgmt.ssm)[id]; return ok }

	// No profile: associate one whose role has AmazonSSMManagedInstanceCore.
	out, err := mgmt.ec2.AssociateIamInstanceProfile(cx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String("i-0c0ffee000000a001"),
		IamInstanceProfile: &types.IamInstanceProfileSpecification{Name: aws.String("patchready-ssm-instance")}})
	if err != nil {
		t.Fatal(err)
	}
	if out.IamInstanceProfileAssociation.State != types.IamInstanceProfileAssociationStateAssociating {
		t.Errorf("new association state %s", out.IamInstanceProfileAssociation.State)
	}
	_, err = mgmt.ec2.AssociateIamInstanceProfile(cx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String("i-0c0ffee000000a001"),
		IamInstanceProfile: &types.IamInstanceProfileSpecification{Name: aws.String("patchready-ssm-instance")}})
	if apiCode(err) != "IncorrectState" {
		t.Errorf("second association: %v", err)
	}
	// Profile whose role lacks SSM permissions: attach the policy.
	if _, err := mgmt.iam.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("app-server-role"),
		PolicyArn: aws.String(PolicySSMManagedInstanceCore)}); err != nil {
		t.Fatal(err)
	}
	// No agent: a working profile changes nothing.
	if _, err := mgmt.ec2.AssociateIamInstanceProfile(cx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String("i-0c0ffee000000a003"),
		IamInstanceProfile: &types.IamInstanceProfileSpecification{Arn: aws.String("arn:aws:iam::111111111111:instance-profile/patchready-ssm-instance")}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(delay - time.Second)
	if managed("i-0c0ffee000000a001") || managed("i-0c0ffee000000a002") {
		t.Fatalf("registered before the delay")
	}
	clk.Advance(10 * time.Second)
	for _, id := range []string{"i-0c0ffee000000a001", "i-0c0ffee000000a002"} {
		if st := ssmIDs(t, mgmt.ssm)[id]; st != "Online" {
			t.Errorf("%s after the delay: %q, want Online", id, st)
		}
	}
	clk.Advance(2 * time.Hour)
	for _, id := range []string{"i-0c0ffee000000a003", "i-0c0ffee000000a004", "i-0c0ffee000000a005"} {
		if managed(id) {
			t.Errorf("%s registered: it has no agent, is stopped or has no path to SSM", id)
		}
	}
	assoc, err := mgmt.ec2.DescribeIamInstanceProfileAssociations(cx, &ec2.DescribeIamInstanceProfileAssociationsInput{
		Filters: []types.Filter{{Name: aws.String("instance-id"), Values: []string{"i-0c0ffee000000a001"}}}})
	if err != nil || len(assoc.IamInstanceProfileAssociations) != 1 ||
		assoc.IamInstanceProfileAssociations[0].State != types.IamInstanceProfileAssociationStateAssociated {
		t.Errorf("association after it settled: %+v %v", assoc, err)
	}
	// Still listed once by DescribeInstances, now that SSM manages it.
	all, _ := ec2Instances(t, mgmt.ec2, &ec2.DescribeInstancesInput{})
	if _, ok := all["i-0c0ffee000000a001"]; !ok {
		t.Errorf("registered instance vanished from DescribeInstances")
	}
}

func TestProfileAssociationErrors(t *testing.T) {
	_, mgmt, _ := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	tests := []struct {
		name string
		in   ec2.AssociateIamInstanceProfileInput
		code string
	}{
		{"unknown profile", ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String("i-0c0ffee000000a001"),
			IamInstanceProfile: &types.IamInstanceProfileSpecification{Name: aws.String("nope")}}, "InvalidParameterValue"},
		{"unknown instance", ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String("i-0c0ffee0000000fff"),
			IamInstanceProfile: &types.IamInstanceProfileSpecification{Name: aws.String("patchready-ssm-instance")}}, "InvalidInstanceID.NotFound"},
		{"managed node with a profile", ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String("i-0a1b2c3d4e5f60001"),
			IamInstanceProfile: &types.IamInstanceProfileSpecification{Name: aws.String("patchready-ssm-instance")}}, "IncorrectState"},
		{"launched with a profile", ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String("i-0c0ffee000000a002"),
			IamInstanceProfile: &types.IamInstanceProfileSpecification{Name: aws.String("patchready-ssm-instance")}}, "IncorrectState"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := mgmt.ec2.AssociateIamInstanceProfile(cx, &tc.in); apiCode(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
	// Associations of managed nodes are listed too, paged.
	var n int
	p := ec2.NewDescribeIamInstanceProfileAssociationsPaginator(mgmt.ec2, &ec2.DescribeIamInstanceProfileAssociationsInput{MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		page, err := p.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.IamInstanceProfileAssociations)
	}
	if n < 3 {
		t.Errorf("%d associations listed", n)
	}
	id := associationIDFor("i-0a1b2c3d4e5f60001")
	one, err := mgmt.ec2.DescribeIamInstanceProfileAssociations(cx, &ec2.DescribeIamInstanceProfileAssociationsInput{AssociationIds: []string{id}})
	if err != nil || len(one.IamInstanceProfileAssociations) != 1 || aws.ToString(one.IamInstanceProfileAssociations[0].InstanceId) != "i-0a1b2c3d4e5f60001" {
		t.Errorf("by association ID: %+v %v", one, err)
	}
}

func TestHostManagementRegistersInstances(t *testing.T) {
	s, mgmt, clk := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	const setting = HostManagementSettingID
	got, err := mgmt.ssm.GetServiceSetting(cx, &ssm.GetServiceSettingInput{SettingId: aws.String(setting)})
	if err != nil || aws.ToString(got.ServiceSetting.SettingValue) != "$None" || aws.ToString(got.ServiceSetting.Status) != "Default" {
		t.Fatalf("setting before: %+v %v", got, err)
	}
	if _, err := mgmt.ssm.GetServiceSetting(cx, &ssm.GetServiceSettingInput{SettingId: aws.String("/ssm/no/such/setting")}); apiCode(err) != "ServiceSettingNotFound" {
		t.Errorf("unknown setting: %v", err)
	}
	// The setting names a role the account does not have yet: nothing
	// registers until the role exists, trusts SSM and has its policy.
	value := "service-role/" + HostManagementRoleName
	if _, err := mgmt.ssm.UpdateServiceSetting(cx, &ssm.UpdateServiceSettingInput{SettingId: aws.String(
		"arn:aws:ssm:us-east-1:111111111111:servicesetting" + setting), SettingValue: aws.String(value)}); err != nil {
		t.Fatal(err)
	}
	got, _ = mgmt.ssm.GetServiceSetting(cx, &ssm.GetServiceSettingInput{SettingId: aws.String(setting)})
	if aws.ToString(got.ServiceSetting.SettingValue) != value || aws.ToString(got.ServiceSetting.Status) != "Customized" {
		t.Errorf("setting after: %+v", got.ServiceSetting)
	}
	delay := s.opts.Behaviour.HostManagementDelay
	clk.Advance(delay + time.Minute)
	if _, ok := ssmIDs(t, mgmt.ssm)["i-0c0ffee000000a001"]; ok {
		t.Fatal("registered through a role that does not exist")
	}
	if _, err := mgmt.iam.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String(HostManagementRoleName), Path: aws.String("/service-role/"),
		AssumeRolePolicyDocument: aws.String(TrustService("ssm.amazonaws.com"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.iam.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String(HostManagementRoleName),
		PolicyArn: aws.String(PolicySSMManagedEC2InstanceDefault)}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(delay - time.Minute)
	if _, ok := ssmIDs(t, mgmt.ssm)["i-0c0ffee000000a001"]; ok {
		t.Fatal("registered before the Default Host Management delay")
	}
	clk.Advance(2 * time.Minute)
	// A profile whose role cannot register the agent does not take
	// precedence: Default Host Management registers the instance. One
	// whose agent is older than Default Host Management needs stays out.
	if st := ssmIDs(t, mgmt.ssm)["i-0c0ffee000000a002"]; st != "Online" {
		t.Errorf("instance with a weak profile under Default Host Management: %q, want Online", st)
	}
	if _, ok := ssmIDs(t, mgmt.ssm)["i-0c0ffee000000a001"]; ok {
		t.Error("an agent older than 3.2.582.0 registered through Default Host Management")
	}

	// In the member account it is on, but cannot reach an instance whose
	// metadata service is off, or whose agent is too old.
	clk.Advance(2 * delay)
	member := mgmt.assume(t, SampleMemberAccount(1), DefaultRoleName, "us-east-1")
	ids := ssmIDs(t, member.ssm)
	for _, id := range []string{"i-0c0ffee000000b001", "i-0c0ffee000000b002"} {
		if _, ok := ids[id]; ok {
			t.Errorf("%s registered through Default Host Management", id)
		}
	}
	inst, _ := ec2Instances(t, member.ec2, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0c0ffee000000b001"}})
	if inst["i-0c0ffee000000b001"].MetadataOptions.HttpEndpoint != types.InstanceMetadataEndpointStateDisabled {
		t.Errorf("IMDS-disabled instance shows %+v", inst["i-0c0ffee000000b001"].MetadataOptions)
	}
}

// Instance-profile credentials reach the agent through the metadata
// service too: with it disabled, even a working profile registers nothing.
func TestDisabledMetadataBlocksTheProfilePath(t *testing.T) {
	s, mgmt, clk := startOrg(t, SampleOrgOptions{}, nil)
	member := mgmt.assume(t, SampleMemberAccount(1), DefaultRoleName, "us-east-1")
	cx := testCtx(t)
	// The member account has no profile of its own: make one that works.
	if _, err := member.iam.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("ssm-core"),
		AssumeRolePolicyDocument: aws.String(TrustService("ec2.amazonaws.com"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := member.iam.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("ssm-core"), PolicyArn: aws.String(PolicySSMManagedInstanceCore)}); err != nil {
		t.Fatal(err)
	}
	if _, err := member.iam.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ssm-core")}); err != nil {
		t.Fatal(err)
	}
	if _, err := member.iam.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ssm-core"), RoleName: aws.String("ssm-core")}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"i-0c0ffee000000b001", "i-0c0ffee000000b002"} {
		if _, err := member.ec2.AssociateIamInstanceProfile(cx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String(id),
			IamInstanceProfile: &types.IamInstanceProfileSpecification{Name: aws.String("ssm-core")}}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(s.opts.Behaviour.ProfileRegistrationDelay + time.Minute)
	ids := ssmIDs(t, member.ssm)
	if _, ok := ids["i-0c0ffee000000b001"]; ok {
		t.Error("an instance whose metadata service is disabled registered through its profile")
	}
	if st := ids["i-0c0ffee000000b002"]; st != "Online" {
		t.Errorf("an agent too old for DHMC registers through a working profile: got %q, want Online", st)
	}
}

// A profile made to work while Default Host Management's half hour runs
// makes the instance register after the profile's few minutes, not the
// half hour.
func TestFasterPathRegistersSooner(t *testing.T) {
	s, mgmt, clk := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	if _, err := mgmt.iam.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String(HostManagementRoleName), Path: aws.String("/service-role/"),
		AssumeRolePolicyDocument: aws.String(TrustService("ssm.amazonaws.com"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.iam.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String(HostManagementRoleName),
		PolicyArn: aws.String(PolicySSMManagedEC2InstanceDefault)}); err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.ssm.UpdateServiceSetting(cx, &ssm.UpdateServiceSettingInput{SettingId: aws.String(HostManagementSettingID),
		SettingValue: aws.String("service-role/" + HostManagementRoleName)}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	// i-0c0ffee000000a002 waits for Default Host Management: its profile's
	// role cannot register it, until now.
	if _, err := mgmt.iam.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("app-server-role"),
		PolicyArn: aws.String(PolicySSMManagedInstanceCore)}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(s.opts.Behaviour.ProfileRegistrationDelay + time.Second)
	if st := ssmIDs(t, mgmt.ssm)["i-0c0ffee000000a002"]; st != "Online" {
		t.Errorf("after the profile's delay: %q, want Online", st)
	}
	clk.Advance(s.opts.Behaviour.HostManagementDelay)
	if st := ssmIDs(t, mgmt.ssm)["i-0c0ffee000000a002"]; st != "Online" {
		t.Errorf("after Default Host Management's delay too: %q, want Online (registered once)", st)
	}
}
