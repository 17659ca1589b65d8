package unmanaged

// Region is what discovery read of one account and region besides its
// instances: whether it could look, Default Host Management, and the
// instance profile --attach-instance-profile names. Plans carry it as
// data (plan.Plan.Registration).
type Region struct {
	// Searched is false when EC2 was not read (Note says why): the plan
	// then says nothing of unmanaged instances rather than "none".
	Searched bool   `json:"searched"`
	Note     string `json:"note,omitempty"`
	// Instances counts the EC2 instances the selection covers, managed or
	// not; Unmanaged those SSM does not manage (stopped ones included).
	Instances int `json:"instances"`
	Unmanaged int `json:"unmanaged"`
	// HostManagement is the region's Default Host Management setting.
	HostManagement HostManagement `json:"host_management"`
	// Profile is the instance profile --attach-instance-profile names, as
	// read; nil when none was named.
	Profile *Profile `json:"profile,omitempty"`
}

// HostManagement is the Default Host Management setting of a region and
// what stands behind it.
type HostManagement struct {
	// State is off, on or broken (fleet.HostManagement*).
	State string `json:"state"`
	// Setting is the setting's value ($None when off).
	Setting string `json:"setting"`
	// Role and Problem are the role the setting names and why it cannot
	// work (fleet.Role*), when broken.
	Role    string `json:"role,omitempty"`
	Problem string `json:"problem,omitempty"`
	// Documented is the documented role (HostManagementRoleName), which
	// --enable-dhmc points the setting at, creating it when missing.
	Documented RoleState `json:"documented_role"`
}

// RoleState is what IAM says of one role, for a fix that would use it.
type RoleState struct {
	Name   string `json:"name"`
	Exists bool   `json:"exists"`
	// Trusted says it trusts the service that must assume it.
	Trusted bool `json:"trusted,omitempty"`
	// HasPolicy says the policy the fix needs is attached.
	HasPolicy bool `json:"has_policy,omitempty"`
	// Unreadable says IAM refused to show it.
	Unreadable bool `json:"unreadable,omitempty"`
}

// Profile is an instance profile as read for --attach-instance-profile.
type Profile struct {
	Name string `json:"name"`
	ARN  string `json:"arn,omitempty"`
	Role string `json:"role,omitempty"`
	// Problem says why its role cannot register an agent (fleet.Role*),
	// or "missing" when the profile does not exist; "" when it can.
	Problem string `json:"problem,omitempty"`
}

// ProfileMissing is Profile.Problem for a profile that does not exist.
const ProfileMissing = "missing"
