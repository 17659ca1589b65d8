package fleet

// EC2Facts is what EC2 and IAM say of an EC2 instance that SSM does not
// manage: enough to tell why it is not a managed node, and which fix could
// make it one. A managed node has none (Node.EC2 is nil).
//
// Every field is a short token or a name, never a policy document or a
// message from AWS, so that a plan carries no secret and a stale-plan diff
// reads as one line per change.
type EC2Facts struct {
	// State is EC2's instance state: pending, running, stopping or stopped.
	State string `json:"state"`
	// Name is the instance's Name tag, for people; it decides nothing.
	Name         string `json:"name,omitempty"`
	InstanceType string `json:"instance_type,omitempty"`
	// Profile is the name of the attached instance profile; empty when
	// none is attached.
	Profile string `json:"profile,omitempty"`
	// Role is the role in that profile; empty when there is none.
	Role string `json:"role,omitempty"`
	// RoleProblem says why the profile's credentials cannot register the
	// agent (RoleNoRole, RoleNotTrusted, RoleNoSSMPolicy, or
	// RoleUnreadable); empty when they can, or when there is no profile.
	RoleProblem string `json:"role_problem,omitempty"`
	// MetadataEndpoint is the instance metadata service: enabled or
	// disabled. Instance-profile credentials and Default Host Management
	// both reach the agent through it (IMDSv2 for the latter).
	MetadataEndpoint string `json:"metadata_endpoint"`
	// MetadataTokens is optional or required (IMDSv2 only).
	MetadataTokens string `json:"metadata_tokens,omitempty"`
	// HostManagement is the region's Default Host Management
	// Configuration as it stands: HostManagementOff, HostManagementOn or
	// HostManagementBroken (the setting names a role that cannot work).
	HostManagement string `json:"host_management"`
	// HostManagementRole is the role the setting names ("" when off).
	HostManagementRole string `json:"host_management_role,omitempty"`
	// HostManagementProblem says why that role cannot work, when broken:
	// RoleMissing, RoleNotTrusted, RoleNoSSMPolicy or RoleUnreadable.
	HostManagementProblem string `json:"host_management_problem,omitempty"`
}

// EC2 instance states discovery keeps.
const (
	EC2Pending  = "pending"
	EC2Running  = "running"
	EC2Stopping = "stopping"
	EC2Stopped  = "stopped"
)

// Default Host Management states.
const (
	HostManagementOff    = "off"
	HostManagementOn     = "on"
	HostManagementBroken = "broken"
)

// Role problems: why a role's credentials cannot register an agent.
const (
	// RoleNoRole: the instance profile holds no role.
	RoleNoRole = "no-role"
	// RoleMissing: the role named does not exist.
	RoleMissing = "missing"
	// RoleNotTrusted: the role does not trust the service that must assume
	// it (ec2.amazonaws.com for a profile, ssm.amazonaws.com for Default
	// Host Management).
	RoleNotTrusted = "not-trusted"
	// RoleNoSSMPolicy: none of the AWS managed policies that grant what
	// the agent needs is attached.
	RoleNoSSMPolicy = "no-ssm-policy"
	// RoleUnreadable: IAM would not let patchready read the role.
	RoleUnreadable = "unreadable"
)

// Unmanaged reports whether n is an EC2 instance SSM does not manage.
func (n Node) Unmanaged() bool { return n.EC2 != nil }
