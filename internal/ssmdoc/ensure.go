package ssmdoc

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
)

// ManagedTagKey and ManagedTagValue mark every resource patchready creates,
// so that a re-run recognises it and cleanup can find it.
const (
	ManagedTagKey   = "patchready:managed"
	ManagedTagValue = "true"
)

// API is the part of SSM that Ensure uses.
type API interface {
	DescribeDocument(context.Context, *ssm.DescribeDocumentInput, ...func(*ssm.Options)) (*ssm.DescribeDocumentOutput, error)
	CreateDocument(context.Context, *ssm.CreateDocumentInput, ...func(*ssm.Options)) (*ssm.CreateDocumentOutput, error)
	UpdateDocument(context.Context, *ssm.UpdateDocumentInput, ...func(*ssm.Options)) (*ssm.UpdateDocumentOutput, error)
	UpdateDocumentDefaultVersion(context.Context, *ssm.UpdateDocumentDefaultVersionInput, ...func(*ssm.Options)) (*ssm.UpdateDocumentDefaultVersionOutput, error)
	AddTagsToResource(context.Context, *ssm.AddTagsToResourceInput, ...func(*ssm.Options)) (*ssm.AddTagsToResourceOutput, error)
}

var _ API = (*ssm.Client)(nil)

// Options tune Ensure. The zero value is ready to use.
type Options struct {
	// Clock paces the wait for a new version to become Active (default real).
	Clock clock.Clock
	// Logger receives one line per change made (nil: none).
	Logger *zap.Logger
	// ActiveTimeout bounds that wait (default 30s).
	ActiveTimeout time.Duration
}

// Ensure makes the Command document name hold content (YAML) as its default
// version, and returns that version. It is idempotent by content hash:
//   - missing: CreateDocument, tagged patchready:managed=true plus tags;
//   - present with the same hash (documents.ContentHash): nothing changes;
//   - present with other content: UpdateDocument of $LATEST, then
//     UpdateDocumentDefaultVersion to the new version, and the tags added.
//
// Two runs racing to create the document are both fine: the loser meets
// DocumentAlreadyExists and describes again.
func Ensure(ctx context.Context, api API, name, content string, tags map[string]string, opts Options) (string, error) {
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	want := documents.ContentHash(content)
	for range 2 { // a second round only after losing a create race
		d, err := describe(ctx, api, name, "")
		switch {
		case awsclient.IsNotFound(err):
			v, err := create(ctx, api, name, content, tags)
			if awsclient.IsAlreadyExists(err) {
				continue
			}
			if err != nil {
				return "", err
			}
			log.Info("document created", zap.String("document", name), zap.String("version", v))
			return v, waitActive(ctx, api, name, v, opts)
		case err != nil:
			return "", err
		case aws.ToString(d.Hash) == want:
			if !hasManagedTag(d.Tags) {
				if err := addTags(ctx, api, name, tags); err != nil {
					return "", err
				}
			}
			return defaultVersion(d), nil
		default:
			v, err := update(ctx, api, name, content)
			if err != nil {
				return "", err
			}
			if err := waitActive(ctx, api, name, v, opts); err != nil {
				return "", err
			}
			if _, err := api.UpdateDocumentDefaultVersion(ctx, &ssm.UpdateDocumentDefaultVersionInput{
				Name: aws.String(name), DocumentVersion: aws.String(v),
			}); err != nil {
				return "", fmt.Errorf("set default version %s of document %s: %w", v, name, err)
			}
			if err := addTags(ctx, api, name, tags); err != nil {
				return "", err
			}
			log.Info("document updated", zap.String("document", name), zap.String("version", v),
				zap.String("previous_hash", aws.ToString(d.Hash)))
			return v, nil
		}
	}
	return "", fmt.Errorf("document %s: created and deleted concurrently; retry", name)
}

func describe(ctx context.Context, api API, name, version string) (*types.DocumentDescription, error) {
	in := &ssm.DescribeDocumentInput{Name: aws.String(name)}
	if version != "" {
		in.DocumentVersion = aws.String(version)
	}
	out, err := api.DescribeDocument(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("describe document %s: %w", name, err)
	}
	if out.Document == nil {
		return nil, fmt.Errorf("describe document %s: empty answer", name)
	}
	return out.Document, nil
}

func create(ctx context.Context, api API, name, content string, tags map[string]string) (string, error) {
	out, err := api.CreateDocument(ctx, &ssm.CreateDocumentInput{
		Name:           aws.String(name),
		Content:        aws.String(content),
		DocumentType:   types.DocumentTypeCommand,
		DocumentFormat: types.DocumentFormatYaml,
		Tags:           sdkTags(tags),
	})
	if err != nil {
		return "", fmt.Errorf("create document %s: %w", name, err)
	}
	return versionOf(out.DocumentDescription), nil
}

// update adds a version with content. SSM refuses content identical to an
// existing version (DuplicateDocumentContent): when that version is
// $LATEST, someone set an older default; we make $LATEST default again.
func update(ctx context.Context, api API, name, content string) (string, error) {
	out, err := api.UpdateDocument(ctx, &ssm.UpdateDocumentInput{
		Name:            aws.String(name),
		Content:         aws.String(content),
		DocumentVersion: aws.String("$LATEST"),
		DocumentFormat:  types.DocumentFormatYaml,
	})
	if awsclient.Code(err) == "DuplicateDocumentContent" {
		latest, derr := describe(ctx, api, name, "$LATEST")
		if derr == nil && aws.ToString(latest.Hash) == documents.ContentHash(content) {
			return aws.ToString(latest.DocumentVersion), nil
		}
		return "", fmt.Errorf("update document %s: an older, non-latest version already holds this content; "+
			"make it the default version or delete the document: %w", name, err)
	}
	if err != nil {
		return "", fmt.Errorf("update document %s: %w", name, err)
	}
	return versionOf(out.DocumentDescription), nil
}

// waitActive waits until version of the document is Active: SSM refuses to
// run a document still Creating or Updating.
func waitActive(ctx context.Context, api API, name, version string, opts Options) error {
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	timeout := opts.ActiveTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	deadline := clk.Now().Add(timeout)
	for {
		d, err := describe(ctx, api, name, version)
		if err != nil {
			return err
		}
		switch d.Status {
		case types.DocumentStatusActive, "":
			return nil
		case types.DocumentStatusFailed:
			return fmt.Errorf("document %s version %s: SSM rejected it: %s", name, version, aws.ToString(d.StatusInformation))
		}
		if clk.Now().After(deadline) {
			return fmt.Errorf("document %s version %s: still %s after %s", name, version, d.Status, timeout)
		}
		if err := clk.Sleep(ctx, time.Second); err != nil {
			return err
		}
	}
}

func addTags(ctx context.Context, api API, name string, tags map[string]string) error {
	if _, err := api.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{
		ResourceType: types.ResourceTypeForTaggingDocument,
		ResourceId:   aws.String(name),
		Tags:         sdkTags(tags),
	}); err != nil {
		return fmt.Errorf("tag document %s: %w", name, err)
	}
	return nil
}

// sdkTags returns tags plus the managed marker, sorted by key so requests
// are deterministic.
func sdkTags(tags map[string]string) []types.Tag {
	all := maps.Clone(tags)
	if all == nil {
		all = map[string]string{}
	}
	all[ManagedTagKey] = ManagedTagValue
	out := make([]types.Tag, 0, len(all))
	for _, k := range slices.Sorted(maps.Keys(all)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(all[k])})
	}
	return out
}

func hasManagedTag(tags []types.Tag) bool {
	return slices.ContainsFunc(tags, func(t types.Tag) bool {
		return aws.ToString(t.Key) == ManagedTagKey && aws.ToString(t.Value) == ManagedTagValue
	})
}

func versionOf(d *types.DocumentDescription) string {
	if d == nil {
		return ""
	}
	return aws.ToString(d.DocumentVersion)
}

func defaultVersion(d *types.DocumentDescription) string {
	if v := aws.ToString(d.DefaultVersion); v != "" {
		return v
	}
	return aws.ToString(d.DocumentVersion)
}
