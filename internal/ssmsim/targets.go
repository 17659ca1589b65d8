package ssmsim

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// This file holds what associations and maintenance windows share: the
// Target and Tag shapes, their validation, target resolution, rate-control
// arithmetic and pagination.

// targetSpec is the API's Target: a key and up to 50 values.
type targetSpec struct {
	Key    string   `json:"Key,omitempty"`
	Values []string `json:"Values,omitempty"`
}

// tagSpec is the API's Tag.
type tagSpec struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

var (
	reTargetKey = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name`)
	reTagValue  = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
)

// checkTargets validates Targets against the model: at most 5 entries, key
// 1-163 characters matching TargetKey, at most 50 values each.
func checkTargets(v *wire.Validator, member string, targets []targetSpec) {
	v.Count(member, len(targets), 0, 5)
	for i, t := range targets {
		m := member + "." + strconv.Itoa(i+1)
		v.Length(m+".member.key", t.Key, 1, 163)
		v.Pattern(m+".member.key", t.Key, reTargetKey)
		v.Count(m+".member.values", len(t.Values), 0, 50)
	}
}

// checkTags validates a TagList: at most 1000 tags, key 1-128 and value
// 0-256 characters matching the model's patterns.
func checkTags(v *wire.Validator, tags []tagSpec) {
	v.Count("tags", len(tags), 0, 1000)
	for i, t := range tags {
		m := "tags." + strconv.Itoa(i+1) + ".member"
		v.Length(m+".key", t.Key, 1, 128)
		v.Pattern(m+".key", t.Key, reTagKey)
		v.Length(m+".value", t.Value, 0, 256)
		v.Pattern(m+".value", t.Value, reTagValue)
	}
}

func tagMap(tags []tagSpec) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// simulatedTargetKey reports whether the simulator can resolve a target
// key. Resource groups are not modelled; refusing them with InvalidTarget
// is better than silently matching nothing.
func simulatedTargetKey(key string) bool {
	return key == "InstanceIds" || key == "tag-key" || (strings.HasPrefix(key, "tag:") && len(key) > 4)
}

// unsupportedTarget returns an InvalidTarget error for the first target the
// simulator cannot resolve, or nil.
func unsupportedTarget(targets []targetSpec) *wire.Error {
	for _, t := range targets {
		if !simulatedTargetKey(t.Key) {
			return wire.Errorf("InvalidTarget", "Target key %s is not supported by the simulator; use InstanceIds, tag:<key> or tag-key.", wire.Clip(t.Key))
		}
		if len(t.Values) == 0 {
			return wire.Errorf("InvalidTarget", "Target %s has no values.", wire.Clip(t.Key))
		}
	}
	return nil
}

// resolveTargets returns the IDs of the Online, non-terminated nodes that
// match every target entry (entries combine with AND, as Run Command's
// do), sorted by ID. InstanceIds=* matches every node.
func (r *region) resolveTargets(targets []targetSpec, now time.Time) []string {
	var ids []string
	for _, n := range r.nodes {
		if n.Terminated || r.pingStatus(n, now) != "Online" || !nodeMatches(n, targets) {
			continue
		}
		ids = append(ids, n.ID)
	}
	return ids
}

func nodeMatches(n *Node, targets []targetSpec) bool {
	if len(targets) == 0 {
		return false
	}
	for _, t := range targets {
		ok := false
		switch {
		case t.Key == "InstanceIds":
			ok = contains(t.Values, "*") || contains(t.Values, n.ID)
		case t.Key == "tag-key":
			for _, k := range t.Values {
				if _, has := n.Tags[k]; has {
					ok = true
				}
			}
		case strings.HasPrefix(t.Key, "tag:"):
			v, has := n.Tags[t.Key[4:]]
			ok = has && contains(t.Values, v)
		}
		if !ok {
			return false
		}
	}
	return true
}

// targetsKey is a canonical form of a target list (order of entries and
// values ignored), for AssociationAlreadyExists.
func targetsKey(targets []targetSpec) string {
	parts := make([]string, 0, len(targets))
	for _, t := range targets {
		vals := append([]string(nil), t.Values...)
		sort.Strings(vals)
		parts = append(parts, t.Key+"="+strings.Join(vals, ","))
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

// rateLimit turns MaxConcurrency or MaxErrors ("10", "25%") into a count
// for n targets. A percentage of concurrency rounds up and is at least 1,
// so a run always makes progress; a percentage of errors rounds down,
// the stricter reading. Empty means unlimited (-1).
func rateLimit(s string, n int, concurrency bool) int {
	if s == "" {
		return -1
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		pct, _ := strconv.Atoi(p)
		f := float64(n) * float64(pct) / 100
		if concurrency {
			return max(1, int(math.Ceil(f)))
		}
		return int(math.Floor(f))
	}
	v, _ := strconv.Atoi(s)
	return v
}

// pageOf cuts one page from items, which are in listing order with keys
// increasing. The token carries the last key returned. When the empty-page
// fault fires, the page is empty but the token still points onward, as
// AWS's sometimes do.
func pageOf[T any](s *Server, r *region, op, query, token string, limit int, items []T, key func(T) string) ([]T, string, *wire.Error) {
	start := 0
	last := ""
	if token != "" {
		t, err := s.decodeToken(token, op, r.scope(), query)
		if err != nil {
			return nil, "", err
		}
		last = t.Last
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > last })
	}
	if start < len(items) && s.chance(s.opts.Faults.EmptyPageRate) {
		return []T{}, s.encodeToken(pageToken{Op: op, Region: r.scope(), Last: last, Query: query}), nil
	}
	end := min(len(items), start+limit)
	page := items[start:end]
	next := ""
	if end < len(items) {
		next = s.encodeToken(pageToken{Op: op, Region: r.scope(), Last: key(items[end-1]), Query: query})
	}
	return page, next, nil
}

// maxResults returns the requested page size, or def when unset.
func maxResults(n *int, def int) int {
	if n == nil {
		return def
	}
	return *n
}
