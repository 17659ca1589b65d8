package plan

import "github.com/patchready/patchready/internal/prereq"

// interner keeps one copy of each distinct string it is given. Most nodes
// of a fleet repeat a handful of values (ping status, platform, agent
// version, the text of every check), and a plan built or decoded node by
// node would otherwise hold one copy per node: at 100,000 nodes, tens of
// MiB of identical text.
type interner map[string]string

func (in interner) str(s *string) {
	if v, ok := in[*s]; ok {
		*s = v
		return
	}
	in[*s] = *s
}

// node shares the repeated strings of np, except those in its checks (see
// checks). Instance IDs and computer names are unique per node and are
// left alone.
func (in interner) node(np *NodePlan) {
	n := &np.Node
	for _, s := range []*string{&n.ResourceType, &n.PingStatus, &n.AgentVersion, &n.PlatformType, &n.PlatformName, &n.PlatformVersion} {
		in.str(s)
	}
	if p := n.Probe; p != nil {
		in.str((*string)(&p.Status))
		for _, s := range []*string{&p.Reason, &p.ProxySource, &p.ProxyScheme, &p.PackageManagers, &p.PackageManager,
			&p.Python, &p.PythonPath, &p.PythonVersion, &p.PythonError, &p.PackageModule, &p.RequestsVersion, &p.Pip,
			&p.Downloader, &p.Payload, &p.PayloadCode, &p.PendingProxySource, &p.PendingProxyScheme,
			&p.PayloadAfterRestart, &p.PayloadAfterRestartCode} {
			in.str(s)
		}
	}
	for i := range np.Reasons {
		in.str(&np.Reasons[i])
	}
	for i := range np.Actions {
		in.str((*string)(&np.Actions[i]))
	}
	for i := range np.BlockedBy {
		in.str((*string)(&np.BlockedBy[i]))
	}
	for i := range np.Notes {
		in.str(&np.Notes[i])
	}
	if s := np.Scan; s != nil {
		for _, p := range []*string{&s.Reason, &s.Cause, &s.Advice, (*string)(&s.Check)} {
			in.str(p)
		}
	}
}

// checks shares the strings of decoded check results. Build does not need
// it: prereq.Evaluate already shares results between nodes, and the slices
// belong to the caller's evaluations.
func (in interner) checks(cs []prereq.CheckResult) {
	for i := range cs {
		c := &cs[i]
		in.str((*string)(&c.Check))
		in.str((*string)(&c.Status))
		in.str(&c.Reason)
	}
}
