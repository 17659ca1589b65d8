package ssmsim

import (
	"slices"
	"strconv"
	"strings"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() { register("ListDocuments", listDocuments) }

// documentKeyValuesFilter is ListDocuments' Filters member.
type documentKeyValuesFilter struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

// documentIdentifier is one document in a ListDocuments answer.
type documentIdentifier struct {
	Name            string    `json:"Name"`
	Owner           string    `json:"Owner"`
	CreatedDate     float64   `json:"CreatedDate"`
	DocumentVersion string    `json:"DocumentVersion"`
	DocumentType    string    `json:"DocumentType"`
	SchemaVersion   string    `json:"SchemaVersion"`
	DocumentFormat  string    `json:"DocumentFormat"`
	PlatformTypes   []string  `json:"PlatformTypes"`
	Tags            []tagSpec `json:"Tags"`
}

const documentPageSize = 50

// listDocuments answers ListDocuments with the filters patchready and the
// AWS CLI use: Owner (Self, Amazon, All), DocumentType and tag:KEY. Other
// keys, and the deprecated DocumentFilterList, are refused as not
// simulated rather than ignored.
func listDocuments(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in struct {
		Filters            []documentKeyValuesFilter `json:"Filters"`
		DocumentFilterList []any                     `json:"DocumentFilterList"`
		MaxResults         *int                      `json:"MaxResults"`
		NextToken          *string                   `json:"NextToken"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Count("filters", len(in.Filters), 0, 6)
	v.IntRange("maxResults", in.MaxResults, 1, documentPageSize)
	for i, f := range in.Filters {
		m := "filters." + strconv.Itoa(i+1) + ".member"
		v.Required(m+".key", f.Key != nil)
		if f.Key != nil {
			v.Length(m+".key", *f.Key, 1, 128)
		}
		v.Count(m+".values", len(f.Values), 0, 20)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(in.DocumentFilterList) > 0 {
		return nil, wire.ValidationError("DocumentFilterList is deprecated and not simulated; use Filters.")
	}
	for _, f := range in.Filters {
		switch key := deref(f.Key); {
		case key == "Owner", key == "DocumentType", strings.HasPrefix(key, "tag:"):
		default:
			return nil, wire.ValidationError("Filter key %s is not simulated; use Owner, DocumentType or tag:KEY.", wire.Clip(key))
		}
	}
	names := make([]string, 0, len(r.documents.byName))
	for name := range r.documents.byName {
		names = append(names, name)
	}
	slices.Sort(names)
	var matched []documentIdentifier
	for _, name := range names {
		d := r.documents.byName[name]
		n, ver, err := d.version("$DEFAULT")
		if err != nil {
			continue
		}
		desc := r.describe(d, n)
		if !documentFiltersMatch(in.Filters, d, desc.Owner, r.tagsOf("Document", d.Name)) {
			continue
		}
		matched = append(matched, documentIdentifier{
			Name: d.Name, Owner: desc.Owner, CreatedDate: epoch(d.Created), DocumentVersion: strconv.Itoa(n),
			DocumentType: d.Type, SchemaVersion: ver.Parsed.SchemaVersion, DocumentFormat: ver.Format,
			PlatformTypes: desc.PlatformTypes, Tags: desc.Tags,
		})
	}
	page, next, err := pageOf(s, r, "ListDocuments", fingerprint(in.Filters), deref(in.NextToken),
		maxResults(in.MaxResults, documentPageSize), matched, func(d documentIdentifier) string { return d.Name })
	if err != nil {
		return nil, err
	}
	return map[string]any{"DocumentIdentifiers": page, "NextToken": omitEmpty(next)}, nil
}

// documentFiltersMatch applies every filter; the values of one filter are
// alternatives.
func documentFiltersMatch(filters []documentKeyValuesFilter, d *document, owner string, tags map[string]string) bool {
	for _, f := range filters {
		key := deref(f.Key)
		ok := false
		for _, val := range f.Values {
			switch {
			case key == "Owner":
				ok = ok || val == "All" || (val == "Self" || val == "Private") && !d.Builtin || val == "Amazon" && d.Builtin
			case key == "DocumentType":
				ok = ok || val == d.Type
			default: // tag:KEY
				have, present := tags[strings.TrimPrefix(key, "tag:")]
				ok = ok || present && have == val
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
