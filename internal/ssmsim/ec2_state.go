package ssmsim

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// ec2State holds one account-region's EC2 instances that SSM does not
// manage, or did not when the simulator started. The EC2 view of the
// fleet's own i- nodes is derived from the nodes when listed, so a
// 100,000-node fleet costs no second copy.
type ec2State struct {
	instances []*ec2Instance // sorted by ID
	byID      map[string]*ec2Instance
	// associations by ID, for the instances above.
	associations map[string]*profileAssociation
}

type ec2Instance struct {
	Instance
	launched time.Time
	// assoc is the current instance-profile association; nil when none.
	assoc *profileAssociation
	// registered: the instance has become an SSM node (and is in
	// region.nodes from then on).
	registered bool
	// checkAt is when a pending registration check fires; zero when none
	// is pending.
	checkAt time.Time
}

// profileAssociation is an EC2 IamInstanceProfileAssociation.
type profileAssociation struct {
	id, instanceID, profile string
	state                   string // associating | associated
	at                      time.Time
}

// associationSettle is how long an association shows "associating"
// before "associated". AWS documents no figure; a few seconds is what
// callers see.
const associationSettle = 5 * time.Second

// Instance states and their codes, as EC2 reports them.
var instanceStateCodes = map[string]int{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}

// setUpEstate loads what the estate holds beyond the fleet: unmanaged
// instances, the Default Host Management setting, SNS topics, and the IAM
// roles and profiles the fleet's nodes report, so that the account's IAM
// agrees with what SSM says of its nodes. It then looks for instances
// that can register.
func (r *region) setUpEstate(e Estate) {
	r.settings = map[string]serviceSetting{}
	if e.HostManagementRole != "" {
		r.settings[HostManagementSettingID] = serviceSetting{value: e.HostManagementRole, modified: r.created}
	}
	r.topics = map[string]bool{}
	for _, t := range e.Topics {
		r.topics[t] = true
	}
	r.ec2 = &ec2State{byID: map[string]*ec2Instance{}, associations: map[string]*profileAssociation{}}
	for _, in := range e.Instances {
		if in.State == "" {
			in.State = "running"
		}
		if _, known := instanceStateCodes[in.State]; !known || in.State != "running" && in.State != "stopped" {
			panic("ssmsim: instance " + in.ID + ": state " + in.State + " (want running or stopped)")
		}
		if !reInstanceID.MatchString(in.ID) || strings.HasPrefix(in.ID, "mi-") {
			panic("ssmsim: instance ID " + in.ID + " is not an EC2 instance ID")
		}
		if _, dup := r.ec2.byID[in.ID]; dup {
			panic("ssmsim: instance listed twice: " + in.ID)
		}
		if _, managed := r.byID[in.ID]; managed {
			panic("ssmsim: instance " + in.ID + " is both in the fleet and an unmanaged instance")
		}
		x := &ec2Instance{Instance: in, launched: r.created.Add(-time.Duration(1+hashOf(in.ID)%200) * 24 * time.Hour)}
		if in.Profile != "" {
			x.assoc = &profileAssociation{id: associationIDFor(in.ID), instanceID: in.ID, profile: in.Profile, state: "associated", at: x.launched}
			r.ec2.associations[x.assoc.id] = x.assoc
		}
		r.ec2.instances = append(r.ec2.instances, x)
		r.ec2.byID[in.ID] = x
	}
	sort.Slice(r.ec2.instances, func(i, j int) bool { return r.ec2.instances[i].ID < r.ec2.instances[j].ID })
	r.ensureFleetRoles()
	r.kickRegistration(r.created)
}

// ensureFleetRoles gives the account the role and instance profile each
// EC2 node of the fleet reports, with the permissions that let it be
// managed, unless the account's IAM already has them.
func (r *region) ensureFleetRoles() {
	seen := map[string]bool{}
	iam := r.account.iam
	for _, n := range r.nodes {
		if n.IAMRole == "" || seen[n.IAMRole] || n.ResourceType != "EC2Instance" {
			continue
		}
		seen[n.IAMRole] = true
		name := roleNameOf(n.IAMRole)
		if _, err := iam.role(name); err != nil {
			_, _ = iam.createRole(name, "/", TrustService("ec2.amazonaws.com"), "", 0, r.created)
			_ = iam.attach(name, PolicySSMManagedInstanceCore)
		}
		if _, err := iam.profile(name); err != nil {
			_, _ = iam.createProfile(name, "/", r.created)
			_ = iam.addRoleToProfile(name, name)
		}
	}
}

// associationIDFor derives the ID of an instance's association from the
// instance ID (iip-assoc- and 17 hex digits), so the fleet's nodes need no
// stored association.
func associationIDFor(instanceID string) string {
	hex := strings.TrimPrefix(instanceID, "i-")
	return "iip-assoc-" + strings.Repeat("0", max(0, 17-len(hex))) + hex
}

// profileOf is the instance profile attached to an unmanaged instance:
// the associated one.
func (x *ec2Instance) profileOf() string {
	if x.assoc == nil {
		return ""
	}
	return x.assoc.profile
}

// registrationPath says how an instance would register now, and after how
// long: through its instance profile, which takes precedence when its
// role lets the agent in, else through Default Host Management. ok is
// false when nothing lets it register: no agent, no network path, not
// running, or no credentials that work.
//
// Both paths hand the agent its credentials through the instance metadata
// service (instance-profile credentials at iam/security-credentials, DHMC's
// through IMDSv2), so an instance whose metadata endpoint is disabled has
// neither.
func (r *region) registrationPath(x *ec2Instance) (role string, delay time.Duration, ok bool) {
	if x.State != "running" || x.AgentVersion == "" || x.NoSSMPath || x.HTTPEndpoint == "disabled" {
		return "", 0, false
	}
	iam := r.account.iam
	b := r.server.opts.Behaviour
	if p := x.profileOf(); p != "" && x.assoc.state == "associated" && iam.profileGrantsSSM(p) {
		prof, _ := iam.profile(p)
		return prof.role, b.ProfileRegistrationDelay, true
	}
	setting := r.settingValue(HostManagementSettingID)
	if iam.hostManagementRoleWorks(setting) && compareVersions(x.AgentVersion, hostManagementMinAgent) >= 0 {
		return roleNameOf(setting), b.HostManagementDelay, true
	}
	return "", 0, false
}

// hostManagementMinAgent is the oldest agent Default Host Management
// works with.
const hostManagementMinAgent = "3.2.582.0"

// kickRegistration arms a check for every unmanaged instance that could
// register now and has none pending that fires as soon. The check fires
// after the path's delay and registers the instance if it still can; an
// instance whose path closed meanwhile waits for the next change. A
// faster path opening while a slower one is pending (a profile attached
// after Default Host Management was turned on) arms an earlier check; the
// later one then finds the instance registered. Called whenever something
// a path depends on changes: an association, the Default Host Management
// setting, the account's IAM.
func (r *region) kickRegistration(now time.Time) {
	for _, x := range r.ec2.instances {
		if x.registered {
			continue
		}
		_, delay, ok := r.registrationPath(x)
		if !ok || (!x.checkAt.IsZero() && !now.Add(delay).Before(x.checkAt)) {
			continue
		}
		at := now.Add(delay)
		x.checkAt = at
		r.schedule(at, func(fired time.Time) {
			if x.checkAt.Equal(at) {
				x.checkAt = time.Time{}
			}
			role, _, ok := r.registrationPath(x)
			if !ok || x.registered {
				return
			}
			r.registerInstance(x, role, fired)
		})
	}
}

// registerInstance makes an instance an SSM node: Online, from now.
func (r *region) registerInstance(x *ec2Instance, role string, now time.Time) {
	x.registered = true
	n := normaliseNode(Node{
		ID: x.ID, ComputerName: privateDNS(x.ID, r.name), IPAddress: privateIP(x.ID),
		PlatformType: x.PlatformType, PlatformName: x.PlatformName, PlatformVersion: x.PlatformVersion,
		AgentVersion: x.AgentVersion, IAMRole: role, Tags: x.Tags, RegistrationDate: now,
		Proxy: x.Proxy, Python: x.Python, Pip: x.Pip, Requests: x.Requests,
	})
	r.lastPing[n.ID] = now
	i := sort.Search(len(r.nodes), func(i int) bool { return r.nodes[i].ID >= n.ID })
	p := &n
	r.nodes = append(r.nodes, nil)
	copy(r.nodes[i+1:], r.nodes[i:])
	r.nodes[i] = p
	r.byID[n.ID] = p
}

// kickAccount re-examines the unmanaged instances in every region of an
// account whose state the simulator holds, after an IAM change.
func (s *Server) kickAccount(a *account, now time.Time) {
	for k, r := range s.regions {
		if k.account == a.id {
			r.kickRegistration(now)
		}
	}
}

// privateIP derives a stable 10.x address from an instance ID.
func privateIP(id string) string {
	h := hashOf(id)
	b := make([]byte, 0, 15)
	b = append(b, "10."...)
	b = strconv.AppendUint(b, h&0xff, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, (h>>8)&0xff, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, 1+(h>>16)%254, 10)
	return string(b)
}

func privateDNS(id, region string) string {
	domain := region + ".compute.internal"
	if region == "us-east-1" {
		domain = "ec2.internal"
	}
	return "ip-" + strings.ReplaceAll(privateIP(id), ".", "-") + "." + domain
}
