package htmlpage

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/report"
)

// The node table travels as compact JSON that the page's script reads:
// every repeated string (platforms, versions, reasons, notes) is stored
// once in S and referred to by index, and so is every repeated
// combination (a node's checks, its reasons and notes, its run outcome),
// because a fleet's nodes share a few dozen of each. A row is then
//
//	[instance ID, computer name, platform S, agent AG, verdict V,
//	 checks CT, plan PT, probe S, outcome OT]
//
// about 60 bytes, so 100,000 nodes take about 6 MB. -1 means none.
type nodeData struct {
	Verdicts []named    `json:"v"`
	Statuses []named    `json:"st"`
	States   []named    `json:"os"`
	Checks   []string   `json:"checks"`
	Floor    string     `json:"floor"`
	S        []string   `json:"s"`
	AG       [][3]int   `json:"ag"` // [S, position, sort rank]
	CT       [][]int    `json:"ct"` // flat [check, status, reason S]…
	PT       [][5][]int `json:"pt"` // [reasons S…], [notes S…], [actions S…], [blocked-by check…], [plan --scan's result S]
	OT       [][3]int   `json:"ot"` // [state, reason S, run]
	Runs     []string   `json:"runs"`
}

// named is a series name with its look, for the script.
type named struct {
	Name string `json:"name"`
	look
}

// Agent positions as the script knows them.
var positionCode = map[report.Position]int{report.Unreadable: 0, report.BelowFloor: 1, report.AtOrAboveFloor: 2}

// table interns strings and tuples while the rows are encoded.
type table struct {
	d      nodeData
	s      map[string]int
	tuples map[string]int
	checks map[string]int
	status map[string]int
	states map[string]int
	agents map[string]int
	runs   map[string]int
}

func (t *table) str(s string) int {
	if i, ok := t.s[s]; ok {
		return i
	}
	i := len(t.d.S)
	t.d.S = append(t.d.S, s)
	t.s[s] = i
	return i
}

// tuple returns the index of a combination in its list, adding it when new;
// key must identify the combination within its kind.
func (t *table) tuple(kind, key string, add func() int) int {
	k := kind + "\x00" + key
	if i, ok := t.tuples[k]; ok {
		return i
	}
	i := add()
	t.tuples[k] = i
	return i
}

func index(m map[string]int, list *[]named, name string) int {
	if i, ok := m[name]; ok {
		return i
	}
	i := len(*list)
	*list = append(*list, named{Name: name, look: lookFor(name, i)})
	m[name] = i
	return i
}

// writeNodeData writes the node table of pg as JSON.
func writeNodeData(w io.Writer, pg report.Page) error {
	t := &table{
		d:      nodeData{Floor: report.AgentFloor(pg.Plan), Checks: []string{}, S: []string{}, AG: [][3]int{}, CT: [][]int{}, PT: [][5][]int{}, OT: [][3]int{}, Runs: []string{}},
		s:      map[string]int{},
		tuples: map[string]int{},
		checks: map[string]int{},
		status: map[string]int{},
		states: map[string]int{},
		agents: map[string]int{},
		runs:   map[string]int{},
	}
	verdicts := map[string]int{}
	for _, v := range pg.Verdicts {
		index(verdicts, &t.d.Verdicts, v.Name)
	}
	var rows bytes.Buffer
	rows.Grow(len(pg.Plan.Nodes) * 64)
	for i, np := range pg.Plan.Nodes {
		if i > 0 {
			rows.WriteByte(',')
		}
		rows.WriteByte('[')
		rows.Write(jsonString(np.Node.InstanceID))
		rows.WriteByte(',')
		rows.Write(jsonString(np.Node.ComputerName))
		for _, n := range []int{
			t.str(report.PlatformLabel(np)),
			t.agent(np.Node.AgentVersion),
			index(verdicts, &t.d.Verdicts, np.Verdict.String()),
			t.checkTuple(np),
			t.planTuple(np),
			t.facts(np.Node),
			t.outcome(pg.Outcomes, np.Node.InstanceID),
		} {
			rows.WriteByte(',')
			rows.WriteString(strconv.Itoa(n))
		}
		rows.WriteByte(']')
	}
	t.rankAgents()
	head, err := json.Marshal(t.d)
	if err != nil {
		return fmt.Errorf("encode node table: %w", err)
	}
	// head is an object; the rows go in as its last member.
	if _, err := w.Write(head[:len(head)-1]); err != nil {
		return err
	}
	if _, err := io.WriteString(w, `,"rows":[`); err != nil {
		return err
	}
	if _, err := w.Write(rows.Bytes()); err != nil {
		return err
	}
	_, err = io.WriteString(w, `]}`)
	return err
}

// jsonString encodes s as a JSON string; encoding/json escapes <, > and &,
// so no node's text can close the script element the data sits in.
func jsonString(s string) []byte {
	b, _ := json.Marshal(s) // a string always encodes
	return b
}

func (t *table) agent(v string) int {
	if i, ok := t.agents[v]; ok {
		return i
	}
	i := len(t.d.AG)
	t.d.AG = append(t.d.AG, [3]int{t.str(v), positionCode[report.AgentPosition(v, t.d.Floor)], 0})
	t.agents[v] = i
	return i
}

// rankAgents gives each agent version its place in version order, so the
// script sorts by version without parsing one.
func (t *table) rankAgents() {
	order := make([]int, len(t.d.AG))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		va, oka := report.ParseAgentVersion(t.d.S[t.d.AG[a][0]])
		vb, okb := report.ParseAgentVersion(t.d.S[t.d.AG[b][0]])
		switch {
		case oka && okb:
			return va.Compare(vb)
		case oka != okb:
			if oka {
				return 1
			}
			return -1
		}
		return cmp.Compare(t.d.S[t.d.AG[a][0]], t.d.S[t.d.AG[b][0]])
	})
	for rank, i := range order {
		t.d.AG[i][2] = rank
	}
}

func (t *table) checkTuple(np plan.NodePlan) int {
	flat := make([]int, 0, 3*len(np.Checks))
	for _, c := range np.Checks {
		ci, ok := t.checks[string(c.Check)]
		if !ok {
			ci = len(t.d.Checks)
			t.d.Checks = append(t.d.Checks, string(c.Check))
			t.checks[string(c.Check)] = ci
		}
		flat = append(flat, ci, index(t.status, &t.d.Statuses, string(c.Status)), t.str(c.Reason))
	}
	return t.tuple("ct", intsKey(flat), func() int {
		t.d.CT = append(t.d.CT, flat)
		return len(t.d.CT) - 1
	})
}

func (t *table) planTuple(np plan.NodePlan) int {
	var pt [5][]int
	for _, r := range np.Reasons {
		pt[0] = append(pt[0], t.str(r))
	}
	for _, n := range np.Notes {
		pt[1] = append(pt[1], t.str(n))
	}
	for _, a := range np.Actions {
		pt[2] = append(pt[2], t.str(a.String()))
	}
	if u := np.Unmanaged; u != nil {
		// An unmanaged instance's actions are the fixes that act on it,
		// or, not asked for, those that could.
		for _, k := range u.Fixes {
			pt[2] = append(pt[2], t.str("fix: "+string(k)))
		}
		if len(u.Fixes) == 0 {
			for _, k := range u.Could {
				pt[2] = append(pt[2], t.str("could fix: --"+string(k)+" (not asked for)"))
			}
		}
	}
	for _, b := range np.BlockedBy {
		ci, ok := t.checks[string(b)]
		if !ok {
			ci = len(t.d.Checks)
			t.d.Checks = append(t.d.Checks, string(b))
			t.checks[string(b)] = ci
		}
		pt[3] = append(pt[3], ci)
	}
	if s := scanText(np); s != "" {
		pt[4] = append(pt[4], t.str(s))
	}
	for i := range pt {
		if pt[i] == nil {
			pt[i] = []int{}
		}
	}
	key := intsKey(pt[0]) + "|" + intsKey(pt[1]) + "|" + intsKey(pt[2]) + "|" + intsKey(pt[3]) + "|" + intsKey(pt[4])
	return t.tuple("pt", key, func() int {
		t.d.PT = append(t.d.PT, pt)
		return len(t.d.PT) - 1
	})
}

// facts describes what was observed of a node besides SSM's own record:
// the probe's report, or what EC2 and IAM show of an instance SSM does
// not manage.
func (t *table) facts(n fleet.Node) int {
	if f := n.EC2; f != nil {
		parts := []string{"EC2 " + f.State}
		switch {
		case f.Profile == "":
			parts = append(parts, "no instance profile")
		case f.RoleProblem != "":
			parts = append(parts, "instance profile "+f.Profile+" (role "+orNone(f.Role)+": "+f.RoleProblem+")")
		default:
			parts = append(parts, "instance profile "+f.Profile+" (role "+f.Role+")")
		}
		parts = append(parts, "metadata service "+f.MetadataEndpoint)
		hm := "Default Host Management " + f.HostManagement
		if f.HostManagementProblem != "" {
			hm += " (role " + f.HostManagementRole + ": " + f.HostManagementProblem + ")"
		}
		return t.str(strings.Join(append(parts, hm), " · "))
	}
	return t.probe(n.Probe)
}

// scanText says how Patch Manager's scan went on a node when the plan was
// made with --scan: what patching would face, or why the scan failed.
func scanText(np plan.NodePlan) string {
	s := np.Scan
	switch {
	case s == nil:
		return ""
	case s.Passed && s.PatchState != nil:
		return "passed: " + s.PatchState.Summary()
	case s.Passed:
		return "passed"
	}
	return "failed: " + s.Reason
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// probe describes what the read-only probe found, in words. It never
// holds a proxy URL: plans carry only the scheme.
func (t *table) probe(p *fleet.ProbeFacts) int {
	if p == nil {
		return -1
	}
	var parts []string
	switch p.Status {
	case fleet.ProbeOK:
		if p.Proxied {
			how := "proxy: " + p.ProxyScheme
			if p.ProxySource != "" {
				how += " (set in " + p.ProxySource + ")"
			}
			parts = append(parts, how)
			if p.NoProxyHasIMDS {
				parts = append(parts, "no_proxy includes 169.254.169.254")
			} else {
				parts = append(parts, "no_proxy lacks 169.254.169.254")
			}
		} else {
			parts = append(parts, "no proxy")
		}
		if p.Python != "" {
			parts = append(parts, "Python "+p.Python)
		} else {
			parts = append(parts, "no Python")
		}
		if p.RequestsVersion != "" {
			parts = append(parts, "requests "+p.RequestsVersion)
		} else {
			parts = append(parts, "requests not installed")
		}
		if p.Pip == "" {
			parts = append(parts, "no pip")
		}
	default:
		s := "probe " + string(p.Status)
		if p.Reason != "" {
			s += ": " + p.Reason
		}
		parts = append(parts, s)
	}
	return t.str(strings.Join(parts, " · "))
}

func (t *table) outcome(outcomes map[string]report.Outcome, id string) int {
	o, ok := outcomes[id]
	if !ok {
		return -1
	}
	run, ok := t.runs[o.RunID]
	if !ok {
		run = len(t.d.Runs)
		t.d.Runs = append(t.d.Runs, o.RunID)
		t.runs[o.RunID] = run
	}
	ot := [3]int{index(t.states, &t.d.States, o.State), t.str(o.Reason), run}
	return t.tuple("ot", intsKey(ot[:]), func() int {
		t.d.OT = append(t.d.OT, ot)
		return len(t.d.OT) - 1
	})
}

func intsKey(xs []int) string {
	b := make([]byte, 0, 4*len(xs))
	for _, x := range xs {
		b = strconv.AppendInt(b, int64(x), 10)
		b = append(b, ',')
	}
	return string(b)
}
