package unmanaged

import (
	"github.com/patchready/patchready/internal/fleet"
)

// notRunningCause: an instance that is not running cannot register, and
// nothing done to it now can be verified; it is listed apart, not fixable
// now.
var notRunningCause = Cause{
	ID:      "not-running",
	Heading: "not running (not fixable now)",
	Advice:  "plan again once it runs",
	Final:   true,
	Applies: func(n fleet.Node) bool { return n.EC2.State != fleet.EC2Running },
	Reason: func(n fleet.Node, _ string) string {
		return n.EC2.State + ": nothing can register it with SSM until it runs"
	},
}

// metadataOffCause: with the metadata service off, no credentials reach
// the agent at all: instance-profile credentials come through it, and
// Default Host Management needs IMDSv2 in particular.
var metadataOffCause = Cause{
	ID:      "metadata-disabled",
	Heading: "instance metadata service disabled",
	Advice:  "turn it on: aws ec2 modify-instance-metadata-options --instance-id ID --http-endpoint enabled --http-tokens required",
	Final:   true,
	Applies: func(n fleet.Node) bool { return !metadataOn(n.EC2) },
	Reason: func(n fleet.Node, region string) string {
		if n.EC2.HostManagement == fleet.HostManagementOn {
			return "Default Host Management Configuration is on in " + orUnknownRegion(region) +
				", but the instance disables its metadata service, and DHMC needs IMDSv2: no credentials reach the agent"
		}
		return "the instance disables its metadata service: no credentials reach the agent, neither an instance profile's nor Default Host Management's (which needs IMDSv2)"
	},
}

// metadataOn reports whether the instance's metadata service answers.
func metadataOn(f *fleet.EC2Facts) bool { return f.MetadataEndpoint != "disabled" }

func orUnknownRegion(r string) string {
	if r == "" {
		return "this region"
	}
	return r
}
