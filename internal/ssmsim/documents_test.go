package ssmsim

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
)

func TestDocumentLifecycle(t *testing.T) {
	opts, _ := manualOpts(fleetOf(1))
	_, c := startSim(t, opts, 0)
	cx := testCtx(t)
	created, err := c.CreateDocument(cx, &ssm.CreateDocumentInput{Name: aws.String(documents.ProbeDocumentName), Content: aws.String(documents.ProbeYAML),
		DocumentType: types.DocumentTypeCommand, DocumentFormat: types.DocumentFormatYaml, Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("patchready")}}})
	if err != nil {
		t.Fatal(err)
	}
	d := created.DocumentDescription
	if aws.ToString(d.Hash) != documents.ContentHash(documents.ProbeYAML) || d.HashType != types.DocumentHashTypeSha256 ||
		d.Status != types.DocumentStatusActive || aws.ToString(d.DocumentVersion) != "1" || aws.ToString(d.DefaultVersion) != "1" || len(d.Tags) != 1 {
		t.Errorf("created = %+v", d)
	}
	_, err = c.CreateDocument(cx, &ssm.CreateDocumentInput{Name: aws.String(documents.ProbeDocumentName), Content: aws.String(documents.ProbeYAML), DocumentFormat: types.DocumentFormatYaml})
	var exists *types.DocumentAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("second create: %v", err)
	}
	_, err = c.UpdateDocument(cx, &ssm.UpdateDocumentInput{Name: aws.String(documents.ProbeDocumentName), Content: aws.String(documents.ProbeYAML),
		DocumentVersion: aws.String("$LATEST"), DocumentFormat: types.DocumentFormatYaml})
	var dup *types.DuplicateDocumentContent
	if !errors.As(err, &dup) {
		t.Errorf("update with same content: %v", err)
	}
	changed := documents.ProbeYAML + "\n# v2\n"
	up, err := c.UpdateDocument(cx, &ssm.UpdateDocumentInput{Name: aws.String(documents.ProbeDocumentName), Content: aws.String(changed),
		DocumentVersion: aws.String("$LATEST"), DocumentFormat: types.DocumentFormatYaml})
	if err != nil {
		t.Fatal(err)
	}
	if v := up.DocumentDescription; aws.ToString(v.DocumentVersion) != "2" || aws.ToString(v.DefaultVersion) != "1" || aws.ToString(v.LatestVersion) != "2" {
		t.Errorf("after update: version %s default %s latest %s", aws.ToString(v.DocumentVersion), aws.ToString(v.DefaultVersion), aws.ToString(v.LatestVersion))
	}
	if _, err := c.UpdateDocumentDefaultVersion(cx, &ssm.UpdateDocumentDefaultVersionInput{Name: aws.String(documents.ProbeDocumentName), DocumentVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeDocument(cx, &ssm.DescribeDocumentInput{Name: aws.String(documents.ProbeDocumentName)})
	if err != nil || aws.ToString(desc.Document.Hash) != documents.ContentHash(changed) {
		t.Errorf("describe default: %v %+v", err, desc)
	}
	got, err := c.GetDocument(cx, &ssm.GetDocumentInput{Name: aws.String(documents.ProbeDocumentName), DocumentVersion: aws.String("1")})
	if err != nil || aws.ToString(got.Content) != documents.ProbeYAML || got.DocumentFormat != types.DocumentFormatYaml {
		t.Errorf("get version 1: %v", err)
	}
	asJSON, err := c.GetDocument(cx, &ssm.GetDocumentInput{Name: aws.String(documents.ProbeDocumentName), DocumentFormat: types.DocumentFormatJson})
	if err != nil || !strings.HasPrefix(aws.ToString(asJSON.Content), "{") {
		t.Errorf("get as JSON: %v", err)
	}
	if _, err := c.DeleteDocument(cx, &ssm.DeleteDocumentInput{Name: aws.String(documents.ProbeDocumentName)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeDocument(cx, &ssm.DescribeDocumentInput{Name: aws.String(documents.ProbeDocumentName)})
	var gone *types.InvalidDocument
	if !errors.As(err, &gone) {
		t.Errorf("describe after delete: %v", err)
	}
}

func TestBuiltinDocuments(t *testing.T) {
	opts, _ := manualOpts(fleetOf(1))
	_, c := startSim(t, opts, 0)
	desc, err := c.DescribeDocument(testCtx(t), &ssm.DescribeDocumentInput{Name: aws.String("AWS-UpdateSSMAgent")})
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{}
	for _, p := range desc.Document.Parameters {
		params[aws.ToString(p.Name)] = aws.ToString(p.DefaultValue)
	}
	if len(params) != 2 || params["allowDowngrade"] != "false" || params["version"] != "" || aws.ToString(desc.Document.Owner) != "Amazon" {
		t.Errorf("AWS-UpdateSSMAgent parameters %v owner %s", params, aws.ToString(desc.Document.Owner))
	}
	got, err := c.GetDocument(testCtx(t), &ssm.GetDocumentInput{Name: aws.String("AWS-RunShellScript")})
	if err != nil || !strings.Contains(aws.ToString(got.Content), "aws:runShellScript") {
		t.Errorf("get AWS-RunShellScript: %v", err)
	}
	_, err = c.DeleteDocument(testCtx(t), &ssm.DeleteDocumentInput{Name: aws.String("AWS-RunShellScript")})
	if apiCode(err) != "InvalidDocumentOperation" {
		t.Errorf("delete built-in: %v", err)
	}
}

func TestDocumentValidation(t *testing.T) {
	opts, _ := manualOpts(fleetOf(1))
	_, c := startSim(t, opts, 0)
	createDoc(t, c, "Existing", documents.ProbeYAML)
	y := types.DocumentFormatYaml
	tests := []struct {
		name string
		in   ssm.CreateDocumentInput
		code string
	}{
		{"short name", ssm.CreateDocumentInput{Name: aws.String("ab"), Content: aws.String(documents.ProbeYAML), DocumentFormat: y}, "ValidationException"},
		{"bad char", ssm.CreateDocumentInput{Name: aws.String("a b c"), Content: aws.String(documents.ProbeYAML), DocumentFormat: y}, "ValidationException"},
		{"reserved aws", ssm.CreateDocumentInput{Name: aws.String("AWS-Mine"), Content: aws.String(documents.ProbeYAML), DocumentFormat: y}, "ValidationException"},
		{"reserved amazon", ssm.CreateDocumentInput{Name: aws.String("amazonThing"), Content: aws.String(documents.ProbeYAML), DocumentFormat: y}, "ValidationException"},
		{"yaml sent as json", ssm.CreateDocumentInput{Name: aws.String("NoFormat"), Content: aws.String(documents.ProbeYAML)}, "InvalidDocumentContent"},
		{"garbage", ssm.CreateDocumentInput{Name: aws.String("Garbage"), Content: aws.String("{{{"), DocumentFormat: y}, "InvalidDocumentContent"},
		{"no steps", ssm.CreateDocumentInput{Name: aws.String("NoSteps"), Content: aws.String("schemaVersion: '2.2'\n"), DocumentFormat: y}, "InvalidDocumentContent"},
		{"exists", ssm.CreateDocumentInput{Name: aws.String("Existing"), Content: aws.String(documents.ProbeYAML), DocumentFormat: y}, "DocumentAlreadyExists"},
		{"bad tag", ssm.CreateDocumentInput{Name: aws.String("Tagged"), Content: aws.String(documents.ProbeYAML), DocumentFormat: y,
			Tags: []types.Tag{{Key: aws.String(""), Value: aws.String("x")}}}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateDocument(testCtx(t), &tt.in)
			if got := apiCode(err); got != tt.code {
				t.Fatalf("error %v: code %q, want %q", err, got, tt.code)
			}
		})
	}
	_, err := c.UpdateDocument(testCtx(t), &ssm.UpdateDocumentInput{Name: aws.String("Existing"), Content: aws.String(documents.FixYAML), DocumentVersion: aws.String("5"), DocumentFormat: y})
	if apiCode(err) != "InvalidDocumentVersion" {
		t.Errorf("update old version: %v", err)
	}
	_, err = c.DescribeDocument(testCtx(t), &ssm.DescribeDocumentInput{Name: aws.String("Existing"), DocumentVersion: aws.String("9")})
	if apiCode(err) != "InvalidDocumentVersion" {
		t.Errorf("describe missing version: %v", err)
	}
}

func TestTags(t *testing.T) {
	f := fleetOf(2)
	f.Nodes[1].ID = "mi-0123456789abcdef0"
	opts, _ := manualOpts(f)
	_, c := startSim(t, opts, 0)
	createDoc(t, c, "TaggedDoc", documents.ProbeYAML)
	cx := testCtx(t)
	for _, res := range []struct {
		typ types.ResourceTypeForTagging
		id  string
	}{{types.ResourceTypeForTaggingManagedInstance, "mi-0123456789abcdef0"}, {types.ResourceTypeForTaggingDocument, "TaggedDoc"}} {
		_, err := c.AddTagsToResource(cx, &ssm.AddTagsToResourceInput{ResourceType: res.typ, ResourceId: aws.String(res.id),
			Tags: []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")}}})
		if err != nil {
			t.Fatalf("tag %s: %v", res.id, err)
		}
		if _, err := c.RemoveTagsFromResource(cx, &ssm.RemoveTagsFromResourceInput{ResourceType: res.typ, ResourceId: aws.String(res.id), TagKeys: []string{"b"}}); err != nil {
			t.Fatal(err)
		}
		out, err := c.ListTagsForResource(cx, &ssm.ListTagsForResourceInput{ResourceType: res.typ, ResourceId: aws.String(res.id)})
		if err != nil || len(out.TagList) != 1 || aws.ToString(out.TagList[0].Key) != "a" {
			t.Errorf("tags of %s: %v %+v", res.id, err, out)
		}
	}
	bad := []struct {
		name string
		in   ssm.AddTagsToResourceInput
		code string
	}{
		{"ec2 instance as managed instance", ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingManagedInstance, ResourceId: aws.String(f.Nodes[0].ID), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, "InvalidResourceId"},
		{"unknown document", ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingDocument, ResourceId: aws.String("Nope"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, "InvalidResourceId"},
		{"unknown association", ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingAssociation, ResourceId: aws.String("00000000-0000-4000-8000-000000000000"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, "InvalidResourceId"},
		{"unknown window", ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingMaintenanceWindow, ResourceId: aws.String("mw-0123456789abcdef0"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, "InvalidResourceId"},
		{"bad type", ssm.AddTagsToResourceInput{ResourceType: "Bucket", ResourceId: aws.String("x"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, "ValidationException"},
		{"long key", ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingDocument, ResourceId: aws.String("TaggedDoc"), Tags: []types.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}}, "ValidationException"},
		{"too many", ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingDocument, ResourceId: aws.String("TaggedDoc"), Tags: manyTags(51)}, "TooManyTagsError"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.AddTagsToResource(testCtx(t), &tt.in)
			if got := apiCode(err); got != tt.code {
				t.Fatalf("error %v: code %q, want %q", err, got, tt.code)
			}
		})
	}
}

func manyTags(n int) []types.Tag {
	out := make([]types.Tag, n)
	for i := range out {
		out[i] = types.Tag{Key: aws.String("k" + itoa(i)), Value: aws.String("v")}
	}
	return out
}

// ListDocuments pages through the account's documents and AWS's, by
// owner and by tag, and refuses filters it does not simulate.
func TestListDocuments(t *testing.T) {
	opts, _ := manualOpts(fleetOf(1))
	_, c := startSim(t, opts, 0)
	for i, name := range []string{"Mine-a", "Mine-b", "Mine-c"} {
		in := &ssm.CreateDocumentInput{Name: aws.String(name), Content: aws.String(documents.ProbeYAML), DocumentFormat: types.DocumentFormatYaml}
		if i == 1 {
			in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}
		}
		if _, err := c.CreateDocument(testCtx(t), in); err != nil {
			t.Fatal(err)
		}
	}
	list := func(filters ...types.DocumentKeyValuesFilter) []string {
		var names []string
		p := ssm.NewListDocumentsPaginator(c, &ssm.ListDocumentsInput{Filters: filters, MaxResults: aws.Int32(2)})
		for p.HasMorePages() {
			page, err := p.NextPage(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(page.DocumentIdentifiers) > 2 {
				t.Fatalf("page of %d with MaxResults 2", len(page.DocumentIdentifiers))
			}
			for _, d := range page.DocumentIdentifiers {
				names = append(names, aws.ToString(d.Name))
			}
		}
		return names
	}
	if got := list(types.DocumentKeyValuesFilter{Key: aws.String("Owner"), Values: []string{"Self"}}); !slices.Equal(got, []string{"Mine-a", "Mine-b", "Mine-c"}) {
		t.Errorf("Owner=Self: %v", got)
	}
	if got := list(types.DocumentKeyValuesFilter{Key: aws.String("tag:team"), Values: []string{"ops"}}); !slices.Equal(got, []string{"Mine-b"}) {
		t.Errorf("tag:team=ops: %v", got)
	}
	amazon := list(types.DocumentKeyValuesFilter{Key: aws.String("Owner"), Values: []string{"Amazon"}})
	if !slices.Contains(amazon, documents.UpdateAgentDocumentName) || slices.Contains(amazon, "Mine-a") {
		t.Errorf("Owner=Amazon: %v", amazon)
	}
	if all := list(); len(all) != len(amazon)+3 {
		t.Errorf("no filter: %d documents, want %d", len(all), len(amazon)+3)
	}
	_, err := c.ListDocuments(testCtx(t), &ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{{Key: aws.String("SearchKeyword"), Values: []string{"x"}}}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("unsimulated filter: %v", err)
	}
	_, err = c.ListDocuments(testCtx(t), &ssm.ListDocumentsInput{MaxResults: aws.Int32(51)})
	if apiCode(err) != "ValidationException" {
		t.Errorf("MaxResults 51: %v", err)
	}
}
