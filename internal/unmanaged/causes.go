package unmanaged

import (
	"fmt"
	"slices"

	"github.com/patchready/patchready/internal/fleet"
)

// CauseID names why an instance is not managed, in plans and views.
type CauseID string

// Cause is one reason an EC2 instance is not a managed node, as one
// registered unit: which instances it applies to, how it reads in words,
// and which fixes could remove it. Views group unmanaged instances by
// their first cause, in registry order.
type Cause struct {
	ID CauseID
	// Heading names the group of instances it applies to.
	Heading string
	// Advice says what a person can do beyond patchready's fixes; "" when
	// the fixes are the advice.
	Advice string
	// Final says no other cause is looked for once this one applies: the
	// instance cannot register whatever else is true (it is not running,
	// or its metadata service is off), so no fix is offered either.
	Final bool
	// Applies reports whether the cause explains why n is not managed. It
	// reads n.EC2 only.
	Applies func(n fleet.Node) bool
	// Reason says it in words; region is where the instance runs.
	Reason func(n fleet.Node, region string) string
	// Fixes are the fixes that could remove the cause, in the order a
	// reviewer should prefer them; nil when none can.
	Fixes func(n fleet.Node) []FixKind
}

// causes lists every cause in the order they are looked for and shown.
// Adding a cause is a new cause_*.go file and one line here.
var causes = []Cause{
	notRunningCause,
	metadataOffCause,
	noCredentialsCause,
	roleWithoutSSMCause,
	hostManagementBrokenCause,
	notRegisteringCause,
}

func init() {
	seen := map[CauseID]bool{}
	for _, c := range causes {
		if seen[c.ID] {
			panic(fmt.Sprintf("unmanaged: cause %s registered twice", c.ID))
		}
		seen[c.ID] = true
		if c.Applies == nil || c.Reason == nil || c.Heading == "" {
			panic(fmt.Sprintf("unmanaged: cause %s lacks Applies, Reason or Heading", c.ID))
		}
	}
}

// Causes returns the registered causes in order. The slice is shared: do
// not modify it.
func Causes() []Cause { return causes }

// Options are the opt-in fixes asked for: apply's --enable-dhmc,
// --attach-instance-profile NAME and --fix-instance-role.
type Options struct {
	EnableDHMC    bool   `json:"enable_dhmc,omitempty"`
	AttachProfile string `json:"attach_instance_profile,omitempty"`
	FixRole       bool   `json:"fix_instance_role,omitempty"`
}

// Asked reports whether fix k was asked for.
func (o Options) Asked(k FixKind) bool {
	switch k {
	case EnableDHMC:
		return o.EnableDHMC
	case AttachProfile:
		return o.AttachProfile != ""
	case FixRole:
		return o.FixRole
	}
	return false
}

// Any reports whether any fix was asked for.
func (o Options) Any() bool {
	for _, f := range fixes {
		if o.Asked(f.Kind) {
			return true
		}
	}
	return false
}

// Decision is what the causes say of one unmanaged instance.
type Decision struct {
	// Causes apply, in registry order; never empty for a running instance.
	Causes []CauseID
	// Reasons are the causes in words, in the same order.
	Reasons []string
	// Could are the fixes that would act on the instance if asked for, in
	// registry order.
	Could []FixKind
	// Fixes are those of Could that o asked for: apply carries them out.
	Fixes []FixKind
}

// Decide applies every cause to n, an unmanaged instance in region, and
// says which fixes could, and which will, act on it. It is pure.
func Decide(n fleet.Node, region string, o Options) Decision {
	var d Decision
	if n.EC2 == nil {
		return d
	}
	could := map[FixKind]bool{}
	for _, c := range causes {
		if !c.Applies(n) {
			continue
		}
		d.Causes = append(d.Causes, c.ID)
		d.Reasons = append(d.Reasons, c.Reason(n, region))
		if c.Final {
			return Decision{Causes: d.Causes[len(d.Causes)-1:], Reasons: d.Reasons[len(d.Reasons)-1:]}
		}
		if c.Fixes != nil {
			for _, k := range c.Fixes(n) {
				could[k] = true
			}
		}
	}
	for _, f := range fixes {
		if could[f.Kind] {
			d.Could = append(d.Could, f.Kind)
			if o.Asked(f.Kind) {
				d.Fixes = append(d.Fixes, f.Kind)
			}
		}
	}
	return d
}

// Facts are the names and values of the facts causes read, for a plan's
// fingerprint and its stale-plan diff: a change in any of them can change
// what the plan says of an unmanaged instance. A managed node reads "" in
// every one.
var Facts = []struct {
	Name string
	Of   func(fleet.Node) string
}{
	{"ec2_state", ec2Fact(func(f *fleet.EC2Facts) string { return f.State })},
	{"instance_profile", ec2Fact(func(f *fleet.EC2Facts) string { return f.Profile })},
	{"instance_role", ec2Fact(func(f *fleet.EC2Facts) string { return f.Role })},
	{"instance_role_problem", ec2Fact(func(f *fleet.EC2Facts) string { return f.RoleProblem })},
	{"metadata_endpoint", ec2Fact(func(f *fleet.EC2Facts) string { return f.MetadataEndpoint })},
	{"host_management", ec2Fact(func(f *fleet.EC2Facts) string { return f.HostManagement })},
	{"host_management_role", ec2Fact(func(f *fleet.EC2Facts) string { return f.HostManagementRole })},
	{"host_management_problem", ec2Fact(func(f *fleet.EC2Facts) string { return f.HostManagementProblem })},
}

func ec2Fact(get func(*fleet.EC2Facts) string) func(fleet.Node) string {
	return func(n fleet.Node) string {
		if n.EC2 == nil {
			return ""
		}
		return get(n.EC2)
	}
}

// hasAny reports whether list holds one of want.
func hasAny(list []string, want []string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return slices.Contains(want, s) })
}
