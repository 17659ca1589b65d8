package ssmsim

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// iamState is one account's IAM: roles and instance profiles. IAM names
// are unique whatever their case ("Role with name X already exists" for
// x), so the maps are keyed by the lower-cased name.
type iamState struct {
	account  string
	roles    map[string]*iamRole
	profiles map[string]*iamProfile
}

type iamRole struct {
	name, path, id string
	created        time.Time
	trust          string // the trust policy document, as given
	description    string
	maxSession     int      // seconds
	policies       []string // attached managed policy ARNs, in attach order
}

type iamProfile struct {
	name, path, id string
	created        time.Time
	role           string // role name, "" for none
}

// maxRoleSession is IAM's default MaxSessionDuration.
const maxRoleSession = 3600

// managedPolicies are the AWS managed policies the simulator knows, by ARN.
var managedPolicies = map[string]string{
	PolicySSMManagedInstanceCore:       "AmazonSSMManagedInstanceCore",
	PolicySSMManagedEC2InstanceDefault: "AmazonSSMManagedEC2InstanceDefaultPolicy",
	PolicyEC2RoleForSSM:                "AmazonEC2RoleforSSM",
	PolicyReadOnlyAccess:               "ReadOnlyAccess",
	PolicyAdministratorAccess:          "AdministratorAccess",
	PolicyCloudWatchAgentServer:        "CloudWatchAgentServerPolicy",
	PolicyS3ReadOnly:                   "AmazonS3ReadOnlyAccess",
}

// ssmCorePolicies grant ssm:UpdateInstanceInformation and the rest of what
// an agent needs to register with instance-profile credentials.
var ssmCorePolicies = []string{PolicySSMManagedInstanceCore, PolicyEC2RoleForSSM, PolicyAdministratorAccess}

// hostManagementPolicies grant what Default Host Management needs of its
// role.
var hostManagementPolicies = []string{PolicySSMManagedEC2InstanceDefault, PolicySSMManagedInstanceCore}

// Patterns from the IAM API model (botocore iam 2010-05-08).
var (
	reIAMName = regexp.MustCompile(`^[\w+=,.@-]+$`)
	reIAMPath = regexp.MustCompile(`^((/)|(/[\x{0021}-\x{007E}]+/))$`)
)

func newIAMState(account string, _ time.Time) *iamState {
	return &iamState{account: account, roles: map[string]*iamRole{}, profiles: map[string]*iamProfile{}}
}

func noSuchEntity(format string, args ...any) *wire.Error {
	return wire.Errorf("NoSuchEntity", format, args...).WithStatus(http.StatusNotFound)
}

func entityExists(format string, args ...any) *wire.Error {
	return wire.Errorf("EntityAlreadyExists", format, args...).WithStatus(http.StatusConflict)
}

func (st *iamState) role(name string) (*iamRole, *wire.Error) {
	r, ok := st.roles[strings.ToLower(name)]
	if !ok {
		return nil, noSuchEntity("The role with name %s cannot be found.", wire.Clip(name))
	}
	return r, nil
}

func (st *iamState) profile(name string) (*iamProfile, *wire.Error) {
	p, ok := st.profiles[strings.ToLower(name)]
	if !ok {
		return nil, noSuchEntity("Instance Profile %s cannot be found.", wire.Clip(name))
	}
	return p, nil
}

// createRole adds a role after checking its trust policy.
func (st *iamState) createRole(name, path, trust, description string, maxSession int, now time.Time) (*iamRole, *wire.Error) {
	if path == "" {
		path = "/"
	}
	if _, ok := st.roles[strings.ToLower(name)]; ok {
		return nil, entityExists("Role with name %s already exists.", wire.Clip(name))
	}
	if err := checkPolicyDocument(trust); err != nil {
		return nil, err
	}
	if maxSession == 0 {
		maxSession = maxRoleSession
	}
	r := &iamRole{name: name, path: path, id: iamID("AROA", st.account+"/role/"+name), created: now, trust: trust,
		description: description, maxSession: maxSession}
	st.roles[strings.ToLower(name)] = r
	return r, nil
}

// attach attaches a managed policy; attaching one already attached
// changes nothing, as on AWS.
func (st *iamState) attach(roleName, arn string) *wire.Error {
	r, err := st.role(roleName)
	if err != nil {
		return err
	}
	if _, ok := managedPolicies[arn]; !ok {
		return noSuchEntity("Policy %s does not exist or is not attachable.", wire.Clip(arn))
	}
	if !slices.Contains(r.policies, arn) {
		r.policies = append(r.policies, arn)
	}
	return nil
}

func (st *iamState) createProfile(name, path string, now time.Time) (*iamProfile, *wire.Error) {
	if path == "" {
		path = "/"
	}
	if _, ok := st.profiles[strings.ToLower(name)]; ok {
		return nil, entityExists("Instance Profile %s already exists.", wire.Clip(name))
	}
	p := &iamProfile{name: name, path: path, id: iamID("AIPA", st.account+"/profile/"+name), created: now}
	st.profiles[strings.ToLower(name)] = p
	return p, nil
}

// addRoleToProfile puts a role in a profile, which holds at most one.
func (st *iamState) addRoleToProfile(profile, role string) *wire.Error {
	p, err := st.profile(profile)
	if err != nil {
		return err
	}
	r, err := st.role(role)
	if err != nil {
		return err
	}
	if p.role != "" {
		return wire.Errorf("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1").WithStatus(http.StatusConflict)
	}
	p.role = r.name
	return nil
}

func (st *iamState) roleARN(r *iamRole) string {
	return "arn:aws:iam::" + st.account + ":role" + r.path + r.name
}

func (st *iamState) profileARN(p *iamProfile) string {
	return "arn:aws:iam::" + st.account + ":instance-profile" + p.path + p.name
}

// hasAny reports whether the role has one of the policies attached.
func (r *iamRole) hasAny(policies []string) bool {
	for _, p := range r.policies {
		if slices.Contains(policies, p) {
			return true
		}
	}
	return false
}

// profileGrantsSSM reports whether the instance profile's role lets an
// agent register with SSM.
func (st *iamState) profileGrantsSSM(profile string) bool {
	p, ok := st.profiles[strings.ToLower(profile)]
	if !ok || p.role == "" {
		return false
	}
	r, ok := st.roles[strings.ToLower(p.role)]
	return ok && r.hasAny(ssmCorePolicies) && trustsService(r.trust, "ec2.amazonaws.com")
}

// hostManagementRoleWorks reports whether the role a Default Host
// Management setting names exists, trusts Systems Manager and has the
// policy it needs.
func (st *iamState) hostManagementRoleWorks(setting string) bool {
	if setting == "" || setting == noSettingValue {
		return false
	}
	r, ok := st.roles[strings.ToLower(roleNameOf(setting))]
	return ok && r.hasAny(hostManagementPolicies) && trustsService(r.trust, "ssm.amazonaws.com")
}

// iamID derives a stable 21-character IAM unique ID (AROA..., AIPA...)
// from a seed string.
func iamID(prefix, seed string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	h := hashOf(seed)
	h2 := hashOf(seed + "#")
	b := make([]byte, 17)
	for i := range b {
		if i < 12 {
			b[i] = alphabet[h&31]
			h >>= 5
		} else {
			b[i] = alphabet[h2&31]
			h2 >>= 5
		}
	}
	return prefix + string(b)
}
