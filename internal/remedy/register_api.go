package remedy

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// RegisterEC2API is what the attach-instance-profile fix calls.
type RegisterEC2API interface {
	ec2.DescribeIamInstanceProfileAssociationsAPIClient
	AssociateIamInstanceProfile(ctx context.Context, in *ec2.AssociateIamInstanceProfileInput, optFns ...func(*ec2.Options)) (*ec2.AssociateIamInstanceProfileOutput, error)
}

// RegisterIAMAPI is what the fix-instance-role and enable-dhmc fixes call.
type RegisterIAMAPI interface {
	iam.ListAttachedRolePoliciesAPIClient
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateRole(ctx context.Context, in *iam.CreateRoleInput, optFns ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	AttachRolePolicy(ctx context.Context, in *iam.AttachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
}

// RegisterSSMAPI is what enable-dhmc calls in SSM.
type RegisterSSMAPI interface {
	GetServiceSetting(ctx context.Context, in *ssm.GetServiceSettingInput, optFns ...func(*ssm.Options)) (*ssm.GetServiceSettingOutput, error)
	UpdateServiceSetting(ctx context.Context, in *ssm.UpdateServiceSettingInput, optFns ...func(*ssm.Options)) (*ssm.UpdateServiceSettingOutput, error)
}

var (
	_ RegisterEC2API = (*ec2.Client)(nil)
	_ RegisterIAMAPI = (*iam.Client)(nil)
	_ RegisterSSMAPI = (*ssm.Client)(nil)
)

// RegisterAPIs are the clients the fixes for unmanaged instances call, in
// the run's account and region.
type RegisterAPIs struct {
	EC2 RegisterEC2API
	IAM RegisterIAMAPI
	SSM RegisterSSMAPI
}
