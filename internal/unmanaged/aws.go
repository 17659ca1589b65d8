package unmanaged

import "strings"

// Default Host Management Configuration (DHMC), as AWS documents it: one
// SSM service setting per account and region naming a role that trusts
// Systems Manager and carries AmazonSSMManagedEC2InstanceDefaultPolicy.
// AWS says an instance can take up to 30 minutes to register after it is
// turned on, needs IMDSv2, and needs SSM Agent 3.2.582.0 or later; an
// attached instance profile that lets the agent in takes precedence.
const (
	// HostManagementSettingID is the service setting's ID.
	HostManagementSettingID = "/ssm/managed-instance/default-ec2-instance-management-role"
	// HostManagementOffValue is the setting's value while it is off.
	HostManagementOffValue = "$None"
	// HostManagementRoleName and HostManagementRolePath are the role the
	// console creates, and the one --enable-dhmc creates when missing.
	HostManagementRoleName = "AWSSystemsManagerDefaultEC2InstanceManagementRole"
	HostManagementRolePath = "/service-role/"
	// HostManagementPolicyARN is the policy that role carries.
	HostManagementPolicyARN = "arn:aws:iam::aws:policy/AmazonSSMManagedEC2InstanceDefaultPolicy"
	// HostManagementMinAgent is the oldest agent DHMC works with.
	HostManagementMinAgent = "3.2.582.0"
	// HostManagementService is the principal the role must trust.
	HostManagementService = "ssm.amazonaws.com"
)

// InstanceCorePolicyARN is the AWS managed policy that lets an agent
// register with instance-profile credentials; --fix-instance-role attaches
// it.
const InstanceCorePolicyARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"

// EC2Service is the principal an instance profile's role must trust.
const EC2Service = "ec2.amazonaws.com"

// instanceCorePolicies are the AWS managed policies that grant what the
// agent needs to register with instance-profile credentials
// (ssm:UpdateInstanceInformation, ssmmessages, ec2messages). A policy of
// the customer's own may grant the same; patchready does not read policy
// documents, and says so when it finds none of these.
var instanceCorePolicies = []string{
	InstanceCorePolicyARN,
	"arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM",
	"arn:aws:iam::aws:policy/AdministratorAccess",
}

// hostManagementPolicies are those that give a DHMC role what it needs.
var hostManagementPolicies = []string{HostManagementPolicyARN, InstanceCorePolicyARN}

// HostManagementSettingValue is the setting's value that names the
// documented role: its path without the leading slash, and its name.
func HostManagementSettingValue() string {
	return strings.TrimPrefix(HostManagementRolePath, "/") + HostManagementRoleName
}

// roleNameOf returns the role name at the end of a setting value, a path
// or an ARN ("service-role/Name" gives "Name").
func roleNameOf(v string) string {
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		return v[i+1:]
	}
	return v
}

// policyName is the name at the end of a managed policy's ARN.
func policyName(arn string) string { return roleNameOf(arn) }
