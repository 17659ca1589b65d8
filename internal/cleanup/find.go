package cleanup

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/remedy"
)

// API is the part of SSM that cleanup uses.
type API interface {
	ssm.ListAssociationsAPIClient
	ssm.DescribeMaintenanceWindowsAPIClient
	ListTagsForResource(ctx context.Context, in *ssm.ListTagsForResourceInput, optFns ...func(*ssm.Options)) (*ssm.ListTagsForResourceOutput, error)
	DescribeDocument(ctx context.Context, in *ssm.DescribeDocumentInput, optFns ...func(*ssm.Options)) (*ssm.DescribeDocumentOutput, error)
	DeleteAssociation(ctx context.Context, in *ssm.DeleteAssociationInput, optFns ...func(*ssm.Options)) (*ssm.DeleteAssociationOutput, error)
	DeleteMaintenanceWindow(ctx context.Context, in *ssm.DeleteMaintenanceWindowInput, optFns ...func(*ssm.Options)) (*ssm.DeleteMaintenanceWindowOutput, error)
	DeleteDocument(ctx context.Context, in *ssm.DeleteDocumentInput, optFns ...func(*ssm.Options)) (*ssm.DeleteDocumentOutput, error)
}

var _ API = (*ssm.Client)(nil)

// Resource types, as cleanup prints them.
const (
	TypeAssociation = "association"
	TypeWindow      = "maintenance-window"
	TypeDocument    = "document"
)

// Resource is one thing patchready created.
type Resource struct {
	Type string `json:"type"`
	// ID is the association or window ID, or the document name.
	ID      string `json:"id"`
	Name    string `json:"name"`
	RunID   string `json:"run_id,omitempty"`
	Purpose string `json:"purpose,omitempty"`
	// Document is the document an association runs.
	Document string `json:"document,omitempty"`
}

// Kept is a resource of patchready's that cleanup chose to leave, and why.
type Kept struct {
	Resource
	Why string `json:"why"`
}

// Found is what Find chose: to remove in order (associations, windows,
// then documents, which associations use), and to keep.
type Found struct {
	Remove []Resource
	Keep   []Kept
}

// Find lists everything patchready created; with runID, only that run's.
func Find(ctx context.Context, api API, runID string) (Found, error) {
	var f Found
	// Documents still used by an association that stays must stay too.
	inUse := map[string]string{}
	p := ssm.NewListAssociationsPaginator(api, &ssm.ListAssociationsInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return f, fmt.Errorf("list associations: %w", err)
		}
		for _, a := range page.Associations {
			id, name, doc := aws.ToString(a.AssociationId), aws.ToString(a.AssociationName), aws.ToString(a.Name)
			if strings.HasPrefix(name, remedy.NamePrefix) {
				tags, err := tagsOf(ctx, api, types.ResourceTypeForTaggingAssociation, id)
				if err != nil {
					return f, err
				}
				if r, ok := choose(TypeAssociation, id, name, tags, runID); ok {
					r.Document = doc
					f.Remove = append(f.Remove, r)
					continue
				}
			}
			inUse[doc] = fmt.Sprintf("association %s (%s) still runs it", id, orNone(name))
		}
	}
	wp := ssm.NewDescribeMaintenanceWindowsPaginator(api, &ssm.DescribeMaintenanceWindowsInput{MaxResults: aws.Int32(50)})
	for wp.HasMorePages() {
		page, err := wp.NextPage(ctx)
		if err != nil {
			return f, fmt.Errorf("list maintenance windows: %w", err)
		}
		for _, w := range page.WindowIdentities {
			id, name := aws.ToString(w.WindowId), aws.ToString(w.Name)
			if !strings.HasPrefix(name, remedy.NamePrefix) {
				continue
			}
			tags, err := tagsOf(ctx, api, types.ResourceTypeForTaggingMaintenanceWindow, id)
			if err != nil {
				return f, err
			}
			if r, ok := choose(TypeWindow, id, name, tags, runID); ok {
				f.Remove = append(f.Remove, r)
			}
		}
	}
	// ListDocuments would find documents by tag, but patchready creates
	// only these (the last one in earlier versions), so describing them is
	// both enough and cheaper.
	for _, name := range []string{documents.ProbeDocumentName, documents.FixDocumentName, documents.UpgradeRequestsDocumentName} {
		out, err := api.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String(name)})
		if awsclient.IsNotFound(err) {
			continue
		}
		if err != nil {
			return f, fmt.Errorf("describe document %s: %w", name, err)
		}
		r, ok := choose(TypeDocument, name, name, tagMap(out.Document.Tags), runID)
		if !ok {
			continue
		}
		if why, used := inUse[name]; used {
			f.Keep = append(f.Keep, Kept{Resource: r, Why: why})
			continue
		}
		f.Remove = append(f.Remove, r)
	}
	return f, nil
}

// choose reports whether a resource with these tags is patchready's and
// selected by runID ("" selects every run).
func choose(typ, id, name string, tags map[string]string, runID string) (Resource, bool) {
	r := Resource{Type: typ, ID: id, Name: name, RunID: tags[remedy.TagRunID], Purpose: tags[remedy.TagPurpose]}
	if tags[remedy.TagManaged] != "true" {
		return r, false
	}
	return r, runID == "" || r.RunID == runID
}

func tagsOf(ctx context.Context, api API, typ types.ResourceTypeForTagging, id string) (map[string]string, error) {
	out, err := api.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: typ, ResourceId: aws.String(id)})
	if awsclient.IsNotFound(err) || awsclient.Code(err) == "InvalidResourceId" {
		return nil, nil // deleted since it was listed
	}
	if err != nil {
		return nil, fmt.Errorf("list tags of %s %s: %w", typ, id, err)
	}
	return tagMap(out.TagList), nil
}

func tagMap(ts []types.Tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func orNone(s string) string {
	if s == "" {
		return "no name"
	}
	return s
}
