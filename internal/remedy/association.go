package remedy

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
)

// AssociationLimit is the number of active associations AWS allows per
// account and region.
const AssociationLimit = 2000

// AssociationAPI is what the association strategy calls.
type AssociationAPI interface {
	ssm.ListAssociationsAPIClient
	ssm.DescribeAssociationExecutionsAPIClient
	ssm.DescribeAssociationExecutionTargetsAPIClient
	CreateAssociation(ctx context.Context, in *ssm.CreateAssociationInput, optFns ...func(*ssm.Options)) (*ssm.CreateAssociationOutput, error)
	DescribeAssociation(ctx context.Context, in *ssm.DescribeAssociationInput, optFns ...func(*ssm.Options)) (*ssm.DescribeAssociationOutput, error)
	DeleteAssociation(ctx context.Context, in *ssm.DeleteAssociationInput, optFns ...func(*ssm.Options)) (*ssm.DeleteAssociationOutput, error)
	StartAssociationsOnce(ctx context.Context, in *ssm.StartAssociationsOnceInput, optFns ...func(*ssm.Options)) (*ssm.StartAssociationsOnceOutput, error)
}

var _ AssociationAPI = (*ssm.Client)(nil)

var associationStrategy = Strategy{
	Name:    "association",
	Summary: "one-shot State Manager associations running AWS-UpdateSSMAgent, ≤ 50 nodes each, removed once their nodes are verified",
	UseWhen: "now, with SSM's rate controls; the default",
	New:     func(api API, o Options) (AgentUpdater, error) { return NewAssociations(api, o) },
}

// Associations updates the agent through one-shot State Manager
// associations running AWS-UpdateSSMAgent, one per batch of ≤ 50 nodes.
type Associations struct {
	api  AssociationAPI
	opts Options

	mu    sync.Mutex
	owned []association // in batch order
	// drilled holds, per association, the counts its overview showed when
	// Status last read its targets.
	drilled map[string]overviewCounts
	// unexplained holds the counts of associations whose overview, when
	// Status last listed it, showed successes its settled nodes did not
	// account for, and which were not drilled into then.
	unexplained map[string]overviewCounts
}

type association struct {
	id, name string
	ids      []string
	// created is false for an association found in the account: patchready
	// reuses it but does not delete what it did not create in this run.
	created bool
}

// NewAssociations returns the association strategy.
func NewAssociations(api AssociationAPI, opts Options) (*Associations, error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &Associations{api: api, opts: opts}, nil
}

// Interrupt leaves the associations running: they finish their work in
// SSM, and a resumed run finds them again by name.
func (a *Associations) Interrupt(context.Context) error { return nil }

// Start creates one association per batch, or reuses one with the same
// deterministic name, re-running it so that its nodes are updated now.
func (a *Associations) Start(ctx context.Context, batches [][]string) error {
	params := updateAgentParams(a.opts.AgentVersion)
	existing, total, err := a.listAll(ctx)
	if err != nil {
		return err
	}
	removed, err := a.replaceLeftovers(ctx, existing, batches, params)
	if err != nil {
		return err
	}
	total -= removed
	var toCreate, toRerun []association
	for _, ids := range batches {
		name := resourceName("update-agent", ids, params)
		if ex, ok := existing[name]; ok {
			toRerun = append(toRerun, association{id: ex.id, name: name, ids: ids, created: true})
			continue
		}
		toCreate = append(toCreate, association{name: name, ids: ids})
	}
	if total+len(toCreate) > AssociationLimit {
		return fmt.Errorf("creating %d associations would pass the limit of %d per region (%d exist): apply a smaller selection (--max-targets, --tag) or use --strategy maintenance-window",
			len(toCreate), AssociationLimit, total)
	}
	a.owned = append(a.owned, toRerun...)
	resumed := map[string]bool{}
	for _, r := range a.opts.Resumed {
		if r.Type == ResourceAssociation {
			resumed[r.ID] = true
		}
	}
	var rerun []association
	for _, as := range toRerun {
		if resumed[as.id] {
			// Created by the interrupted part of this run: it has run
			// (associations run on creation) and is followed as it is.
			a.opts.Logger.Info("resuming association", zap.String("association_id", as.id), zap.String("name", as.name))
			continue
		}
		rerun = append(rerun, as)
		a.opts.Logger.Info("reusing association", zap.String("association_id", as.id), zap.String("name", as.name))
		if err := a.opts.Journal.Created(Resource{Type: ResourceAssociation, ID: as.id, Name: as.name, InstanceIDs: as.ids, Action: "update-agent"}); err != nil {
			return err
		}
	}
	for _, ids := range chunk(idsOf(rerun), 10) {
		if _, err := a.api.StartAssociationsOnce(ctx, &ssm.StartAssociationsOnceInput{AssociationIds: ids}); err != nil {
			return fmt.Errorf("re-run associations: %w", err)
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, as := range toCreate {
		g.Go(func() error { return a.create(gctx, as, params) })
	}
	return g.Wait()
}

func idsOf(as []association) []string {
	out := make([]string, len(as))
	for i, x := range as {
		out[i] = x.id
	}
	return out
}

func (a *Associations) create(ctx context.Context, as association, params map[string][]string) error {
	out, err := a.api.CreateAssociation(ctx, &ssm.CreateAssociationInput{
		Name:            aws.String(documents.UpdateAgentDocumentName),
		AssociationName: aws.String(as.name),
		Targets:         []types.Target{{Key: aws.String("InstanceIds"), Values: as.ids}},
		Parameters:      params,
		MaxConcurrency:  aws.String(a.opts.MaxConcurrency),
		MaxErrors:       aws.String(a.opts.MaxErrors),
		Tags:            tags(a.opts.RunID, "update-agent"),
	})
	if err != nil {
		if awsclient.IsAlreadyExists(err) {
			// The same document on the same targets exists under another
			// name (made by someone else): it will do the same job, so
			// watch it but leave it alone afterwards.
			id, ferr := a.findByTargets(ctx, as.ids)
			if ferr != nil {
				return fmt.Errorf("create association %s: %w (and finding the existing one: %v)", as.name, err, ferr)
			}
			if perr := a.sameParameters(ctx, id, params); perr != nil {
				return perr
			}
			a.opts.Logger.Info("association for these nodes already exists", zap.String("association_id", id))
			a.mu.Lock()
			a.owned = append(a.owned, association{id: id, name: as.name, ids: as.ids})
			a.mu.Unlock()
			return nil
		}
		return fmt.Errorf("create association %s: %w", as.name, err)
	}
	as.id = aws.ToString(out.AssociationDescription.AssociationId)
	as.created = true
	a.mu.Lock()
	a.owned = append(a.owned, as)
	a.mu.Unlock()
	a.opts.Logger.Info("created association", zap.String("association_id", as.id), zap.String("name", as.name), zap.Int("nodes", len(as.ids)))
	return a.opts.Journal.Created(Resource{Type: ResourceAssociation, ID: as.id, Name: as.name, InstanceIDs: as.ids, Action: "update-agent"})
}

// existingAssociation is one of patchready's associations found in the
// account.
type existingAssociation struct {
	id, name string
	targets  []string // its InstanceIds target values
}

// listAll reads every association once: it both counts them against the
// limit and finds patchready's own by name, in ceil(n/50) calls.
func (a *Associations) listAll(ctx context.Context) (map[string]existingAssociation, int, error) {
	byName := map[string]existingAssociation{}
	total := 0
	p := ssm.NewListAssociationsPaginator(a.api, &ssm.ListAssociationsInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("list associations: %w", err)
		}
		total += len(page.Associations)
		for _, as := range page.Associations {
			if name := aws.ToString(as.AssociationName); strings.HasPrefix(name, NamePrefix) {
				ex := existingAssociation{id: aws.ToString(as.AssociationId), name: name}
				for _, t := range as.Targets {
					if aws.ToString(t.Key) == "InstanceIds" {
						ex.targets = append(ex.targets, t.Values...)
					}
				}
				byName[name] = ex
			}
		}
	}
	return byName, total, nil
}

func (a *Associations) findByTargets(ctx context.Context, ids []string) (string, error) {
	want := strings.Join(ids, ",")
	found := ""
	err := a.eachUpdateAssociation(ctx, func(as types.Association) bool {
		for _, t := range as.Targets {
			if aws.ToString(t.Key) == "InstanceIds" && strings.Join(t.Values, ",") == want {
				found = aws.ToString(as.AssociationId)
				return false
			}
		}
		return true
	})
	if err != nil || found != "" {
		return found, err
	}
	return "", fmt.Errorf("no association targets exactly these %d nodes", len(ids))
}

// eachUpdateAssociation calls fn with every AWS-UpdateSSMAgent association
// in the region (one filtered listing, 50 a page) until fn returns false.
func (a *Associations) eachUpdateAssociation(ctx context.Context, fn func(types.Association) bool) error {
	p := ssm.NewListAssociationsPaginator(a.api, &ssm.ListAssociationsInput{
		MaxResults:            aws.Int32(50),
		AssociationFilterList: []types.AssociationFilter{{Key: types.AssociationFilterKeyName, Value: aws.String(documents.UpdateAgentDocumentName)}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list agent update associations: %w", err)
		}
		for _, as := range page.Associations {
			if !fn(as) {
				return nil
			}
		}
	}
	return nil
}
