package unmanaged

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
)

// FixPlan is what one fix does, or would do if asked for, in one region:
// a plan's own words and the exact changes, so that a reviewer approves
// the role name and policy, and apply does nothing else.
type FixPlan struct {
	Kind FixKind `json:"kind"`
	Flag string  `json:"flag"`
	// Requested says the fix was asked for: apply carries it out.
	Requested bool `json:"requested"`
	// Does says in words what it does, or would do.
	Does string `json:"does"`
	// InstanceIDs are the instances it acts on (would act on), sorted.
	InstanceIDs []string `json:"instance_ids"`
	// Profile is the profile attach-instance-profile associates.
	Profile string `json:"profile,omitempty"`
	// Roles are the roles fix-instance-role attaches Policy to.
	Roles []string `json:"roles,omitempty"`
	// For enable-dhmc: the setting and its value, the role (path and
	// name) and whether it is created and its policy attached.
	Setting      string `json:"setting,omitempty"`
	Value        string `json:"value,omitempty"`
	Role         string `json:"role,omitempty"`
	Trust        string `json:"trust,omitempty"`
	CreateRole   bool   `json:"create_role,omitempty"`
	AttachPolicy bool   `json:"attach_policy,omitempty"`
	// Policy is the managed policy the fix attaches or relies on.
	Policy string `json:"policy,omitempty"`
	// Wait is how long apply waits for each instance to register.
	Wait string `json:"wait"`
	// Caution says why the fix is opt-in.
	Caution string `json:"caution,omitempty"`
	// Cannot says why the fix cannot be carried out as things stand; a
	// plan refuses to request it then.
	Cannot string `json:"cannot,omitempty"`
}

// Unit is one unmanaged instance and what Decide said of it.
type Unit struct {
	Node     fleet.Node
	Decision Decision
}

// PlanFixes says, for every fix that could act on at least one of units,
// what it does (or would do) in region r. It is pure.
func PlanFixes(units []Unit, r Region, region string, o Options) []FixPlan {
	var out []FixPlan
	for _, f := range fixes {
		var ids []string
		roles := map[string]bool{}
		for _, u := range units {
			if slices.Contains(u.Decision.Could, f.Kind) {
				ids = append(ids, u.Node.InstanceID)
				if u.Node.EC2 != nil && u.Node.EC2.Role != "" {
					roles[u.Node.EC2.Role] = true
				}
			}
		}
		if len(ids) == 0 {
			continue
		}
		slices.Sort(ids)
		fp := FixPlan{Kind: f.Kind, Flag: f.Flag, Requested: o.Asked(f.Kind), InstanceIDs: ids, Wait: f.Wait.String(), Caution: f.Caution}
		switch f.Kind {
		case AttachProfile:
			planAttach(&fp, r, o)
		case FixRole:
			fp.Roles = slices.Sorted(maps.Keys(roles))
			fp.Policy = InstanceCorePolicyARN
			fp.Does = fmt.Sprintf("attach %s to %s %s, the role of %s",
				policyName(InstanceCorePolicyARN), plural(len(fp.Roles), "role", "roles"), strings.Join(fp.Roles, ", "), instances(len(ids)))
		case EnableDHMC:
			planHostManagement(&fp, r, region)
		}
		if !fp.Requested {
			fp.Does = "would " + fp.Does
		}
		out = append(out, fp)
	}
	return out
}

func planAttach(fp *FixPlan, r Region, o Options) {
	fp.Policy = InstanceCorePolicyARN
	n := len(fp.InstanceIDs)
	if o.AttachProfile == "" {
		fp.Does = fmt.Sprintf("associate an instance profile you name, whose role has %s, with %s that %s none",
			policyName(InstanceCorePolicyARN), instances(n), hasHave(n))
		return
	}
	fp.Profile = o.AttachProfile
	p := r.Profile
	fp.Cannot = ProfileCannot(p, o.AttachProfile)
	role := ""
	if p != nil && p.Role != "" {
		role = " (role " + p.Role + ")"
	}
	fp.Does = fmt.Sprintf("associate instance profile %s%s with %s that %s none", o.AttachProfile, role, instances(n), hasHave(n))
}

func planHostManagement(fp *FixPlan, r Region, region string) {
	hm := r.HostManagement
	doc := hm.Documented
	fp.Setting, fp.Value = HostManagementSettingID, HostManagementSettingValue()
	fp.Role = HostManagementRolePath + HostManagementRoleName
	fp.Trust, fp.Policy = HostManagementService, HostManagementPolicyARN
	var role string
	switch {
	case doc.Unreadable:
		fp.Cannot = "role " + HostManagementRoleName + " could not be read (access denied)"
		role = "role " + fp.Role
	case !doc.Exists:
		fp.CreateRole, fp.AttachPolicy = true, true
		role = fmt.Sprintf("creating role %s (trusts %s; policy %s)", fp.Role, HostManagementService, policyName(HostManagementPolicyARN))
	case !doc.Trusted:
		fp.Cannot = "role " + HostManagementRoleName + " exists but does not trust " + HostManagementService + ": correct its trust policy first"
		role = "role " + fp.Role
	case !doc.HasPolicy:
		fp.AttachPolicy = true
		role = fmt.Sprintf("attaching %s to the existing role %s", policyName(HostManagementPolicyARN), fp.Role)
	default:
		role = fmt.Sprintf("with the existing role %s (policy %s)", fp.Role, policyName(HostManagementPolicyARN))
	}
	from := ""
	if hm.Setting != "" && hm.Setting != HostManagementOffValue && hm.Setting != fp.Value {
		from = " (replacing " + hm.Setting + ")"
	}
	n := len(fp.InstanceIDs)
	fp.Does = fmt.Sprintf("set %s to %s in %s%s, %s; %s without a working instance profile may then register within 30 minutes",
		HostManagementSettingID, fp.Value, orUnknownRegion(region), from, role, instances(n))
}

func instances(n int) string { return plural(n, "instance", "instances") }

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ProfileCannot says why the instance profile name, as read into p, cannot
// bring an instance under management; "" when it can.
func ProfileCannot(p *Profile, name string) string {
	switch {
	case p == nil || p.Name != name:
		return "instance profile " + name + " was not read"
	case p.Problem == ProfileMissing:
		return "instance profile " + p.Name + " does not exist"
	case p.Problem != "":
		return "instance profile " + p.Name + ": " + roleProblemWords(p.Role, p.Problem, EC2Service, InstanceCorePolicyARN) +
			": attaching it would not let the agent register"
	}
	return ""
}
