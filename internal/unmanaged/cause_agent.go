package unmanaged

import (
	"github.com/patchready/patchready/internal/fleet"
)

// notRegisteringCause is what is left when the API shows a way in: the
// instance has credentials that let its agent register, yet it is not a
// managed node. The cause is on the instance, where no API reaches.
var notRegisteringCause = Cause{
	ID:      "not-registering",
	Heading: "credentials in place, yet not registered: agent or network",
	Advice: "install or start SSM Agent (" + HostManagementMinAgent + " or later for Default Host Management), and give the instance " +
		"a route to the ssm, ssmmessages and ec2messages endpoints (VPC interface endpoints, or a NAT gateway), through its proxy if it has one",
	Applies: func(n fleet.Node) bool {
		return profileWorks(n.EC2) || n.EC2.HostManagement == fleet.HostManagementOn
	},
	Reason: func(n fleet.Node, region string) string {
		how := "instance profile " + n.EC2.Profile
		viaDHMC := !profileWorks(n.EC2)
		if viaDHMC {
			how = "Default Host Management Configuration (on in " + orUnknownRegion(region) + ")"
		}
		return "credentials reach it through " + how + ", yet it is not registered: " + Suspects(viaDHMC)
	},
}

// Suspects names what can keep an instance with working credentials from
// registering, none of which an API shows: the reason an instance that
// never registered ends with. viaDHMC adds Default Host Management's own
// agent floor.
func Suspects(viaDHMC bool) string {
	agent := "SSM Agent not installed or not running"
	if viaDHMC {
		agent += " (or older than " + HostManagementMinAgent + ", which Default Host Management needs)"
	}
	return "likely " + agent + "; no route to the ssm, ssmmessages and ec2messages endpoints (VPC endpoints or NAT); or a proxy in the way"
}
