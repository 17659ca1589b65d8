package ssmsim

import (
	"sort"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() { register("DescribeInstanceInformation", describeInstanceInformation) }

// scanLimit bounds how many nodes one filtered page examines. With filters
// that match few nodes, AWS too returns short or empty pages that carry a
// NextToken; bounding the scan keeps each call O(page) at any fleet size.
const scanLimit = 2000

type describeInstanceInformationInput struct {
	InstanceInformationFilterList []legacyFilter `json:"InstanceInformationFilterList"`
	Filters                       []stringFilter `json:"Filters"`
	MaxResults                    *int           `json:"MaxResults"`
	NextToken                     string         `json:"NextToken"`
}

type instanceInformation struct {
	InstanceID        string  `json:"InstanceId"`
	PingStatus        string  `json:"PingStatus"`
	LastPingDateTime  float64 `json:"LastPingDateTime"`
	AgentVersion      string  `json:"AgentVersion,omitempty"`
	IsLatestVersion   bool    `json:"IsLatestVersion"`
	PlatformType      string  `json:"PlatformType,omitempty"`
	PlatformName      string  `json:"PlatformName,omitempty"`
	PlatformVersion   string  `json:"PlatformVersion,omitempty"`
	ResourceType      string  `json:"ResourceType"`
	ComputerName      string  `json:"ComputerName,omitempty"`
	IPAddress         string  `json:"IPAddress,omitempty"`
	IamRole           string  `json:"IamRole,omitempty"`
	RegistrationDate  float64 `json:"RegistrationDate"`
	AssociationStatus string  `json:"AssociationStatus,omitempty"`
	SourceID          string  `json:"SourceId"`
	SourceType        string  `json:"SourceType"`
}

func describeInstanceInformation(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in describeInstanceInformationInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.IntRange("maxResults", in.MaxResults, 5, 50)
	if err := v.Err(); err != nil {
		return nil, err
	}
	nf, err := parseNodeFilters(in.Filters, in.InstanceInformationFilterList)
	if err != nil {
		return nil, err
	}
	const op = "DescribeInstanceInformation"
	query := fingerprint([]any{in.Filters, in.InstanceInformationFilterList})
	last := ""
	if in.NextToken != "" {
		t, err := s.decodeToken(in.NextToken, op, r.scope(), query)
		if err != nil {
			return nil, err
		}
		last = t.Last
	}
	now := s.clock.Now()
	limit := maxResults(in.MaxResults, 10)

	// Candidates: the listed IDs when filtering by ID, else the fleet in ID
	// order; either way a binary search finds where the last page ended.
	var ids []string
	var nodes []*Node
	if nf.ids != nil {
		ids = nf.ids[sort.SearchStrings(nf.ids, last+"\x00"):]
	} else {
		i := sort.Search(len(r.nodes), func(i int) bool { return r.nodes[i].ID > last })
		nodes = r.nodes[i:]
	}
	remaining := max(len(ids), len(nodes))
	if remaining > 0 && s.chance(s.opts.Faults.EmptyPageRate) {
		tok := s.encodeToken(pageToken{Op: op, Region: r.scope(), Last: last, Query: query})
		return map[string]any{"InstanceInformationList": []instanceInformation{}, "NextToken": tok}, nil
	}

	out := make([]instanceInformation, 0, limit)
	examined := 0
	lastSeen := last
	for examined < remaining && len(out) < limit && examined < scanLimit {
		var n *Node
		if ids != nil {
			lastSeen = ids[examined]
			n = r.byID[lastSeen]
		} else {
			n = nodes[examined]
			lastSeen = n.ID
		}
		examined++
		if n == nil || n.Terminated {
			continue // terminated nodes are not listed, as on AWS
		}
		ping := r.pingStatus(n, now)
		if nf.match(r, n, ping) {
			out = append(out, r.instanceInfo(n, ping, now))
		}
	}
	res := map[string]any{"InstanceInformationList": out}
	if examined < remaining {
		res["NextToken"] = s.encodeToken(pageToken{Op: op, Region: r.scope(), Last: lastSeen, Query: query})
	}
	return res, nil
}

// instanceInfo renders one node as InstanceInformation.
func (r *region) instanceInfo(n *Node, ping string, now time.Time) instanceInformation {
	h := hashOf(n.ID)
	lastPing, ok := r.lastPing[n.ID]
	switch {
	case ping == "Online":
		// Agents report in every few minutes; spread nodes over that.
		lastPing = now.Add(-time.Duration(h%300) * time.Second)
	case !ok:
		lastPing = r.created.Add(-time.Duration(24+h%480) * time.Hour)
	}
	reg := n.RegistrationDate
	if reg.IsZero() {
		reg = r.created.Add(-time.Duration(30+h%900) * 24 * time.Hour)
	}
	agent := r.agentVersion(n)
	return instanceInformation{
		InstanceID: n.ID, PingStatus: ping, LastPingDateTime: epoch(lastPing), AgentVersion: agent,
		IsLatestVersion: agent != "" && compareVersions(agent, r.server.opts.Behaviour.LatestAgentVersion) >= 0,
		PlatformType:    n.PlatformType, PlatformName: n.PlatformName, PlatformVersion: n.PlatformVersion,
		ResourceType: n.ResourceType, ComputerName: n.ComputerName, IPAddress: n.IPAddress, IamRole: n.IAMRole,
		RegistrationDate: epoch(reg), AssociationStatus: r.associationStatusOf(n.ID),
		SourceID: n.ID, SourceType: sourceType(n),
	}
}
