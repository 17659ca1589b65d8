package ssmsim

import (
	"fmt"
)

// SampleOrgOptions size the sample organization. The zero value gives the
// hand-sized sample `patchready sim serve` serves without flags.
type SampleOrgOptions struct {
	// RoleName is the role patchready assumes in every account. Empty
	// means DefaultRoleName.
	RoleName string
	// Accounts is the number of member accounts that have the role (2
	// when zero). The sandbox account without the role and the suspended
	// account come on top.
	Accounts int
	// Regions is the number of regions with a fleet in each account (2
	// when zero, at most len(sampleRegions)).
	Regions int
	// NodesPerTarget sizes each account-region fleet with generated nodes.
	// Zero keeps the sample's sizes: the hand-written SampleFleet in the
	// management account's first region, a handful of nodes elsewhere.
	NodesPerTarget int
	// Seed varies the generated fleets.
	Seed uint64
}

// DefaultRoleName is the role the sample organization gives its accounts
// for patchready to assume.
const DefaultRoleName = "PatchReadyRole"

// The sample organization's fixed accounts and names.
const (
	SampleManagementAccount = "111111111111"
	SampleSandboxAccount    = "333333333333" // the role is missing
	SampleSuspendedAccount  = "444444444444"
	// SampleOptInRegion is enabled in the first member account only.
	SampleOptInRegion = "af-south-1"
	// HostManagementRoleName is the role Default Host Management uses in
	// the sample, under the path AWS's console gives it.
	HostManagementRoleName = "AWSSystemsManagerDefaultEC2InstanceManagementRole"
	// SampleTopic is the SNS topic every account has in every region.
	SampleTopic = "patchready-events"
)

// sampleRegions are the standard regions a sized organization takes its
// fleets' regions from, in order.
var sampleRegions = []string{"us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2",
	"ap-northeast-1", "ca-central-1", "sa-east-1", "eu-west-2", "us-east-2"}

// SampleMemberAccount returns the ID of member account i (1-based).
func SampleMemberAccount(i int) string { return fmt.Sprintf("2%011d", i) }

// SampleOrganization returns an organization that has every case a
// multi-account run meets: a management account (the caller) and member
// accounts with the role, each with a fleet per region; one account whose
// role is missing; one SUSPENDED account; an opt-in region enabled in one
// account and not in the others; Default Host Management on in one
// account-region; and, in the management account's first region, EC2
// instances SSM does not manage, one of each kind (see SampleInstances).
func SampleOrganization(o SampleOrgOptions) *Organization {
	if o.RoleName == "" {
		o.RoleName = DefaultRoleName
	}
	if o.Accounts <= 0 {
		o.Accounts = 2
	}
	if o.Regions <= 0 {
		o.Regions = 2
	}
	o.Regions = min(o.Regions, len(sampleRegions))
	regions := sampleRegions[:o.Regions]
	first := regions[0]

	org := &Organization{
		Units: []OrganizationalUnit{
			{ID: "ou-exam-workload", Name: "Workloads"},
			{ID: "ou-exam-produnit", Name: "Prod", Parent: "ou-exam-workload"},
			{ID: "ou-exam-devunits", Name: "Dev", Parent: "ou-exam-workload"},
			{ID: "ou-exam-sandboxs", Name: "Sandbox"},
			{ID: "ou-exam-suspends", Name: "Suspended"},
		},
	}
	for _, r := range regions {
		org.Regions = append(org.Regions, RegionSpec{Name: r})
	}
	org.Regions = append(org.Regions, RegionSpec{Name: SampleOptInRegion, OptIn: true})

	fleet := func(account, region string, small int) Estate {
		e := Estate{Topics: []string{SampleTopic}, GenerateSeed: o.Seed ^ hashOf(account+"/"+region)}
		if o.NodesPerTarget > 0 {
			e.Generate = o.NodesPerTarget
		} else {
			e.Generate = small
		}
		return e
	}
	patchReady := Role{Name: o.RoleName, Policies: []string{PolicyReadOnlyAccess}}

	mgmt := Account{ID: SampleManagementAccount, Name: "management", Roles: []Role{patchReady,
		{Name: "patchready-ssm-instance", TrustPolicy: TrustService("ec2.amazonaws.com"), Policies: []string{PolicySSMManagedInstanceCore}},
		{Name: "app-server-role", TrustPolicy: TrustService("ec2.amazonaws.com"), Policies: []string{PolicyCloudWatchAgentServer}},
	}, InstanceProfiles: []InstanceProfile{{Name: "patchready-ssm-instance", Role: "patchready-ssm-instance"}, {Name: "app-server-role", Role: "app-server-role"}},
		Estates: map[string]Estate{}}
	for i, r := range regions {
		e := fleet(mgmt.ID, r, 6)
		if i == 0 {
			if o.NodesPerTarget == 0 {
				e.Generate, e.Fleet = 0, SampleFleet()
			}
			e.Instances = SampleInstances()
		}
		mgmt.Estates[r] = e
	}
	org.Accounts = append(org.Accounts, mgmt)

	for i := 1; i <= o.Accounts; i++ {
		a := Account{ID: SampleMemberAccount(i), Name: fmt.Sprintf("workload-%03d", i), Parent: "ou-exam-produnit",
			Roles: []Role{patchReady}, Estates: map[string]Estate{}}
		if i%2 == 0 {
			a.Parent = "ou-exam-devunits"
		}
		for j, r := range regions {
			e := fleet(a.ID, r, 4+(i+j)%5)
			if o.NodesPerTarget == 0 {
				// A few generated nodes may all be compliant: one node
				// below the agent floor in every region gives a run across
				// the organization something to fix in every account.
				e.Fleet.Nodes = append(e.Fleet.Nodes, staleAgentNode(fmt.Sprintf("i-0de%s%02d", a.ID, j)))
			}
			a.Estates[r] = e
		}
		if i == 1 {
			// The one account that enabled the opt-in region, and runs
			// Default Host Management in its first region.
			a.OptedIn = []string{SampleOptInRegion}
			a.Estates[SampleOptInRegion] = fleet(a.ID, SampleOptInRegion, 5)
			a.Roles = append(a.Roles, Role{Name: HostManagementRoleName, Path: "/service-role/",
				TrustPolicy: TrustService("ssm.amazonaws.com"), Policies: []string{PolicySSMManagedEC2InstanceDefault}})
			e := a.Estates[first]
			e.HostManagementRole = "service-role/" + HostManagementRoleName
			e.Instances = hostManagementInstances()
			a.Estates[first] = e
		}
		org.Accounts = append(org.Accounts, a)
	}
	org.Accounts = append(org.Accounts,
		Account{ID: SampleSandboxAccount, Name: "sandbox", Parent: "ou-exam-sandboxs",
			Estates: map[string]Estate{first: fleet(SampleSandboxAccount, first, 3)}},
		Account{ID: SampleSuspendedAccount, Name: "legacy", Parent: "ou-exam-suspends", Status: AccountSuspended,
			Roles: []Role{patchReady}, Estates: map[string]Estate{first: fleet(SampleSuspendedAccount, first, 3)}},
	)
	return org
}

// SampleInstances are the unmanaged EC2 instances of the sample's
// management account, one of each kind a fix meets. Default Host
// Management is off there.
func SampleInstances() []Instance {
	al2 := func(id string) Instance {
		return Instance{ID: id, PlatformType: "Linux", PlatformName: "Amazon Linux", PlatformVersion: "2", AgentVersion: "3.3.1142.0",
			Python: "/usr/bin/python3", Pip: "/usr/bin/pip3", Requests: "2.25.1"}
	}
	// fix: associate a profile; its agent is too old for Default Host
	// Management, and for Patch Manager, so once it registers the same
	// apply updates it.
	noProfile := al2("i-0c0ffee000000a001")
	noProfile.AgentVersion, noProfile.Tags = "2.0.790.0", map[string]string{"Name": "no-profile"}
	weakRole := al2("i-0c0ffee000000a002") // fix: attach AmazonSSMManagedInstanceCore to its role
	weakRole.Profile, weakRole.Tags = "app-server-role", map[string]string{"Name": "profile-without-ssm"}
	noAgent := al2("i-0c0ffee000000a003") // not fixable through SSM
	noAgent.AgentVersion, noAgent.Tags = "", map[string]string{"Name": "no-agent"}
	stopped := al2("i-0c0ffee000000a004") // nothing to do until it runs
	stopped.State, stopped.Tags = "stopped", map[string]string{"Name": "stopped"}
	isolated := al2("i-0c0ffee000000a005") // a working profile, but no route to SSM
	isolated.Profile, isolated.NoSSMPath, isolated.Tags = "patchready-ssm-instance", true, map[string]string{"Name": "no-network-path"}
	return []Instance{noProfile, weakRole, noAgent, stopped, isolated}
}

// hostManagementInstances are unmanaged instances in a region where
// Default Host Management is on but cannot reach them.
func hostManagementInstances() []Instance {
	return []Instance{
		{ID: "i-0c0ffee000000b001", PlatformType: "Linux", PlatformName: "Amazon Linux", PlatformVersion: "2023",
			AgentVersion: "3.3.1142.0", HTTPEndpoint: "disabled", Tags: map[string]string{"Name": "imds-disabled"}},
		{ID: "i-0c0ffee000000b002", PlatformType: "Linux", PlatformName: "Ubuntu", PlatformVersion: "20.04",
			AgentVersion: "3.1.1188.0", Tags: map[string]string{"Name": "agent-too-old-for-dhmc"}},
	}
}

// staleAgentNode is an Amazon Linux 2 node whose agent is below Patch
// Manager's floor and whose update works.
func staleAgentNode(id string) Node {
	return Node{ID: id, PlatformType: "Linux", PlatformName: "Amazon Linux", PlatformVersion: "2", AgentVersion: "2.0.790.0",
		ComputerName: "ip-10-9-0-1.ec2.internal", Python: "/usr/bin/python3", Pip: "/usr/bin/pip3", Requests: "2.25.1"}
}
