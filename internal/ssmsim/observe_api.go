package ssmsim

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
