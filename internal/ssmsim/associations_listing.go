package ssmsim

import "strconv"

// associationPageSize is the page size when MaxResults is not given. AWS
// does not document its default; 50 is the model's maximum.
const associationPageSize = 50

// associationFilter is one filter of an association listing: an entry of
// ListAssociations' AssociationFilterList, whose members the model spells
// key and value (JSON decoding matches names whatever their case), or of
// the Filters of DescribeAssociationExecutions, the only listing whose
// filters have a Type, and DescribeAssociationExecutionTargets.
type associationFilter struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
	Type  *string `json:"Type,omitempty"`
}

// associationPaging is the paging part every association listing takes.
type associationPaging struct {
	MaxResults *int    `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

// checkAssociationFilters validates a listing's filters, named member in
// messages, and its MaxResults. keys are the filter keys the operation
// knows; types, when the operation has any, are its comparison types, and
// then every filter must have one.
func checkAssociationFilters(v *validator, member string, filters []associationFilter, maxRes *int, keys []string, types ...string) {
	if filters != nil {
		v.count(member, len(filters), 1, 0)
	}
	for i, f := range filters {
		m := member + "." + strconv.Itoa(i+1) + ".member"
		v.required(m+".key", f.Key != nil)
		v.required(m+".value", f.Value != nil)
		if len(types) > 0 {
			v.required(m+".type", f.Type != nil)
		}
		if f.Key != nil {
			v.enum(m+".key", *f.Key, keys...)
		}
		if f.Value != nil {
			v.length(m+".value", *f.Value, 1, 0)
		}
		if len(types) > 0 && f.Type != nil {
			v.enum(m+".type", *f.Type, types...)
		}
	}
	v.intRange("maxResults", maxRes, 1, 50)
}

// associationFiltersMatch reports whether an item passes every filter, as
// match judges each one. Every filter is applied, so a bad filter value is
// reported whatever the others say.
func associationFiltersMatch(filters []associationFilter, match func(associationFilter) (bool, *apiError)) (bool, *apiError) {
	ok := true
	for _, f := range filters {
		m, err := match(f)
		if err != nil {
			return false, err
		}
		ok = ok && m
	}
	return ok, nil
}

// associationPage returns the page of matched an association listing asks
// for. query is what the request selects by (IDs and filters); a token is
// good only for the same query. The page size defaults to
// associationPageSize.
func associationPage[T any](s *Server, r *region, op string, p associationPaging, query any, matched []T, key func(T) string) ([]T, string, *apiError) {
	return pageOf(s, r, op, fingerprint(query), deref(p.NextToken), maxResults(p.MaxResults, associationPageSize), matched, key)
}

// associationByID finds an association by the AssociationId a request
// names; the error is AssociationDoesNotExist.
func (r *region) associationByID(id string) (*association, *apiError) {
	a, ok := r.associations.byID[id]
	if !ok {
		return nil, errorf("AssociationDoesNotExist", "Association %s does not exist.", id)
	}
	return a, nil
}
