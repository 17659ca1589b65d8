package prereq

import "fmt"

// registry lists every check, in the order they are made and reported.
// Adding a check is a new check_*.go file and one line here.
var registry = []Check{
	onlineCheck,
	osCheck,
	agentCheck,
	probeCheck,
	patchPythonCheck,
	requestsCheck,
	downloaderCheck,
	payloadCheck,
	proxyPendingCheck,
	workdirCheck,
	varSpaceCheck,
	agentLatestCheck,
	noProxyIMDSCheck,
	proxySchemeCheck,
}

func init() {
	seen := map[CheckID]bool{}
	for i := range registry {
		c := &registry[i]
		if seen[c.ID] {
			panic(fmt.Sprintf("prereq: check %s registered twice", c.ID))
		}
		seen[c.ID] = true
		for _, name := range c.Facts {
			j, ok := factIndex[name]
			if !ok {
				panic(fmt.Sprintf("prereq: check %s declares unknown fact %q", c.ID, name))
			}
			c.factIdx = append(c.factIdx, j)
		}
		if c.Ensures == "" {
			panic(fmt.Sprintf("prereq: check %s does not say what it ensures", c.ID))
		}
		if c.OnFail != Fix && c.NotFixed == "" {
			panic(fmt.Sprintf("prereq: check %s does not fix failures and does not say why", c.ID))
		}
		if c.OnFail == Fix && c.Fix == nil {
			panic(fmt.Sprintf("prereq: check %s fixes failures but declares no action", c.ID))
		}
	}
}

// Checks returns the registered checks in order. The slice is shared: do
// not modify it.
func Checks() []Check { return registry }

// Lookup returns the check with id.
func Lookup(id CheckID) (*Check, bool) {
	for i := range registry {
		if registry[i].ID == id {
			return &registry[i], true
		}
	}
	return nil, false
}
