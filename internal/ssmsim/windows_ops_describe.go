package ssmsim

import (
	"strconv"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("DescribeMaintenanceWindows", describeMaintenanceWindows)
}

func describeMaintenanceWindows(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in windowListing
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	checkWindowFilters(v, in.Filters, in.MaxResults, "Name", "Enabled")
	if err := v.Err(); err != nil {
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
