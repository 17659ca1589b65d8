package ssmsim

import "maps"

// Region is the exported view of one region's state, handed out by
// Server.WithRegion for tests, the demo and the admin endpoint. It is valid
// only inside the WithRegion callback.
type Region struct {
	r *region
}

// Name returns the region's name.
func (x *Region) Name() string { return x.r.name }

// Len returns the number of nodes, terminated ones included.
func (x *Region) Len() int { return len(x.r.nodes) }

// Node returns a copy of one node and whether it exists.
func (x *Region) Node(id string) (Node, bool) {
	n, ok := x.r.byID[id]
	if !ok {
		return Node{}, false
	}
	return *n, true
}

// Nodes returns a copy of every node, sorted by ID.
func (x *Region) Nodes() []Node {
	out := make([]Node, len(x.r.nodes))
	for i, n := range x.r.nodes {
		out[i] = *n
	}
	return out
}

// UpdateNode changes one node in place and reports whether it exists.
func (x *Region) UpdateNode(id string, fn func(n *Node)) bool {
	n, ok := x.r.byID[id]
	if !ok {
		return false
	}
	// Generated fleets share tag maps between nodes; give this node its
	// own before fn can change it in place.
	n.Tags = maps.Clone(n.Tags)
	agent := n.AgentVersion
	fn(n)
	*n = normaliseNode(*n)
	if n.AgentVersion != agent {
		// A version set from outside is what the node reports from now on.
		delete(x.r.reportedAgent, id)
	}
	return true
}

// AddNodes adds nodes (or replaces nodes with the same ID).
func (x *Region) AddNodes(nodes ...Node) {
	for _, n := range nodes {
		x.r.addNode(n)
	}
	x.r.sortNodes()
}

// Terminate marks a node terminated: it vanishes from listings and cannot
// be reached, as a terminated EC2 instance does.
func (x *Region) Terminate(id string) bool {
	return x.UpdateNode(id, func(n *Node) { n.Terminated = true })
}

// Reported returns the agent version and ping status that
// DescribeInstanceInformation reports for a node now, and whether the node
// exists. Node gives the installed version, which an updated agent has
// before it restarts and pings again; Reported gives what a caller of the
// API can see, so a benchmark can time how long after a new version became
// visible it was verified. Like every Region method it is valid only inside
// Server.WithRegion, which brings the region up to the current time first.
func (x *Region) Reported(id string) (agentVersion, pingStatus string, ok bool) {
	n, ok := x.r.byID[id]
	if !ok {
		return "", "", false
	}
	return x.r.agentVersion(n), x.r.pingStatus(n, x.r.server.clock.Now()), true
}
