package ssmsim

import (
	"strconv"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

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
func checkAssociationFilters(v *wire.Validator, member string, filters []associationFilter, maxRes *int, keys []string, types ...string) {
	if filters != nil {
		v.Count(member, len(filters), 1, 0)
	}
	for i, f := range filters {
		m := member + "." + strconv.Itoa(i+1) + ".member"
		v.Required(m+".key", f.Key != nil)
		v.Required(m+".value", f.Value != nil)
		if len(types) > 0 {
			v.Required(m+".type", f.Type != nil)
		}
		if f.Key != nil {
			v.Enum(m+".key", *f.Key, keys...)
		}
		if f.Value != nil {
			v.Length(m+".value", *f.Value, 1, 0)
		}
		if len(types) > 0 && f.Type != nil {
			v.Enum(m+".type", *f.Type, types...)
		}
	}
	v.IntRange("maxResults", maxRes, 1, 50)
}

// associationFiltersMatch reports whether an item passes every filter, as
// match judges each one. Every filter is applied, so a bad filter value is
// reported whatever the others say.
func associationFiltersMatch(filters []associationFilter, match func(associationFilter) (bool, *wire.Error)) (bool, *wire.Error) {
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
func associationPage[T any](s *Server, r *region, op string, p associationPaging, query any, matched []T, key func(T) string) ([]T, string, *wire.Error) {
	return pageOf(s, r, op, fingerprint(query), deref(p.NextToken), maxResults(p.MaxResults, associationPageSize), matched, key)
}

// associationByID finds an association by the AssociationId a request
// names; the error is AssociationDoesNotExist.
func (r *region) associationByID(id string) (*association, *wire.Error) {
	a, ok := r.associations.byID[id]
	if !ok {
		return nil, wire.Errorf("AssociationDoesNotExist", "Association %s does not exist.", id)
	}
	return a, nil
}
