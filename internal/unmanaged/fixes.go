package unmanaged

import (
	"fmt"
	"time"
)

// FixKind names an opt-in fix in plans, journals and flags.
type FixKind string

// String returns the fix's name.
func (k FixKind) String() string { return string(k) }

// The fixes.
const (
	AttachProfile FixKind = "attach-instance-profile"
	FixRole       FixKind = "fix-instance-role"
	EnableDHMC    FixKind = "enable-dhmc"
)

// Scope says what a fix changes: one instance, a role every instance that
// uses it shares, or the whole region.
type Scope string

// Scopes.
const (
	ScopeInstance Scope = "instance"
	ScopeRole     Scope = "role"
	ScopeRegion   Scope = "region"
)

// Fix is one opt-in fix, as one registered unit: its flag, what it
// changes, why it is opt-in, how long apply waits for an instance to
// register after it, and the statements of patchready's IAM policy it
// needs. The API calls it makes live in package remedy, keyed by Kind.
type Fix struct {
	Kind FixKind
	// Flag is how apply and plan ask for it.
	Flag string
	// Help is the flag's help line.
	Help  string
	Scope Scope
	// Caution says why the fix is opt-in, for the plan and --help.
	Caution string
	// Wait is how long apply waits for an instance to show Online in
	// DescribeInstanceInformation after the fix, before it gives up on it.
	Wait time.Duration
	// PolicySids are the statements of documents/iam-policy.json the
	// fix's calls need (iam-policy --unmanaged-fixes).
	PolicySids []string
}

// fixes lists every fix, in the order a reviewer should prefer them: the
// narrowest change first. Adding a fix is one declaration here, its
// executor in remedy, and its statements in the IAM policy.
var fixes = []Fix{
	{
		Kind: AttachProfile, Flag: "--attach-instance-profile", Scope: ScopeInstance,
		Help: "associate instance profile `NAME` (its role must have AmazonSSMManagedInstanceCore) with each unmanaged instance that has none " +
			"(ec2:AssociateIamInstanceProfile; changes IAM access of those instances)",
		Caution: "it gives each instance the profile's permissions",
		// The agent picks new credentials up within minutes.
		Wait:       15 * time.Minute,
		PolicySids: []string{"FixAttachInstanceProfile", "FixAttachInstanceProfileRead", "FixAttachInstanceProfilePassRole"},
	},
	{
		Kind: FixRole, Flag: "--fix-instance-role", Scope: ScopeRole,
		Help: "attach AmazonSSMManagedInstanceCore to the role of an attached instance profile that lacks it. Off by default: " +
			"the role may be shared with other instances and services, which all gain the permissions",
		Caution: "the role may be shared with other instances and services, which all gain its permissions: that is why it is off by default",
		Wait:    15 * time.Minute,
		// The statement lets patchready attach that one policy, to any
		// role: which roles is known only when the plan is made.
		PolicySids: []string{"FixInstanceRole"},
	},
	{
		Kind: EnableDHMC, Flag: "--enable-dhmc", Scope: ScopeRegion,
		Help: "turn on Default Host Management Configuration in the region (ssm:UpdateServiceSetting), creating its documented role " +
			HostManagementRoleName + " when missing; every instance with IMDSv2 and agent " + HostManagementMinAgent + "+ may then register",
		Caution: "it lets Systems Manager manage every EC2 instance in the region that has no instance profile of its own",
		// AWS: "can take up to 30 minutes"; five more for the agent's
		// first ping to show.
		Wait:       35 * time.Minute,
		PolicySids: []string{"FixEnableDHMCRole", "FixEnableDHMCPolicy", "FixEnableDHMCPassRole", "FixEnableDHMCSetting"},
	},
}

func init() {
	seen := map[FixKind]bool{}
	for _, f := range fixes {
		if seen[f.Kind] || f.Flag != "--"+string(f.Kind) || f.Wait <= 0 || len(f.PolicySids) == 0 {
			panic(fmt.Sprintf("unmanaged: fix %s is declared twice, or lacks its flag, wait or policy", f.Kind))
		}
		seen[f.Kind] = true
	}
}

// Fixes returns the registered fixes in order. The slice is shared: do not
// modify it.
func Fixes() []Fix { return fixes }

// LookupFix returns the fix of kind k.
func LookupFix(k FixKind) (Fix, bool) {
	for _, f := range fixes {
		if f.Kind == k {
			return f, true
		}
	}
	return Fix{}, false
}

// ParseFixKind checks that s names a fix.
func ParseFixKind(s string) (FixKind, error) {
	if _, ok := LookupFix(FixKind(s)); ok {
		return FixKind(s), nil
	}
	return "", fmt.Errorf("unknown fix %q (want one of %s)", cut(s, 40), FixNames())
}

// FixNames lists the fixes' names, comma-separated, for messages.
func FixNames() string {
	s := ""
	for i, f := range fixes {
		if i > 0 {
			s += ", "
		}
		s += string(f.Kind)
	}
	return s
}

// Wait is how long apply waits for an instance to register after fixes
// ks: the longest of their waits, since any of them may be the one that
// works.
func Wait(ks []FixKind) time.Duration {
	var w time.Duration
	for _, k := range ks {
		if f, ok := LookupFix(k); ok {
			w = max(w, f.Wait)
		}
	}
	return w
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
