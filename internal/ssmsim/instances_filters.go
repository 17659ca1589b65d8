package ssmsim

import (
	"sort"
	"strings"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// stringFilter is the API's InstanceInformationStringFilter.
type stringFilter struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

// legacyFilter is the API's InstanceInformationFilter (lower-case members).
type legacyFilter struct {
	Key      string   `json:"key"`
	ValueSet []string `json:"valueSet"`
}

// legacyKeys maps the legacy filter keys onto the Filters keys.
var legacyKeys = map[string]string{
	"InstanceIds": "InstanceIds", "AgentVersion": "AgentVersion", "PingStatus": "PingStatus",
	"PlatformTypes": "PlatformType", "ActivationIds": "ActivationIds", "IamRole": "IamRole",
	"ResourceType": "ResourceType", "AssociationStatus": "AssociationStatus",
}

var filterKeys = []string{"InstanceIds", "PingStatus", "PlatformType", "ResourceType", "AgentVersion",
	"AssociationStatus", "IamRole", "ActivationIds", "SourceIds", "SourceTypes"}

// enumValues lists the values AWS accepts for the filters over enums;
// anything else is InvalidInstanceInformationFilterValue.
var enumValues = map[string][]string{
	"PingStatus":   {"Online", "ConnectionLost", "Inactive"},
	"PlatformType": {"Windows", "Linux", "MacOS"},
	"ResourceType": {"EC2Instance", "ManagedInstance"},
	"SourceTypes":  {"AWS::EC2::Instance", "AWS::IoT::Thing", "AWS::SSM::ManagedInstance"},
}

// nodeFilter is a parsed filter list: every clause must match.
type nodeFilter struct {
	clauses []stringFilter
	// ids is the sorted, de-duplicated InstanceIds (or SourceIds) filter,
	// when there is one: listing then walks these IDs, not the fleet.
	ids []string
}

func badFilterValue(format string, args ...any) *wire.Error {
	return wire.Errorf("InvalidInstanceInformationFilterValue", format, args...)
}

// parseNodeFilters validates and combines Filters and the legacy list.
func parseNodeFilters(filters []stringFilter, legacy []legacyFilter) (*nodeFilter, *wire.Error) {
	v := &wire.Validator{}
	for i, f := range filters {
		at := "filters." + itoa(i+1) + ".member"
		v.Length(at+".key", f.Key, 1, 0)
		v.Count(at+".values", len(f.Values), 1, 100)
	}
	for i, f := range legacy {
		at := "instanceInformationFilterList." + itoa(i+1) + ".member"
		v.Enum(at+".key", f.Key, "InstanceIds", "AgentVersion", "PingStatus", "PlatformTypes", "ActivationIds", "IamRole", "ResourceType", "AssociationStatus")
		v.Count(at+".valueSet", len(f.ValueSet), 1, 100)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(filters) > 0 && len(legacy) > 0 {
		return nil, badFilterValue("InstanceInformationFilterList and Filters cannot be used in the same request.")
	}
	clauses := filters
	for _, f := range legacy {
		clauses = append(clauses, stringFilter{Key: legacyKeys[f.Key], Values: f.ValueSet})
	}
	nf := &nodeFilter{clauses: clauses}
	hasTag, hasOther := false, false
	for _, c := range clauses {
		switch {
		case c.Key == "tag-key" || (strings.HasPrefix(c.Key, "tag:") && len(c.Key) > 4):
			hasTag = true
			continue
		case !contains(filterKeys, c.Key):
			return nil, wire.Errorf("InvalidFilterKey", "The filter key %s is not valid.", wire.Clip(c.Key))
		}
		hasOther = true
		for _, val := range c.Values {
			if allowed, ok := enumValues[c.Key]; ok && !contains(allowed, val) {
				return nil, badFilterValue("The filter value %s is not valid for key %s.", wire.Clip(val), c.Key)
			}
			if (c.Key == "InstanceIds" || c.Key == "SourceIds") && !reInstanceID.MatchString(val) {
				return nil, wire.Errorf("InvalidInstanceId", "Instance ID %s is not valid.", wire.Clip(val))
			}
		}
		if c.Key == "InstanceIds" || c.Key == "SourceIds" {
			nf.ids = intersectIDs(nf.ids, c.Values, nf.ids != nil)
		}
	}
	if hasTag && hasOther {
		// AWS documents that tag filters cannot be combined with other
		// keys; the simulator refuses the mix outright, the stricter reading.
		return nil, badFilterValue("Tag filters (tag-key, tag:<key>) cannot be combined with other filter keys.")
	}
	return nf, nil
}

// intersectIDs returns the sorted unique IDs of vals, intersected with have
// when intersect is set (two ID filters must both match).
func intersectIDs(have, vals []string, intersect bool) []string {
	set := map[string]bool{}
	for _, v := range vals {
		set[v] = true
	}
	out := []string{}
	if intersect {
		for _, id := range have {
			if set[id] {
				out = append(out, id)
			}
		}
		return out
	}
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// match reports whether node n (with its current ping and association
// status) satisfies every clause.
func (f *nodeFilter) match(r *region, n *Node, ping string) bool {
	for _, c := range f.clauses {
		var ok bool
		switch c.Key {
		case "InstanceIds", "SourceIds":
			ok = contains(c.Values, n.ID)
		case "PingStatus":
			ok = contains(c.Values, ping)
		case "PlatformType":
			ok = contains(c.Values, n.PlatformType)
		case "ResourceType":
			ok = contains(c.Values, n.ResourceType)
		case "SourceTypes":
			ok = contains(c.Values, sourceType(n))
		case "AgentVersion":
			ok = contains(c.Values, r.agentVersion(n))
		case "AssociationStatus":
			ok = contains(c.Values, r.associationStatusOf(n.ID))
		case "IamRole":
			ok = contains(c.Values, n.IAMRole)
		case "ActivationIds":
			ok = false // activations are not modelled
		case "tag-key":
			for _, k := range c.Values {
				if _, has := n.Tags[k]; has {
					ok = true
				}
			}
		default: // tag:<key>
			val, has := n.Tags[c.Key[4:]]
			ok = has && contains(c.Values, val)
		}
		if !ok {
			return false
		}
	}
	return true
}

func sourceType(n *Node) string {
	if n.ResourceType == "ManagedInstance" {
		return "AWS::SSM::ManagedInstance"
	}
	return "AWS::EC2::Instance"
}
