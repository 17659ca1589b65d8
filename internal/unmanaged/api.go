package unmanaged

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// EC2API is the part of EC2 discovery reads.
type EC2API interface {
	ec2.DescribeInstancesAPIClient
}

// IAMAPI is the part of IAM discovery reads: instance profiles, roles and
// the managed policies attached to them.
type IAMAPI interface {
	iam.ListAttachedRolePoliciesAPIClient
	GetInstanceProfile(ctx context.Context, in *iam.GetInstanceProfileInput, optFns ...func(*iam.Options)) (*iam.GetInstanceProfileOutput, error)
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
}

// SettingsAPI is the part of SSM discovery reads: the Default Host
// Management setting.
type SettingsAPI interface {
	GetServiceSetting(ctx context.Context, in *ssm.GetServiceSettingInput, optFns ...func(*ssm.Options)) (*ssm.GetServiceSettingOutput, error)
}

var (
	_ EC2API      = (*ec2.Client)(nil)
	_ IAMAPI      = (*iam.Client)(nil)
	_ SettingsAPI = (*ssm.Client)(nil)
)

// APIs are the clients discovery reads through, for one account and
// region (IAM is global to the account).
type APIs struct {
	EC2 EC2API
	IAM IAMAPI
	SSM SettingsAPI
}
