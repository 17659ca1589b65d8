package ssmsim

import "strconv"

func init() {
	register("DescribeMaintenanceWindows", describeMaintenanceWindows)
}

// windowFilter is the API's MaintenanceWindowFilter.
type windowFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

// checkWindowFilters validates Filters and MaxResults the way every
// Describe* operation of maintenance windows takes them, and checks the
// keys against the ones the operation knows.
func checkWindowFilters(v *validator, filters []windowFilter, maxRes *int, keys ...string) {
	v.count("filters", len(filters), 0, 5)
	for i, f := range filters {
		m := "filters." + strconv.Itoa(i+1) + ".member"
		if f.Key != nil {
			v.length(m+".key", *f.Key, 1, 128)
			v.enum(m+".key", *f.Key, keys...)
		}
		for j, val := range f.Values {
			v.length(m+".values."+strconv.Itoa(j+1)+".member", val, 1, 256)
		}
	}
	v.intRange("maxResults", maxRes, 10, 100)
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

func describeMaintenanceWindows(s *Server, r *region, body []byte) (any, *apiError) {
	var in windowListing
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &validator{}
	checkWindowFilters(v, in.Filters, in.MaxResults, "Name", "Enabled")
	if err := v.err(); err != nil {
		return nil, err
	}
	var matched []*window
	for _, w := range r.windows.order {
		if filtersMatch(in.Filters, func(k string) string {
			if k == "Name" {
				return w.Name
			}
			return strconv.FormatBool(w.Enabled)
		}) {
			matched = append(matched, w)
		}
	}
	page, next, err := windowPage(s, r, "DescribeMaintenanceWindows", in, nil, matched, func(w *window) string { return seqKey(w.seq) })
	if err != nil {
		return nil, err
	}
	out := make([]windowOut, len(page))
	for i, w := range page {
		out[i] = w.out()
		out[i].AllowUnassociatedTargets = false
		out[i].CreatedDate, out[i].ModifiedDate = nil, nil
	}
	return map[string]any{"WindowIdentities": out, "NextToken": omitEmpty(next)}, nil
}
