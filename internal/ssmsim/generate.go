package ssmsim

import (
	"fmt"
	"math/rand/v2"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// profile is one kind of node in a generated fleet.
type profile struct {
	weight            int
	platformType      string
	name              string
	versions          []string
	agents            []string // picked uniformly; repeats weight a version
	python, pip       string
	requests          []string
	proxyRate         float64 // share of nodes behind a proxy
	proxySource       string  // where the proxy is set: the override the agent reads when it starts
	noPipRate         float64 // share with no pip (and yum cannot add it)
	missingPipRate    float64 // share with no pip that yum can install
	computerNameStyle byte    // 'l' Linux/macOS host name, 'w' Windows
}

// Agent versions seen in real fleets, old to new. 2.0.672.0 and 2.0.790.0
// are below Patch Manager's 2.0.834.0 minimum.
var (
	agentsAncient = []string{"2.0.672.0", "2.0.790.0", "2.0.847.0", "2.2.800.0"}
	agentsOld     = []string{"2.3.1319.0", "2.3.1644.0", "3.0.1124.0", "3.1.1004.0", "3.1.1732.0"}
	agentsRecent  = []string{"3.2.582.0", "3.2.2143.0", "3.3.40.0", "3.3.987.0", DefaultLatestAgentVersion, DefaultLatestAgentVersion}
	agentsAny     = concat(agentsAncient, agentsOld, agentsRecent, agentsRecent)
	agentsModern  = concat(agentsOld, agentsRecent, agentsRecent)
)

var profiles = []profile{
	{weight: 6, platformType: "Linux", name: "Amazon Linux AMI", versions: []string{"2018.03"}, agents: agentsAny,
		python: "/usr/bin/python", pip: "/usr/bin/pip", requests: []string{"1.2.3", "2.6.0", "2.12.1", "2.18.4", "2.20.0"},
		proxyRate: 0.6, proxySource: "upstart-override", noPipRate: 0.08, missingPipRate: 0.15, computerNameStyle: 'l'},
	{weight: 24, platformType: "Linux", name: "Amazon Linux", versions: []string{"2"}, agents: agentsAny,
		python: "/usr/bin/python3", pip: "/usr/bin/pip3", requests: []string{"2.25.1"},
		proxyRate: 0.15, proxySource: "systemd-override", computerNameStyle: 'l'},
	{weight: 16, platformType: "Linux", name: "Amazon Linux", versions: []string{"2023"}, agents: agentsModern,
		python: "/usr/bin/python3", pip: "/usr/bin/pip3", requests: []string{"2.28.2"},
		proxyRate: 0.1, proxySource: "systemd-override", computerNameStyle: 'l'},
	{weight: 14, platformType: "Linux", name: "Ubuntu", versions: []string{"16.04", "18.04", "20.04", "22.04", "24.04"}, agents: agentsAny,
		python: "/usr/bin/python3", requests: []string{"2.22.0", "2.25.1", "2.31.0"}, proxyRate: 0.05, proxySource: "systemd-override", computerNameStyle: 'l'},
	{weight: 7, platformType: "Linux", name: "Red Hat Enterprise Linux", versions: []string{"7.9", "8.8", "9.3"}, agents: agentsAny,
		python: "/usr/bin/python3", requests: []string{"2.20.0", "2.25.1"}, computerNameStyle: 'l'},
	{weight: 3, platformType: "Linux", name: "Debian GNU/Linux", versions: []string{"10", "11", "12"}, agents: agentsModern,
		python: "/usr/bin/python3", requests: []string{"2.21.0", "2.25.1", "2.28.1"}, computerNameStyle: 'l'},
	{weight: 2, platformType: "Linux", name: "SLES", versions: []string{"12.5", "15.4"}, agents: agentsModern,
		python: "/usr/bin/python3", requests: []string{"2.24.0"}, computerNameStyle: 'l'},
	{weight: 3, platformType: "Windows", name: "Microsoft Windows Server 2012 R2 Datacenter", versions: []string{"6.3.9600"}, agents: agentsAny, computerNameStyle: 'w'},
	{weight: 5, platformType: "Windows", name: "Microsoft Windows Server 2016 Datacenter", versions: []string{"10.0.14393"}, agents: agentsAny, computerNameStyle: 'w'},
	{weight: 8, platformType: "Windows", name: "Microsoft Windows Server 2019 Datacenter", versions: []string{"10.0.17763"}, agents: agentsAny, computerNameStyle: 'w'},
	{weight: 5, platformType: "Windows", name: "Microsoft Windows Server 2022 Datacenter", versions: []string{"10.0.20348"}, agents: agentsModern, computerNameStyle: 'w'},
	{weight: 1, platformType: "MacOS", name: "macOS", versions: []string{"12.6.1", "13.4.1", "14.2.1"}, agents: []string{"3.1.821.0", "3.1.941.0", "3.2.582.0", DefaultLatestAgentVersion},
		python: "/usr/bin/python3", requests: []string{""}, computerNameStyle: 'l'},
	// Unsupported by Patch Manager, by name in its prerequisites.
	{weight: 1, platformType: "Linux", name: "CentOS", versions: []string{"6.3"}, agents: agentsAncient, python: "/usr/bin/python", requests: []string{"0.8.2"}, computerNameStyle: 'l'},
	{weight: 1, platformType: "Linux", name: "Raspbian GNU/Linux", versions: []string{"9"}, agents: agentsOld, python: "/usr/bin/python", requests: []string{"2.12.4"}, computerNameStyle: 'l'},
	{weight: 1, platformType: "Windows", name: "Microsoft Windows Server 2003 R2 Standard", versions: []string{"5.2.3790"}, agents: agentsAncient, computerNameStyle: 'w'},
}

var (
	envTags  = []map[string]string{{"Environment": "prod"}, {"Environment": "staging"}, {"Environment": "dev"}}
	iamRoles = []string{"AmazonSSMRoleForInstancesQuickSetup", "patchready-ssm-instance", "ec2-base-role"}
)

// overrideNotLoadedRate is the share of proxied nodes whose proxy is in the
// service's override but not in the running agent's environment (nobody
// restarted the agent since it was written); the others' agents have
// loaded it.
const overrideNotLoadedRate = 0.1

// Generate returns a reproducible fleet of n nodes in a realistic mix:
// agent versions from below Patch Manager's minimum to latest, Amazon Linux
// 1 (often proxied, with old requests and sometimes no pip; one proxied
// node in ten has its proxy only in an override its running agent has not
// loaded), Amazon Linux 2
// and 2023, Ubuntu, RHEL, Debian, SLES, Windows Server 2012 R2–2022, a few
// macOS and unsupported systems; about 3% ConnectionLost, 1% whose agent
// update fails, and 2% hybrid (mi-) nodes. Strings come from shared tables,
// so a 100,000-node fleet stays compact.
func Generate(n int, seed uint64) Fleet {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	total := 0
	for _, p := range profiles {
		total += p.weight
	}
	nodes := make([]Node, n)
	specs := map[string]*host.Spec{}
	for i := range nodes {
		nodes[i] = generateNode(rng, i, seed, pickProfile(rng.IntN(total)))
		nodes[i].Host = hostVariant(&nodes[i], unit(seed, i), specs)
		nodes[i].Patches = patchVariant(&nodes[i], unit(seed^0x70617463, i))
		if nodes[i].Host != nil {
			// Interned per spec: one build per distinct spec.
			if h, err := hostFor(&nodes[i]); err == nil {
				nodes[i].sw = h
				nodes[i].mirrorSoftware()
			}
		}
	}
	return Fleet{Nodes: nodes}
}

func pickProfile(w int) *profile {
	for i := range profiles {
		if w < profiles[i].weight {
			return &profiles[i]
		}
		w -= profiles[i].weight
	}
	return &profiles[len(profiles)-1]
}

func generateNode(rng *rand.Rand, i int, seed uint64, p *profile) Node {
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	// mix is a bijection, so IDs are unique without a set.
	id := mix(uint64(i) ^ seed<<32)
	n := Node{
		PlatformType: p.platformType, PlatformName: p.name, PlatformVersion: pick(p.versions),
		AgentVersion: pick(p.agents), IAMRole: pick(iamRoles), Tags: envTags[rng.IntN(len(envTags))],
		IPAddress: fmt.Sprintf("10.%d.%d.%d", (i>>16)&255, (i>>8)&255, i&255),
	}
	if rng.Float64() < 0.02 {
		n.ID = fmt.Sprintf("mi-%017x", id)
		n.IAMRole = "service-role/AmazonEC2RunCommandRoleForManagedInstances"
	} else {
		n.ID = fmt.Sprintf("i-%017x", id)
	}
	if p.computerNameStyle == 'w' {
		n.ComputerName = fmt.Sprintf("EC2AMAZ-%07X", id&0xfffffff)
	} else {
		n.ComputerName = fmt.Sprintf("ip-10-%d-%d-%d.ec2.internal", (i>>16)&255, (i>>8)&255, i&255)
	}
	n.Python, n.Pip = p.python, p.pip
	if len(p.requests) > 0 {
		n.Requests = pick(p.requests)
	}
	if rng.Float64() < p.proxyRate {
		n.Proxy = Proxy{URL: "http://proxy.corp.example:3128", Source: "process", NoProxy: "169.254.169.254,localhost,127.0.0.1"}
		if unit(seed^0x70726f78, i) < overrideNotLoadedRate {
			// Set in the service's override, the agent not restarted
			// since: its commands, the patch run's included, go without.
			n.Proxy.Source = p.proxySource
		}
		if rng.IntN(4) == 0 {
			// The classic mistake: no_proxy without the metadata address.
			n.Proxy.NoProxy = "localhost,127.0.0.1"
		}
	}
	switch u := rng.Float64(); {
	case u < p.noPipRate:
		n.Pip, n.Faults.NoPip = "", true
	case u < p.noPipRate+p.missingPipRate:
		n.Pip = ""
	}
	if rng.Float64() < 0.03 {
		n.PingStatus = "ConnectionLost"
	}
	if rng.Float64() < 0.01 {
		n.Faults.UpdateFails = true
	}
	return normaliseNode(n)
}

// unit is a number in [0, 1) fixed by the seed and the node's index, drawn
// apart from the fleet's random stream so that adding host variants left
// every other generated field as it was.
func unit(seed uint64, i int) float64 {
	return float64(mix(uint64(i)^seed^0x6f737468)>>11) / (1 << 53)
}

// hostVariant gives some Linux nodes a host spec showing a software case
// at a plausible rate: Amazon Linux 2 as it ships (python2.7 with requests
// 2.6.0 beside python3), behind its proxy with the payload reachable only
// through it and sometimes no installable pip; minimal Ubuntu without
// python3 or python3-apt; minimal RHEL 8 without python3; and on any
// Linux a few nodes without curl or wget, with the payload blocked, a
// noexec work directory, a nearly full /var, or package repositories out
// of reach (which no preflight check sees; Amazon Linux 2023's dnf skips
// them, so its scan passes knowing of no update). Specs are shared by the
// nodes that have the same one.
func hostVariant(n *Node, u float64, specs map[string]*host.Spec) *host.Spec {
	if n.PlatformType != "Linux" {
		return nil
	}
	preset := presetFor(n.PlatformName, n.PlatformVersion)
	var sp host.Spec
	switch {
	case preset == host.AmazonLinux2:
		sp = host.Spec{Preset: preset}
		if n.Proxy.URL != "" {
			sp.Payload, sp.Repos, sp.PyPI = host.Proxied, host.Proxied, host.Proxied
			if u < 0.08 {
				sp.Unoffered = []string{"python2-pip", "python-pip"}
			}
		}
	case (preset == host.Ubuntu2204 || preset == host.Ubuntu2404) && u < 0.10:
		sp = host.Spec{Preset: preset, Without: []string{"python3"}}
	case (preset == host.Ubuntu2204 || preset == host.Ubuntu2404) && u < 0.20:
		sp = host.Spec{Preset: preset, Without: []string{"python3-apt"}}
	case preset == host.RHEL8 && u < 0.30:
		sp = host.Spec{Preset: preset, Without: []string{"python3"}}
	case u >= 0.90 && u < 0.92:
		sp = host.Spec{Preset: preset, Without: []string{"curl", "wget"}}
	case u >= 0.92 && u < 0.94:
		sp = host.Spec{Preset: preset, Payload: host.Blocked, BlockedBy: []string{"refused", "timeout", "dns"}[int(u*1000)%3]}
	case u >= 0.94 && u < 0.95:
		sp = host.Spec{Preset: preset, WorkdirNoexec: true}
	case u >= 0.95 && u < 0.97:
		sp = host.Spec{Preset: preset, VarFreeMB: 100 + 100*(int(u*10000)%4)}
	case u >= 0.97 && u < 0.98:
		sp = host.Spec{Preset: preset, Repos: host.Blocked, BlockedBy: "timeout"}
	default:
		return nil
	}
	if n.Proxy.URL != "" && sp.Payload == "" {
		sp.Payload, sp.PyPI = host.Proxied, host.Proxied
		if sp.Repos == "" {
			sp.Repos = host.Proxied
		}
	}
	key := fmt.Sprintf("%+v", sp)
	if p, ok := specs[key]; ok {
		return p
	}
	specs[key] = &sp
	return &sp
}

// windowsPatches and macOSPatches are what scans find on Windows and macOS
// nodes: most a few updates behind, some current, some long unpatched.
// Linux nodes report their host preset's figures, which their software
// model carries (varying those per node would cost a script run per
// variant).
var (
	windowsPatches = []*host.PatchCounts{
		{Installed: 21, InstalledOther: 4, Missing: 0, NotApplicable: 226},
		{Installed: 17, InstalledOther: 4, Missing: 3, NotApplicable: 231, Critical: 1, Security: 2},
		{Installed: 14, InstalledOther: 3, InstalledPendingReboot: 2, Missing: 6, NotApplicable: 229, Critical: 2, Security: 4, Other: 2},
		{Installed: 9, InstalledOther: 3, Missing: 19, Failed: 1, NotApplicable: 215, Critical: 6, Security: 11, Other: 3},
	}
	macOSPatches = []*host.PatchCounts{
		{Installed: 11, InstalledOther: 2, NotApplicable: 24},
		{Installed: 9, InstalledOther: 2, Missing: 2, NotApplicable: 24, Security: 1, Other: 1},
	}
)

// patchVariant picks a Windows or macOS node's patch figures; shares of
// 20%, 50%, 20% and 10% from current to long unpatched.
func patchVariant(n *Node, u float64) *host.PatchCounts {
	i := 0
	switch {
	case u >= 0.9:
		i = 3
	case u >= 0.7:
		i = 2
	case u >= 0.2:
		i = 1
	}
	switch n.PlatformType {
	case "Windows":
		return windowsPatches[i]
	case "MacOS":
		return macOSPatches[min(i, len(macOSPatches)-1)]
	}
	return nil
}

// mix is the splitmix64 finaliser: a bijection on uint64 that scatters
// sequential indexes into random-looking IDs.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
