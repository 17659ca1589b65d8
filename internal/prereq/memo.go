package prereq

import "github.com/patchready/patchready/internal/fleet"

// memo remembers each check's result per distinct value of the facts the
// check reads, for one set of prerequisites. The keys must hold every fact
// the check function looks at; a fact left out would hand one node another
// node's result.
type memo struct {
	p        Prereqs
	onlineBy map[string]CheckResult // checkOnline reads PingStatus
	osBy     map[osFacts]CheckResult
	agentBy  map[string]CheckResult // checkAgent reads AgentVersion
	reqBy    map[requestsFacts]CheckResult
}

// osFacts are what checkOS and platformLabel read.
type osFacts struct{ platformType, name, version string }

// requestsFacts are what checkRequests reads: whether the node runs Amazon
// Linux, and its probe's findings.
type requestsFacts struct {
	amazonLinux, probed, proxied bool
	status                       fleet.ProbeStatus
	reason, requestsVersion      string
}

func newMemo(p Prereqs) *memo {
	return &memo{
		p: p, onlineBy: map[string]CheckResult{}, osBy: map[osFacts]CheckResult{},
		agentBy: map[string]CheckResult{}, reqBy: map[requestsFacts]CheckResult{},
	}
}

func (m *memo) online(n fleet.Node) CheckResult {
	return remember(m.onlineBy, n.PingStatus, func() CheckResult { return checkOnline(n) })
}

func (m *memo) os(n fleet.Node) CheckResult {
	k := osFacts{n.PlatformType, n.PlatformName, n.PlatformVersion}
	return remember(m.osBy, k, func() CheckResult { return checkOS(n, m.p) })
}

func (m *memo) agent(n fleet.Node) CheckResult {
	return remember(m.agentBy, n.AgentVersion, func() CheckResult { return checkAgent(n, m.p) })
}

func (m *memo) requests(n fleet.Node) CheckResult {
	k := requestsFacts{amazonLinux: n.IsAmazonLinux()}
	if pr := n.Probe; pr != nil {
		k.probed, k.proxied, k.status, k.reason, k.requestsVersion = true, pr.Proxied, pr.Status, pr.Reason, pr.RequestsVersion
	}
	return remember(m.reqBy, k, func() CheckResult { return checkRequests(n, m.p) })
}

func remember[K comparable](by map[K]CheckResult, k K, check func() CheckResult) CheckResult {
	if r, ok := by[k]; ok {
		return r
	}
	r := check()
	by[k] = r
	return r
}
