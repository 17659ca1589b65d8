package engine

import (
	"fmt"

	"github.com/patchready/patchready/internal/ssmsim"
)

// Node IDs of mixedFleet, named for what they are.
const (
	idOld1          = "i-00000000000000a01" // Amazon Linux 2, agent below the floor
	idOld2          = "i-00000000000000a02"
	idOld3          = "i-00000000000000a03"
	idWindows       = "i-00000000000000a04" // Windows Server 2019, agent below the floor
	idSlow          = "i-00000000000000a05" // agent below the floor, commands three times slower
	idProxied       = "i-00000000000000b01" // Amazon Linux 1 behind its running agent's proxy, old requests
	idProxiedOld    = "i-00000000000000b02" // ... proxy only in its upstart override, loaded by the agent update; no pip (yum adds it)
	idCompliant     = "i-00000000000000c01"
	idLost          = "i-00000000000000c02" // ConnectionLost: blocked
	idCentOS        = "i-00000000000000c03" // CentOS 6.3: blocked
	idUpdateFails   = "i-00000000000000f01"
	idOffline       = "i-00000000000000f02" // goes ConnectionLost for good after its update
	idUndeliverable = "i-00000000000000f03" // Windows; no command reaches it
	idNoPip         = "i-00000000000000f04" // proxied Amazon Linux 1, no pip and yum cannot add it
)

const (
	belowFloor = "2.0.790.0"
	latest     = ssmsim.DefaultLatestAgentVersion
)

func al2(id, agent string) ssmsim.Node {
	return ssmsim.Node{ID: id, PlatformType: "Linux", PlatformName: "Amazon Linux", PlatformVersion: "2",
		AgentVersion: agent, Python: "/usr/bin/python3", Pip: "/usr/bin/pip3", Requests: "2.25.1"}
}

// al1Proxied is an Amazon Linux 1 node that reaches AWS, its repositories
// and PyPI only through the proxy the running agent has in its
// environment (source process), or, with source upstart-override, the
// proxy only its upstart override sets, which the agent takes at its next
// restart.
func al1Proxied(id, agent, requests, source string) ssmsim.Node {
	return ssmsim.Node{ID: id, PlatformType: "Linux", PlatformName: "Amazon Linux AMI", PlatformVersion: "2018.03",
		AgentVersion: agent, Python: "/usr/bin/python", Pip: "/usr/bin/pip", Requests: requests,
		Proxy: ssmsim.Proxy{URL: "http://proxy.corp.example:3128", Source: source, NoProxy: "169.254.169.254"}}
}

// mixedFleet has fixable nodes of every kind, compliant and blocked nodes,
// and one node per per-node fault.
func mixedFleet() ssmsim.Fleet {
	slow := al2(idSlow, belowFloor)
	slow.Faults.Slow = 3
	// Its agent update restarts the agent, which then takes the proxy:
	// the patch run's way from then on, and the fix's.
	proxiedOld := al1Proxied(idProxiedOld, belowFloor, "2.12.1", "upstart-override")
	proxiedOld.Pip = ""
	fails := al2(idUpdateFails, belowFloor)
	fails.Faults.UpdateFails = true
	offline := al2(idOffline, belowFloor)
	offline.Faults.OfflineAfterUpdate = true
	// Windows: the probe does not run there. A Linux node that no command
	// reaches is blocked by its failed probe, not fixed.
	undeliverable := ssmsim.Node{ID: idUndeliverable, PlatformType: "Windows", PlatformName: "Microsoft Windows Server 2022 Datacenter",
		PlatformVersion: "10.0.20348", AgentVersion: belowFloor}
	undeliverable.Faults.Undeliverable = true
	noPip := al1Proxied(idNoPip, "3.2.582.0", "2.6.0", "process")
	noPip.Pip, noPip.Faults.NoPip = "", true
	lost := al2(idLost, belowFloor)
	lost.PingStatus = "ConnectionLost"
	return ssmsim.Fleet{Nodes: []ssmsim.Node{
		al2(idOld1, belowFloor), al2(idOld2, "2.0.672.0"), al2(idOld3, belowFloor),
		{ID: idWindows, PlatformType: "Windows", PlatformName: "Microsoft Windows Server 2019 Datacenter", PlatformVersion: "10.0.17763", AgentVersion: "2.0.672.0"},
		slow,
		al1Proxied(idProxied, "2.3.1319.0", "2.6.0", "process"), proxiedOld,
		{ID: idCompliant, PlatformType: "Linux", PlatformName: "Amazon Linux", PlatformVersion: "2023", AgentVersion: latest, Python: "/usr/bin/python3", Pip: "/usr/bin/pip3", Requests: "2.28.2"},
		lost,
		{ID: idCentOS, PlatformType: "Linux", PlatformName: "CentOS", PlatformVersion: "6.3", AgentVersion: "2.0.847.0", Python: "/usr/bin/python", Requests: "0.8.2"},
		fails, offline, undeliverable, noPip,
	}}
}

// want is the state a node must end in and a fragment of its reason.
type want struct {
	state  string
	reason string
}

// mixedWant is where every targeted node of mixedFleet must end, under
// either strategy.
var mixedWant = map[string]want{
	idOld1:          {"verified", "agent " + latest + " read back"},
	idOld2:          {"verified", "agent " + latest + " read back"},
	idOld3:          {"verified", "agent " + latest + " read back"},
	idWindows:       {"verified", "agent " + latest + " read back"},
	idSlow:          {"verified", "agent " + latest + " read back"},
	idProxied:       {"verified", "read back: every patch-run check passes"},
	idProxiedOld:    {"verified", "read back: every patch-run check passes"},
	idUpdateFails:   {"failed", "agent update failed (Failed)"},
	idOffline:       {"failed", "went offline: ConnectionLost for"},
	idUndeliverable: {"failed", "agent update not delivered (DeliveryTimedOut)"},
	idNoPip:         {"failed", "fix step requests failed: pip is missing for /usr/bin/python2.7 and yum could not install"},
}

// uniformFleet is n Amazon Linux 2 nodes whose agents are below the floor.
func uniformFleet(n int) ssmsim.Fleet {
	f := ssmsim.Fleet{Nodes: make([]ssmsim.Node, n)}
	for i := range f.Nodes {
		f.Nodes[i] = al2(fmt.Sprintf("i-%017x", 0x100+i), belowFloor)
	}
	return f
}
