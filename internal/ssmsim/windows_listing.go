package ssmsim

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
func (r *region) openWindowItems(body []byte, keys ...string) (*windowItems, *window, *apiError) {
	var in windowItems
	if err := decode(body, &in); err != nil {
		return nil, nil, err
	}
	w, err := r.openWindow(in.WindowId, func(v *validator) { checkWindowFilters(v, in.Filters, in.MaxResults, keys...) })
	if err != nil {
		return nil, nil, err
	}
	return &in, w, nil
}

// windowPage returns the page of matched a window Describe* request asks
// for. ids are the resource IDs the request names; a token is good only
// for the same IDs and filters. The page size defaults to windowPageSize.
func windowPage[T any](s *Server, r *region, op string, l windowListing, ids []any, matched []T, key func(T) string) ([]T, string, *apiError) {
	return pageOf(s, r, op, fingerprint(append(ids, l.Filters)), deref(l.NextToken), maxResults(l.MaxResults, windowPageSize), matched, key)
}
