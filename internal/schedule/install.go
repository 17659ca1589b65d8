package schedule

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmdoc"
)

// API is the part of SSM that install, show and remove use.
type API interface {
	ssmdoc.API
	ssm.ListAssociationsAPIClient
	ssm.DescribeAssociationExecutionsAPIClient
	DescribeAssociation(ctx context.Context, in *ssm.DescribeAssociationInput, optFns ...func(*ssm.Options)) (*ssm.DescribeAssociationOutput, error)
	CreateAssociation(ctx context.Context, in *ssm.CreateAssociationInput, optFns ...func(*ssm.Options)) (*ssm.CreateAssociationOutput, error)
	UpdateAssociation(ctx context.Context, in *ssm.UpdateAssociationInput, optFns ...func(*ssm.Options)) (*ssm.UpdateAssociationOutput, error)
	DeleteAssociation(ctx context.Context, in *ssm.DeleteAssociationInput, optFns ...func(*ssm.Options)) (*ssm.DeleteAssociationOutput, error)
}

var _ API = (*ssm.Client)(nil)

// Options tune install, show and remove. The zero value is ready to use.
type Options struct {
	Clock  clock.Clock
	Logger *zap.Logger
}

func (o Options) logger() *zap.Logger {
	if o.Logger == nil {
		return zap.NewNop()
	}
	return o.Logger
}

// What install did to one association.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
	// Covered: an association not made by patchready already runs the same
	// document on the same targets (AWS's own agent auto-update, say); SSM
	// refuses a second one, and the existing one does the job.
	Covered = "covered"
)

// Change is what install did to one association.
type Change struct {
	Name   string `json:"name"`
	ID     string `json:"id"`
	Action string `json:"action"`
	// Detail says what changed, or whose association covers the purpose.
	Detail   string `json:"detail,omitempty"`
	Document string `json:"document"`
	Schedule string `json:"schedule"`
	Targets  string `json:"targets"`
}

// Install makes the schedule's associations exist exactly as spec says:
// created when missing, updated in place when different, left alone when
// equal. It first makes sure the fix document is current.
//
// A schedule expression State Manager would refuse is refused before
// anything is created (else the document would be left behind).
func Install(ctx context.Context, api API, spec Spec, opts Options) ([]Change, error) {
	log := opts.logger()
	if err := ValidateExpression(spec.withDefaults().Schedule); err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec.Schedule, err)
	}
	if _, err := ssmdoc.Ensure(ctx, api, documents.FixDocumentName, documents.FixYAML,
		map[string]string{remedy.TagManaged: "true", remedy.TagPurpose: PurposeSchedule},
		ssmdoc.Options{Clock: opts.Clock, Logger: log}); err != nil {
		return nil, fmt.Errorf("fix document: %w", err)
	}
	var out []Change
	for _, d := range spec.associations() {
		c, err := install(ctx, api, d, log)
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}

func install(ctx context.Context, api API, d desired, log *zap.Logger) (Change, error) {
	c := Change{Name: d.name, Document: d.document, Schedule: d.schedule, Targets: TargetsString(d.targets)}
	found, err := findByName(ctx, api, d.name)
	if err != nil {
		return c, err
	}
	if len(found) > 1 {
		// Two installs raced: keep the oldest, which is listed first.
		log.Warn("several associations share the schedule's name; managing the first", zap.String("name", d.name), zap.Int("count", len(found)))
	}
	if len(found) == 0 {
		return create(ctx, api, d, c, log)
	}
	c.ID = aws.ToString(found[0].AssociationId)
	got, err := api.DescribeAssociation(ctx, &ssm.DescribeAssociationInput{AssociationId: aws.String(c.ID)})
	if err != nil {
		return c, fmt.Errorf("describe association %s: %w", d.name, err)
	}
	diff := d.differs(got.AssociationDescription)
	if diff == "" {
		c.Action = Unchanged
		log.Info("schedule association unchanged", zap.String("name", d.name), zap.String("association_id", c.ID))
		return c, nil
	}
	// UpdateAssociation resets every optional member left out, so every
	// member install cares about is sent again.
	if _, err := api.UpdateAssociation(ctx, &ssm.UpdateAssociationInput{
		AssociationId: aws.String(c.ID), AssociationVersion: aws.String("$LATEST"),
		AssociationName: aws.String(d.name), Name: aws.String(d.document), Targets: d.targets,
		Parameters: d.params, ScheduleExpression: aws.String(d.schedule),
		MaxConcurrency: aws.String(d.maxConc), MaxErrors: aws.String(d.maxErr),
	}); err != nil {
		return c, fmt.Errorf("update association %s: %w", d.name, err)
	}
	// An association made before tagging, or retagged by hand, gets the
	// tags that cleanup looks for.
	if _, err := api.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{
		ResourceType: types.ResourceTypeForTaggingAssociation, ResourceId: aws.String(c.ID), Tags: scheduleTags(),
	}); err != nil {
		return c, fmt.Errorf("tag association %s: %w", d.name, err)
	}
	c.Action, c.Detail = Updated, diff
	log.Info("schedule association updated", zap.String("name", d.name), zap.String("association_id", c.ID), zap.String("changes", diff))
	return c, nil
}

func create(ctx context.Context, api API, d desired, c Change, log *zap.Logger) (Change, error) {
	out, err := api.CreateAssociation(ctx, &ssm.CreateAssociationInput{
		Name: aws.String(d.document), AssociationName: aws.String(d.name), Targets: d.targets,
		Parameters: d.params, ScheduleExpression: aws.String(d.schedule),
		MaxConcurrency: aws.String(d.maxConc), MaxErrors: aws.String(d.maxErr), Tags: scheduleTags(),
	})
	if awsclient.IsAlreadyExists(err) {
		other, ferr := findByTargets(ctx, api, d)
		if ferr != nil {
			return c, fmt.Errorf("create association %s: %w (and finding the existing one: %v)", d.name, err, ferr)
		}
		c.Action, c.ID = Covered, aws.ToString(other.AssociationId)
		c.Detail = fmt.Sprintf("association %s (%q), not made by patchready, already runs %s on these targets; it was left as it is",
			c.ID, aws.ToString(other.AssociationName), d.document)
		if s := aws.ToString(other.ScheduleExpression); s != "" {
			c.Schedule = s
		}
		log.Info("schedule purpose covered by an existing association", zap.String("name", d.name), zap.String("association_id", c.ID))
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("create association %s: %w", d.name, err)
	}
	c.ID, c.Action = aws.ToString(out.AssociationDescription.AssociationId), Created
	log.Info("schedule association created", zap.String("name", d.name), zap.String("association_id", c.ID),
		zap.String("schedule", d.schedule), zap.String("targets", c.Targets))
	return c, nil
}

// findByName lists the associations named name, oldest first.
func findByName(ctx context.Context, api API, name string) ([]types.Association, error) {
	return list(ctx, api, types.AssociationFilter{Key: types.AssociationFilterKeyAssociationName, Value: aws.String(name)}, nil)
}

// findByTargets finds the association of d's document on exactly d's
// targets, whatever its name.
func findByTargets(ctx context.Context, api API, d desired) (types.Association, error) {
	want := TargetsString(d.targets)
	// The filter key Name is the document's name.
	found, err := list(ctx, api, types.AssociationFilter{Key: types.AssociationFilterKeyName, Value: aws.String(d.document)},
		func(a types.Association) bool { return TargetsString(a.Targets) == want })
	if err != nil {
		return types.Association{}, err
	}
	if len(found) == 0 {
		return types.Association{}, fmt.Errorf("no association of %s targets %s", d.document, want)
	}
	return found[0], nil
}

func list(ctx context.Context, api API, f types.AssociationFilter, keep func(types.Association) bool) ([]types.Association, error) {
	var out []types.Association
	p := ssm.NewListAssociationsPaginator(api, &ssm.ListAssociationsInput{MaxResults: aws.Int32(50), AssociationFilterList: []types.AssociationFilter{f}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list associations: %w", err)
		}
		for _, a := range page.Associations {
			if keep == nil || keep(a) {
				out = append(out, a)
			}
		}
	}
	return out, nil
}
