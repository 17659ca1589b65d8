package ssmsim

// This file holds the configuration of what the simulator's AWS holds
// beyond one region's fleet: accounts in an organization, their regions,
// IAM roles and instance profiles, and, per account and region, the SSM
// fleet, the EC2 instances that are not managed yet, the Default Host
// Management setting and the SNS topics.

// Organization is the AWS Organization the simulator serves. Its first
// account is the management account: the one plain access keys (test/test)
// act in.
type Organization struct {
	// ID is the organization ID (o- and 10 to 32 lower-case letters or
	// digits). Empty means DefaultOrganizationID.
	ID string `json:"id,omitempty" yaml:"id,omitempty"`
	// RootID is the ID of the one root (r- and 4 to 32 lower-case letters
	// or digits). Empty means DefaultRootID.
	RootID string `json:"root_id,omitempty" yaml:"root_id,omitempty"`
	// Units are the organizational units, parents before children.
	Units []OrganizationalUnit `json:"units,omitempty" yaml:"units,omitempty"`
	// Accounts are the member accounts, the management account first.
	Accounts []Account `json:"accounts" yaml:"accounts"`
	// Regions are the regions of the simulated partition, as
	// DescribeRegions lists them. Nil means DefaultRegions().
	Regions []RegionSpec `json:"regions,omitempty" yaml:"regions,omitempty"`
}

// Organization defaults.
const (
	DefaultOrganizationID = "o-exampleorgid"
	DefaultRootID         = "r-exam"
	// DefaultAccountID is the management account of a simulator configured
	// without an organization: a standalone account, the one the AWS
	// documentation uses in examples.
	DefaultAccountID = "123456789012"
)

// OrganizationalUnit is one OU (ou-, the root's suffix, -, 8 to 32
// lower-case letters or digits).
type OrganizationalUnit struct {
	ID   string `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
	// Parent is the ID of the parent OU; empty means the root.
	Parent string `json:"parent,omitempty" yaml:"parent,omitempty"`
}

// RegionSpec is one region of the partition.
type RegionSpec struct {
	Name string `json:"name" yaml:"name"`
	// OptIn marks a region an account must enable before using it
	// (af-south-1, ap-east-1, ...). Account.OptedIn lists those enabled.
	OptIn bool `json:"opt_in,omitempty" yaml:"opt_in,omitempty"`
}

// Account statuses, as Organizations reports them.
const (
	AccountActive    = "ACTIVE"
	AccountSuspended = "SUSPENDED"
)

// Account is one AWS account.
type Account struct {
	ID    string `json:"id" yaml:"id"` // 12 digits
	Name  string `json:"name" yaml:"name"`
	Email string `json:"email,omitempty" yaml:"email,omitempty"`
	// Status is ACTIVE (when empty) or SUSPENDED. A suspended account
	// cannot be assumed into; credentials issued before it was suspended
	// are refused.
	Status string `json:"status,omitempty" yaml:"status,omitempty"`
	// Parent is the OU the account sits in; empty means the root.
	Parent string `json:"parent,omitempty" yaml:"parent,omitempty"`
	// OptedIn lists the opt-in regions this account has enabled.
	OptedIn []string `json:"opted_in,omitempty" yaml:"opted_in,omitempty"`
	// Roles and InstanceProfiles are the account's IAM.
	Roles            []Role            `json:"roles,omitempty" yaml:"roles,omitempty"`
	InstanceProfiles []InstanceProfile `json:"instance_profiles,omitempty" yaml:"instance_profiles,omitempty"`
	// Estates holds what the account has in each region, by region name;
	// the key "*" gives every region not listed.
	Estates map[string]Estate `json:"estates,omitempty" yaml:"estates,omitempty"`
}

// Estate is what one account holds in one region.
type Estate struct {
	// Fleet is the SSM managed nodes.
	Fleet Fleet `json:"fleet,omitzero" yaml:"fleet,omitempty"`
	// Instances are EC2 instances that are not managed by SSM (yet). The
	// EC2 instances of the fleet's i- nodes are listed by DescribeInstances
	// too, without being named here.
	Instances []Instance `json:"instances,omitempty" yaml:"instances,omitempty"`
	// HostManagementRole is the value of the Default Host Management
	// Configuration setting (/ssm/managed-instance/default-ec2-instance-
	// management-role), e.g. "service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole".
	// Empty means the setting is off ("$None").
	HostManagementRole string `json:"host_management_role,omitempty" yaml:"host_management_role,omitempty"`
	// Topics are the names of the SNS topics in the region.
	Topics []string `json:"topics,omitempty" yaml:"topics,omitempty"`
	// Generate adds this many generated nodes (Generate(n, GenerateSeed))
	// to the fleet when the region is first used, so that a large
	// organization costs memory only in the regions that are called.
	Generate     int    `json:"generate,omitempty" yaml:"generate,omitempty"`
	GenerateSeed uint64 `json:"generate_seed,omitempty" yaml:"generate_seed,omitempty"`
}

// Role is one IAM role.
type Role struct {
	Name string `json:"name" yaml:"name"`
	// Path is the role's path, "/" when empty (service-role/ roles say
	// "/service-role/").
	Path string `json:"path,omitempty" yaml:"path,omitempty"`
	// TrustPolicy is the role's trust policy document (JSON). Empty means
	// one that trusts the management account (TrustAccount).
	TrustPolicy string `json:"trust_policy,omitempty" yaml:"trust_policy,omitempty"`
	// Policies are the ARNs of the managed policies attached to the role.
	Policies []string `json:"policies,omitempty" yaml:"policies,omitempty"`
}

// InstanceProfile is one IAM instance profile and the role in it.
type InstanceProfile struct {
	Name string `json:"name" yaml:"name"`
	Path string `json:"path,omitempty" yaml:"path,omitempty"`
	// Role is the name of the profile's role; empty means none.
	Role string `json:"role,omitempty" yaml:"role,omitempty"`
}

// Instance is one EC2 instance that SSM does not manage (yet). Whether it
// ever registers follows from its fields, its account's IAM and the
// region's Default Host Management setting, as on AWS: see Behaviour's
// ProfileRegistrationDelay and HostManagementDelay.
type Instance struct {
	ID string `json:"id" yaml:"id"` // i- and 8 or 17 hex digits
	// State is running (when empty) or stopped.
	State        string `json:"state,omitempty" yaml:"state,omitempty"`
	InstanceType string `json:"instance_type,omitempty" yaml:"instance_type,omitempty"` // t3.micro when empty
	// Profile is the name of the instance profile attached at launch;
	// empty means none.
	Profile string `json:"profile,omitempty" yaml:"profile,omitempty"`
	// HTTPTokens is the IMDS setting: optional (when empty) or required.
	HTTPTokens string `json:"http_tokens,omitempty" yaml:"http_tokens,omitempty"`
	// HTTPEndpoint is enabled (when empty) or disabled: a disabled
	// metadata service gives Default Host Management no way in.
	HTTPEndpoint string `json:"http_endpoint,omitempty" yaml:"http_endpoint,omitempty"`
	// AgentVersion is the installed SSM Agent; empty means no agent.
	AgentVersion string `json:"agent_version,omitempty" yaml:"agent_version,omitempty"`
	// NoSSMPath means the instance cannot reach the ssm, ssmmessages and
	// ec2messages endpoints (no route, no VPC endpoint, no proxy).
	NoSSMPath bool `json:"no_ssm_path,omitempty" yaml:"no_ssm_path,omitempty"`
	// PlatformType, PlatformName and PlatformVersion are what SSM reports
	// once the instance registers. PlatformType Linux when empty.
	PlatformType    string            `json:"platform_type,omitempty" yaml:"platform_type,omitempty"`
	PlatformName    string            `json:"platform_name,omitempty" yaml:"platform_name,omitempty"`
	PlatformVersion string            `json:"platform_version,omitempty" yaml:"platform_version,omitempty"`
	Tags            map[string]string `json:"tags,omitempty" yaml:"tags,omitempty"`
	// Proxy, Python, Pip and Requests are the software its node has once
	// it registers, as Node's fields of the same names.
	Proxy    Proxy  `json:"proxy,omitzero" yaml:"proxy,omitempty"`
	Python   string `json:"python,omitempty" yaml:"python,omitempty"`
	Pip      string `json:"pip,omitempty" yaml:"pip,omitempty"`
	Requests string `json:"requests,omitempty" yaml:"requests,omitempty"`
}

// DefaultRegions returns the commercial regions of AWS, the opt-in ones
// marked: the partition a simulator has when its organization names none.
func DefaultRegions() []RegionSpec {
	std := []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
		"eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
		"ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2"}
	optIn := []string{"af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
		"ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1"}
	out := make([]RegionSpec, 0, len(std)+len(optIn))
	for _, r := range std {
		out = append(out, RegionSpec{Name: r})
	}
	for _, r := range optIn {
		out = append(out, RegionSpec{Name: r, OptIn: true})
	}
	return out
}

// TrustAccount returns a trust policy that lets principals of account
// assume the role, requiring externalID when it is not empty.
func TrustAccount(account, externalID string) string {
	cond := ""
	if externalID != "" {
		cond = `,"Condition":{"StringEquals":{"sts:ExternalId":` + jsonString(externalID) + `}}`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"` + cond + `}]}`
}

// TrustService returns a trust policy that lets an AWS service (e.g.
// ec2.amazonaws.com, ssm.amazonaws.com) assume the role.
func TrustService(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":` + jsonString(service) + `},"Action":"sts:AssumeRole"}]}`
}

// Managed policies the simulator knows: AttachRolePolicy refuses others,
// as AWS refuses a policy that does not exist.
const (
	PolicySSMManagedInstanceCore       = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
	PolicySSMManagedEC2InstanceDefault = "arn:aws:iam::aws:policy/AmazonSSMManagedEC2InstanceDefaultPolicy"
	PolicyEC2RoleForSSM                = "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM"
	PolicyReadOnlyAccess               = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	PolicyAdministratorAccess          = "arn:aws:iam::aws:policy/AdministratorAccess"
	PolicyCloudWatchAgentServer        = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
	PolicyS3ReadOnly                   = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
)

// HostManagementSettingID is the SSM service setting behind Default Host
// Management Configuration.
const HostManagementSettingID = "/ssm/managed-instance/default-ec2-instance-management-role"
