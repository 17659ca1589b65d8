package ssmsim

import (
	"strconv"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// windowListing is the filter and paging part that every Describe*
// operation of maintenance windows takes.
type windowListing struct {
	Filters    []windowFilter `json:"Filters"`
	MaxResults *int           `json:"MaxResults"`
	NextToken  *string        `json:"NextToken"`
}

// windowItems is the input of the Describe* operations over the targets,
// tasks or executions of one window.
type windowItems struct {
	WindowId *string `json:"WindowId"`
	windowListing
}

// openWindowItems decodes and validates a request over one window's items
// (filter keys must be among keys) and looks the window up.
func (r *region) openWindowItems(body []byte, keys ...string) (*windowItems, *window, *wire.Error) {
	var in windowItems
	if err := decode(body, &in); err != nil {
		return nil, nil, err
	}
	w, err := r.openWindow(in.WindowId, func(v *wire.Validator) { checkWindowFilters(v, in.Filters, in.MaxResults, keys...) })
	if err != nil {
		return nil, nil, err
	}
	return &in, w, nil
}

// windowPage returns the page of matched a window Describe* request asks
// for. ids are the resource IDs the request names; a token is good only
// for the same IDs and filters. The page size defaults to windowPageSize.
func windowPage[T any](s *Server, r *region, op string, l windowListing, ids []any, matched []T, key func(T) string) ([]T, string, *wire.Error) {
	return pageOf(s, r, op, fingerprint(append(ids, l.Filters)), deref(l.NextToken), maxResults(l.MaxResults, windowPageSize), matched, key)
}

// windowFilter is the API's MaintenanceWindowFilter.
type windowFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

// checkWindowFilters validates Filters and MaxResults the way every
// Describe* operation of maintenance windows takes them, and checks the
// keys against the ones the operation knows.
func checkWindowFilters(v *wire.Validator, filters []windowFilter, maxRes *int, keys ...string) {
	v.Count("filters", len(filters), 0, 5)
	for i, f := range filters {
		m := "filters." + strconv.Itoa(i+1) + ".member"
		if f.Key != nil {
			v.Length(m+".key", *f.Key, 1, 128)
			v.Enum(m+".key", *f.Key, keys...)
		}
		for j, val := range f.Values {
			v.Length(m+".values."+strconv.Itoa(j+1)+".member", val, 1, 256)
		}
	}
	v.IntRange("maxResults", maxRes, 10, 100)
}

// filtersMatch applies window filters: a filter matches when the item's
// value for the key is one of the filter's values.
func filtersMatch(filters []windowFilter, value func(key string) string) bool {
	for _, f := range filters {
		if f.Key != nil && len(f.Values) > 0 && !contains(f.Values, value(*f.Key)) {
			return false
		}
	}
	return true
}
