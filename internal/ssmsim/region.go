package ssmsim

import (
	"container/heap"
	"sort"
	"strings"
	"time"
)

// region is the whole state of one simulated region. Every method runs with
// Server.mu held.
type region struct {
	name    string
	server  *Server
	account *account
	// created is when the region came up: the anchor for the made-up
	// registration and last-ping dates of nodes that do not state them.
	created time.Time

	// nodes is sorted by ID so that listing a page costs O(page) with a
	// binary search from the token's position, at 100,000 nodes too.
	nodes []*Node
	byID  map[string]*Node
	// offlineUntil holds the end of a node's restart window (ConnectionLost
	// while its agent restarts).
	offlineUntil map[string]time.Time
	lastPing     map[string]time.Time
	// reportedAgent holds, for a node whose agent was updated but has not
	// pinged since, the version SSM last heard from it: the agent reports
	// its version when it pings, so the new one shows only once the node
	// is Online again after its restart window (and never, on a node that
	// stays offline).
	reportedAgent map[string]string

	events eventQueue
	seq    uint64

	commands     *commandStore
	documents    *documentStore
	associations *associationStore
	windows      *windowStore
	// tags holds tags of resources other than nodes (documents,
	// associations, maintenance windows), by resource type and ID.
	tags map[string]map[string]string

	// ec2 holds the EC2 instances SSM does not manage (yet); settings the
	// SSM service settings changed from their defaults; topics the SNS
	// topic names.
	ec2      *ec2State
	settings map[string]serviceSetting
	topics   map[string]bool

	// patchStates holds each node's last patch state, made by a
	// successful AWS-RunPatchBaseline run (nil until the first).
	patchStates map[string]*patchState
}

func newRegion(name string, a *account, e Estate, s *Server) *region {
	f := e.Fleet
	if e.Generate > 0 {
		f = Fleet{Nodes: append(append([]Node(nil), f.Nodes...), Generate(e.Generate, e.GenerateSeed).Nodes...)}
	}
	r := &region{
		name:          name,
		server:        s,
		account:       a,
		created:       s.clock.Now(),
		byID:          make(map[string]*Node, len(f.Nodes)),
		offlineUntil:  map[string]time.Time{},
		lastPing:      map[string]time.Time{},
		reportedAgent: map[string]string{},
		tags:          map[string]map[string]string{},
	}
	// One slab for the whole fleet: at 100,000 nodes, one allocation per
	// node costs both memory and GC time.
	slab := make([]Node, len(f.Nodes))
	r.nodes = make([]*Node, 0, len(f.Nodes))
	for i := range f.Nodes {
		slab[i] = normaliseNode(f.Nodes[i])
		if old, dup := r.byID[slab[i].ID]; dup {
			*old = slab[i] // a later entry replaces an earlier one
			continue
		}
		r.nodes = append(r.nodes, &slab[i])
		r.byID[slab[i].ID] = &slab[i]
	}
	r.sortNodes()
	r.commands = newCommandStore()
	r.documents = newDocumentStore()
	r.associations = newAssociationStore()
	r.windows = newWindowStore()
	r.setUpEstate(e)
	return r
}

// scope names the account and region for page tokens, so that a token is
// refused in another account or region.
func (r *region) scope() string { return r.account.id + "/" + r.name }

func (r *region) addNode(n Node) {
	n = normaliseNode(n)
	p := &n
	if old, ok := r.byID[n.ID]; ok {
		*old = n
		return
	}
	r.nodes = append(r.nodes, p)
	r.byID[n.ID] = p
}

func (r *region) sortNodes() {
	sort.Slice(r.nodes, func(i, j int) bool { return r.nodes[i].ID < r.nodes[j].ID })
}

// normaliseNode fills what a fleet file may leave out.
func normaliseNode(n Node) Node {
	if n.PingStatus == "" {
		n.PingStatus = "Online"
	}
	if n.ResourceType == "" {
		if strings.HasPrefix(n.ID, "mi-") {
			n.ResourceType = "ManagedInstance"
		} else {
			n.ResourceType = "EC2Instance"
		}
	}
	if n.PlatformType == "" {
		n.PlatformType = "Linux"
	}
	return n
}

// pingStatus is what SSM reports for a node now: a node inside its restart
// window shows ConnectionLost.
func (r *region) pingStatus(n *Node, now time.Time) string {
	if until, ok := r.offlineUntil[n.ID]; ok && now.Before(until) {
		return "ConnectionLost"
	}
	return n.PingStatus
}

// agentVersion is the agent version SSM reports for a node: the one its
// agent last reported when it pinged, which lags the installed version
// while an updated agent restarts.
func (r *region) agentVersion(n *Node) string {
	if v, ok := r.reportedAgent[n.ID]; ok {
		return v
	}
	return n.AgentVersion
}

// nextID returns a counter unique within the region, for IDs and tokens.
func (r *region) nextID() uint64 {
	r.seq++
	return r.seq
}

// schedule runs fn at simulated time at (or at the first request after it).
// Events run in time order, each with its own time, so causality holds
// however long the simulator sat idle between requests.
func (r *region) schedule(at time.Time, fn func(now time.Time)) {
	heap.Push(&r.events, &event{at: at, seq: r.nextID(), fn: fn})
}

// advance runs every event due by now.
func (r *region) advance(now time.Time) {
	for r.events.Len() > 0 && !r.events[0].at.After(now) {
		e := heap.Pop(&r.events).(*event)
		e.fn(e.at)
	}
}

type event struct {
	at  time.Time
	seq uint64 // ties broken by scheduling order
	fn  func(now time.Time)
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].seq < q[j].seq
	}
	return q[i].at.Before(q[j].at)
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}
