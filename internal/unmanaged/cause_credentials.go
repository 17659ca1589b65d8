package unmanaged

import (
	"github.com/patchready/patchready/internal/fleet"
)

// The causes below are the ways an instance ends up with no credentials
// that let its agent register: no instance profile and Default Host
// Management off; a profile whose role cannot do it; Default Host
// Management on but naming a role that cannot work. An instance profile
// that lets the agent in takes precedence over Default Host Management,
// so Default Host Management helps exactly the instances without one.

var noCredentialsCause = Cause{
	ID:      "no-credentials",
	Heading: "no instance profile, and Default Host Management off",
	Applies: func(n fleet.Node) bool {
		return n.EC2.Profile == "" && n.EC2.HostManagement == fleet.HostManagementOff
	},
	Reason: func(_ fleet.Node, region string) string {
		return "no instance profile attached, and Default Host Management Configuration is off in " + orUnknownRegion(region)
	},
	Fixes: func(fleet.Node) []FixKind { return []FixKind{AttachProfile, EnableDHMC} },
}

var roleWithoutSSMCause = Cause{
	ID:      "role-without-ssm",
	Heading: "instance profile's role cannot register the agent",
	Applies: func(n fleet.Node) bool {
		f := n.EC2
		return f.Profile != "" && f.RoleProblem != "" && f.HostManagement != fleet.HostManagementOn
	},
	Reason: func(n fleet.Node, region string) string {
		f := n.EC2
		s := "instance profile " + f.Profile + ": " + roleProblemWords(f.Role, f.RoleProblem, EC2Service, InstanceCorePolicyARN)
		if f.HostManagement == fleet.HostManagementOff {
			s += "; Default Host Management Configuration is off in " + orUnknownRegion(region)
		}
		return s
	},
	Fixes: func(n fleet.Node) []FixKind {
		if n.EC2.RoleProblem == fleet.RoleNoSSMPolicy {
			return []FixKind{FixRole, EnableDHMC}
		}
		return []FixKind{EnableDHMC}
	},
}

var hostManagementBrokenCause = Cause{
	ID:      "host-management-broken",
	Heading: "Default Host Management on, but its role cannot work",
	Applies: func(n fleet.Node) bool {
		return !profileWorks(n.EC2) && n.EC2.HostManagement == fleet.HostManagementBroken
	},
	Reason: func(n fleet.Node, region string) string {
		f := n.EC2
		s := "Default Host Management Configuration is on in " + orUnknownRegion(region) + ", but " +
			roleProblemWords(f.HostManagementRole, f.HostManagementProblem, HostManagementService, HostManagementPolicyARN)
		if f.Profile == "" {
			s = "no instance profile attached, and " + s
		}
		return s
	},
	Fixes: func(n fleet.Node) []FixKind {
		if n.EC2.Profile == "" {
			return []FixKind{AttachProfile, EnableDHMC}
		}
		return []FixKind{EnableDHMC}
	},
}

// profileWorks reports whether the attached profile's credentials let the
// agent register, as far as IAM shows.
func profileWorks(f *fleet.EC2Facts) bool { return f.Profile != "" && f.RoleProblem == "" }

// roleProblemWords says why role cannot register an agent; trusted is the
// service it must trust and policy the AWS managed policy it lacks.
func roleProblemWords(role, problem, trusted, policy string) string {
	r := "its role " + role
	if role == "" {
		r = "its role"
	}
	switch problem {
	case fleet.RoleNoRole:
		return "the profile holds no role"
	case fleet.RoleMissing:
		return r + " does not exist"
	case fleet.RoleNotTrusted:
		return r + " does not trust " + trusted
	case fleet.RoleNoSSMPolicy:
		return r + " has none of the AWS managed policies that let the agent register (" + policyName(policy) +
			"); a policy of your own may grant the same, which patchready does not read"
	case fleet.RoleUnreadable:
		return r + " could not be read (access denied), so whether it lets the agent in is unknown"
	}
	return r + ": " + problem
}
