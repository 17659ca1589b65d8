package ssmsim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/ssmsim/docparse"
	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// Limits from the Systems Manager quotas page.
const (
	maxDocumentBytes    = 64 * 1024
	maxDocumentVersions = 1000
	maxDocuments        = 500
)

// document is one SSM document with all its versions.
type document struct {
	Name     string
	Type     string
	Builtin  bool // AWS-owned: readable, not changeable
	Created  time.Time
	Versions []*docVersion // Versions[i] is version i+1; nil once deleted
	Default  int
}

type docVersion struct {
	Content string
	Format  string
	Hash    string
	Created time.Time
	Parsed  *docparse.Doc
}

// documentStore holds the documents of one region.
type documentStore struct {
	byName map[string]*document
	users  int // documents created by the account, for the quota
}

func newDocumentStore() *documentStore {
	st := &documentStore{byName: map[string]*document{}}
	created := time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC)
	for name, content := range builtinDocuments {
		p, err := docparse.Parse(content, "JSON")
		if err != nil {
			panic(fmt.Sprintf("ssmsim: built-in document %s: %v", name, err))
		}
		st.byName[name] = &document{
			Name: name, Type: "Command", Builtin: true, Created: created, Default: 1,
			Versions: []*docVersion{{Content: content, Format: "JSON", Hash: documents.ContentHash(content), Created: created, Parsed: p}},
		}
	}
	return st
}

// latest returns the number of the newest version.
func (d *document) latest() int { return len(d.Versions) }

// version resolves "" / $DEFAULT / $LATEST / "N" to a version number and
// its content. The error is InvalidDocumentVersion.
func (d *document) version(v string) (int, *docVersion, *wire.Error) {
	n := 0
	switch v {
	case "", "$DEFAULT":
		n = d.Default
	case "$LATEST":
		n = d.latest()
	default:
		n, _ = strconv.Atoi(v)
	}
	if n < 1 || n > len(d.Versions) || d.Versions[n-1] == nil {
		return 0, nil, wire.Errorf("InvalidDocumentVersion", "Document %s does not have version %s.", d.Name, wire.Clip(v))
	}
	return n, d.Versions[n-1], nil
}

// lookupDocument finds a document by name or ARN. The error is
// InvalidDocument, as SendCommand and DescribeDocument answer.
func (r *region) lookupDocument(name string) (*document, *wire.Error) {
	short := name
	if i := strings.LastIndex(name, "document/"); strings.HasPrefix(name, "arn:") && i >= 0 {
		short = name[i+len("document/"):]
	}
	d, ok := r.documents.byName[short]
	if !ok {
		return nil, wire.Errorf("InvalidDocument", "Document with name %s does not exist.", wire.Clip(name))
	}
	return d, nil
}

// documentExists reports whether a document (built-in or the account's)
// exists in the region. For the association and maintenance-window code.
func (r *region) documentExists(name string) bool {
	_, err := r.lookupDocument(name)
	return err == nil
}

// validateParameters checks params against the declared parameters of a
// document version ("" = default), as SendCommand and CreateAssociation do:
// unknown names, missing required values, allowedValues and allowedPattern.
// The error is InvalidDocument / InvalidDocumentVersion for a document that
// does not exist, else InvalidParameters.
func (r *region) validateParameters(document, version string, params map[string][]string) *wire.Error {
	d, err := r.lookupDocument(document)
	if err != nil {
		return err
	}
	_, v, err := d.version(version)
	if err != nil {
		return err
	}
	return checkParams(v.Parsed, params)
}

func checkParams(p *docparse.Doc, params map[string][]string) *wire.Error {
	declared := make(map[string]docparse.Param, len(p.Params))
	for _, dp := range p.Params {
		declared[dp.Name] = dp
	}
	for name := range params {
		if _, ok := declared[name]; !ok {
			return wire.Errorf("InvalidParameters", "Parameter %q is not defined in the document.", wire.Clip(name))
		}
	}
	for _, dp := range p.Params {
		vals, given := params[dp.Name]
		if !given {
			if dp.Default == nil {
				return wire.Errorf("InvalidParameters", "Parameter %q is required but was not supplied.", dp.Name)
			}
			continue
		}
		if dp.Type != "StringList" && dp.Type != "MapList" && len(vals) != 1 {
			return wire.Errorf("InvalidParameters", "Parameter %q of type %s takes exactly one value; got %d.", dp.Name, dp.Type, len(vals))
		}
		for _, v := range vals {
			if len(dp.AllowedValues) > 0 && !contains(dp.AllowedValues, v) {
				return wire.Errorf("InvalidParameters", "Parameter %q value %q is not one of the allowed values [%s].", dp.Name, wire.Clip(v), strings.Join(dp.AllowedValues, ", "))
			}
			if dp.AllowedPattern != "" {
				re, err := regexp.Compile(dp.AllowedPattern)
				if err == nil && !re.MatchString(v) {
					return wire.Errorf("InvalidParameters", "Parameter %q value %q does not match the allowed pattern %s.", dp.Name, wire.Clip(v), dp.AllowedPattern)
				}
			}
		}
	}
	return nil
}

// paramValue returns a parameter's value as a run sees it: the given value,
// else the document's default.
func paramValue(p *docparse.Doc, params map[string][]string, name string) string {
	if v := params[name]; len(v) > 0 {
		return strings.Join(v, ",")
	}
	for _, dp := range p.Params {
		if dp.Name == name && dp.Default != nil {
			return *dp.Default
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
