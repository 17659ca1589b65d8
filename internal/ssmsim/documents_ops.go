package ssmsim

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/ssmsim/docparse"
	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("CreateDocument", createDocument)
	register("UpdateDocument", updateDocument)
	register("DescribeDocument", describeDocument)
	register("GetDocument", getDocument)
	register("DeleteDocument", deleteDocument)
	register("UpdateDocumentDefaultVersion", updateDocumentDefaultVersion)
}

var (
	reDocumentShortName   = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	reDocumentVersionNum  = regexp.MustCompile(`^[1-9][0-9]*$`)
	reservedDocPrefixes   = []string{"aws", "amazon", "amzn"}
	documentFormats       = []string{"YAML", "JSON", "TEXT"}
	simulatedDocumentType = "Command"
)

type createDocumentInput struct {
	Content        *string   `json:"Content"`
	Name           *string   `json:"Name"`
	DocumentType   string    `json:"DocumentType"`
	DocumentFormat string    `json:"DocumentFormat"`
	Tags           []tagSpec `json:"Tags"`
}

func createDocument(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in createDocumentInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("content", in.Content != nil)
	v.Required("name", in.Name != nil)
	name, content := deref(in.Name), deref(in.Content)
	if in.Name != nil {
		v.Pattern("name", name, reDocumentShortName)
	}
	if in.Content != nil {
		v.Length("content", content, 1, 0)
	}
	if in.DocumentType != "" {
		v.Enum("documentType", in.DocumentType, "Command", "Policy", "Automation", "Session", "Package", "ApplicationConfiguration", "ApplicationConfigurationSchema", "DeploymentStrategy", "ChangeCalendar", "Automation.ChangeTemplate", "ProblemAnalysis", "ProblemAnalysisTemplate", "CloudFormation", "ConformancePackTemplate", "QuickSetup", "ManualApprovalPolicy", "AutoApprovalPolicy")
	}
	if in.DocumentFormat != "" {
		v.Enum("documentFormat", in.DocumentFormat, documentFormats...)
	}
	checkTags(v, in.Tags)
	if err := v.Err(); err != nil {
		return nil, err
	}
	for _, p := range reservedDocPrefixes {
		if strings.HasPrefix(strings.ToLower(name), p) {
			return nil, wire.ValidationError("Document name %s is not valid: names starting with aws, amazon or amzn are reserved for AWS.", name)
		}
	}
	if in.DocumentType != "" && in.DocumentType != simulatedDocumentType {
		// Stricter than AWS: only Command documents are simulated, and
		// accepting others would let a test pass that AWS would fail later.
		return nil, wire.ValidationError("DocumentType %s is not simulated; only Command documents are.", in.DocumentType)
	}
	if len(content) > maxDocumentBytes {
		return nil, wire.Errorf("MaxDocumentSizeExceeded", "The content for the document exceeds the maximum size of 64 KB.")
	}
	if _, exists := r.documents.byName[name]; exists {
		return nil, wire.Errorf("DocumentAlreadyExists", "Document with same name %s already exists", name)
	}
	if r.documents.users >= maxDocuments {
		return nil, wire.Errorf("DocumentLimitExceeded", "You can create at most %d documents.", maxDocuments)
	}
	format := orDefault(in.DocumentFormat, "JSON")
	parsed, perr := docparse.Parse(content, format)
	if perr != nil {
		return nil, wire.Errorf("InvalidDocumentContent", "%v", perr)
	}
	now := s.clock.Now()
	d := &document{Name: name, Type: simulatedDocumentType, Created: now, Default: 1,
		Versions: []*docVersion{{Content: content, Format: format, Hash: documents.ContentHash(content), Created: now, Parsed: parsed}}}
	r.documents.byName[name] = d
	r.documents.users++
	if len(in.Tags) > 0 {
		r.setTags("Document", name, tagMap(in.Tags))
	}
	return map[string]any{"DocumentDescription": r.describe(d, 1)}, nil
}

type updateDocumentInput struct {
	Content         *string `json:"Content"`
	Name            *string `json:"Name"`
	DocumentVersion string  `json:"DocumentVersion"`
	DocumentFormat  string  `json:"DocumentFormat"`
}

func updateDocument(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in updateDocumentInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("content", in.Content != nil)
	v.Required("name", in.Name != nil)
	if in.Name != nil {
		v.Pattern("name", *in.Name, reDocumentShortName)
	}
	if in.Content != nil {
		v.Length("content", *in.Content, 1, 0)
	}
	if in.DocumentVersion != "" {
		v.Pattern("documentVersion", in.DocumentVersion, reDocumentVersion)
	}
	if in.DocumentFormat != "" {
		v.Enum("documentFormat", in.DocumentFormat, documentFormats...)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := r.lookupDocument(*in.Name)
	if err != nil {
		return nil, err
	}
	if d.Builtin {
		return nil, wire.Errorf("InvalidDocumentOperation", "You can't update documents owned by Amazon.")
	}
	// AWS updates only the newest version: $LATEST or its number.
	if in.DocumentVersion != "" && in.DocumentVersion != "$LATEST" && in.DocumentVersion != strconv.Itoa(d.latest()) {
		return nil, wire.Errorf("InvalidDocumentVersion", "You can only update the latest version (%d) of document %s.", d.latest(), d.Name)
	}
	content := *in.Content
	if len(content) > maxDocumentBytes {
		return nil, wire.Errorf("MaxDocumentSizeExceeded", "The content for the document exceeds the maximum size of 64 KB.")
	}
	hash := documents.ContentHash(content)
	if _, latest, _ := d.version("$LATEST"); latest.Hash == hash {
		return nil, wire.Errorf("DuplicateDocumentContent", "The content of the document matches the content of its latest version.")
	}
	if d.latest() >= maxDocumentVersions {
		return nil, wire.Errorf("DocumentVersionLimitExceeded", "Document %s already has %d versions.", d.Name, maxDocumentVersions)
	}
	format := orDefault(in.DocumentFormat, "JSON")
	parsed, perr := docparse.Parse(content, format)
	if perr != nil {
		return nil, wire.Errorf("InvalidDocumentContent", "%v", perr)
	}
	// A new version does not become the default: AWS keeps the default
	// until UpdateDocumentDefaultVersion moves it.
	d.Versions = append(d.Versions, &docVersion{Content: content, Format: format, Hash: hash, Created: s.clock.Now(), Parsed: parsed})
	return map[string]any{"DocumentDescription": r.describe(d, d.latest())}, nil
}

type documentRef struct {
	Name            *string `json:"Name"`
	DocumentVersion string  `json:"DocumentVersion"`
	DocumentFormat  string  `json:"DocumentFormat"`
	Force           bool    `json:"Force"`
}

// readDocumentRef decodes and validates the Name/DocumentVersion pair that
// several operations share.
func readDocumentRef(body []byte, namePattern *regexp.Regexp) (documentRef, *wire.Error) {
	var in documentRef
	if err := decode(body, &in); err != nil {
		return in, err
	}
	v := &wire.Validator{}
	v.Required("name", in.Name != nil)
	if in.Name != nil {
		v.Pattern("name", *in.Name, namePattern)
	}
	if in.DocumentVersion != "" {
		v.Pattern("documentVersion", in.DocumentVersion, reDocumentVersion)
	}
	if in.DocumentFormat != "" {
		v.Enum("documentFormat", in.DocumentFormat, documentFormats...)
	}
	return in, v.Err()
}

// openDocument reads a document reference and looks the document up.
func (r *region) openDocument(body []byte, namePattern *regexp.Regexp) (documentRef, *document, *wire.Error) {
	in, err := readDocumentRef(body, namePattern)
	if err != nil {
		return in, nil, err
	}
	d, err := r.lookupDocument(*in.Name)
	return in, d, err
}

func describeDocument(s *Server, r *region, body []byte) (any, *wire.Error) {
	in, d, err := r.openDocument(body, reDocumentName)
	if err != nil {
		return nil, err
	}
	n, _, err := d.version(in.DocumentVersion)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Document": r.describe(d, n)}, nil
}

func getDocument(s *Server, r *region, body []byte) (any, *wire.Error) {
	in, d, err := r.openDocument(body, reDocumentName)
	if err != nil {
		return nil, err
	}
	n, ver, err := d.version(in.DocumentVersion)
	if err != nil {
		return nil, err
	}
	content, cerr := docparse.Convert(ver.Content, ver.Format, in.DocumentFormat)
	if cerr != nil {
		return nil, wire.Errorf("InvalidDocumentContent", "%v", cerr)
	}
	return map[string]any{
		"Name": d.Name, "CreatedDate": epoch(ver.Created), "DocumentVersion": strconv.Itoa(n), "Status": "Active",
		"Content": content, "DocumentType": d.Type, "DocumentFormat": orDefault(in.DocumentFormat, ver.Format),
	}, nil
}

func deleteDocument(s *Server, r *region, body []byte) (any, *wire.Error) {
	in, d, err := r.openDocument(body, reDocumentShortName)
	if err != nil {
		return nil, err
	}
	if d.Builtin {
		return nil, wire.Errorf("InvalidDocumentOperation", "You can't delete documents owned by Amazon.")
	}
	if in.DocumentVersion == "" {
		delete(r.documents.byName, d.Name)
		r.documents.users--
		r.dropTags("Document", d.Name)
		return struct{}{}, nil
	}
	n, _, err := d.version(in.DocumentVersion)
	if err != nil {
		return nil, err
	}
	if n == d.Default {
		return nil, wire.Errorf("InvalidDocumentOperation", "You can't delete the default version (%d) of document %s.", n, d.Name)
	}
	d.Versions[n-1] = nil
	return struct{}{}, nil
}

func updateDocumentDefaultVersion(s *Server, r *region, body []byte) (any, *wire.Error) {
	in, err := readDocumentRef(body, reDocumentShortName)
	if err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("documentVersion", in.DocumentVersion != "")
	if in.DocumentVersion != "" {
		v.Pattern("documentVersion", in.DocumentVersion, reDocumentVersionNum)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := r.lookupDocument(*in.Name)
	if err != nil {
		return nil, err
	}
	if d.Builtin {
		return nil, wire.Errorf("InvalidDocumentOperation", "You can't change documents owned by Amazon.")
	}
	n, _, err := d.version(in.DocumentVersion)
	if err != nil {
		return nil, err
	}
	d.Default = n
	return map[string]any{"Description": map[string]string{"Name": d.Name, "DefaultVersion": strconv.Itoa(n)}}, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
