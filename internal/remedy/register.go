package remedy

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/unmanaged"
)

// RegisterTarget is one unmanaged instance a run brings under management.
type RegisterTarget struct {
	InstanceID string
	// Fixes are the plan's fixes that act on it.
	Fixes []unmanaged.FixKind
}

// Register carries out the fixes that bring unmanaged instances under
// management, and is the converge stage that waits for each instance to
// register: it is verified only when DescribeInstanceInformation shows it
// Online, and fails, with the suspects no API can rule out, when that
// does not happen within its fixes' wait. Its work is done around the
// instance, not on it (converge.OffNode).
//
// Nothing it changes is removed afterwards, not even with Finish or
// cleanup: a role, a policy, Default Host Management or a profile
// association is what keeps the instance managed (see LeftOnPurpose).
type Register struct {
	apis     RegisterAPIs
	opts     Options
	fixes    []unmanaged.FixPlan
	targets  map[string]RegisterTarget
	readBack func(ctx context.Context, ids []string) (map[string]fleet.Node, error)

	mu sync.Mutex
	// waiting holds, per instance, when its fixes were made.
	waiting map[string]time.Time
	// refused holds instances a fix could not be made on, with why.
	refused map[string]string
}

// NewRegister returns the registration stage for targets, with the plan's
// requested fixes. readBack reads instances from SSM (fleet.ReadBack).
func NewRegister(apis RegisterAPIs, fixes []unmanaged.FixPlan, targets []RegisterTarget,
	readBack func(ctx context.Context, ids []string) (map[string]fleet.Node, error), opts Options) (*Register, error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	r := &Register{apis: apis, opts: opts, targets: map[string]RegisterTarget{}, readBack: readBack,
		waiting: map[string]time.Time{}, refused: map[string]string{}}
	for _, fp := range fixes {
		if fp.Requested && fp.Cannot == "" {
			r.fixes = append(r.fixes, fp)
		}
	}
	for _, t := range targets {
		if len(t.Fixes) == 0 {
			return nil, fmt.Errorf("register target %s has no fixes", t.InstanceID)
		}
		r.targets[t.InstanceID] = t
	}
	return r, nil
}

// OffNode marks the stage as done around the node (see converge.OffNode).
func (r *Register) OffNode() {}

// Start makes the fixes whose scope is a role or the region, once, before
// any instance is waited for.
func (r *Register) Start(ctx context.Context) error {
	for _, fp := range r.fixes {
		switch fp.Kind {
		case unmanaged.EnableDHMC:
			if err := r.enableHostManagement(ctx, fp); err != nil {
				return err
			}
		case unmanaged.FixRole:
			for _, role := range fp.Roles {
				if err := r.attachPolicy(ctx, role, fp.Policy, unmanaged.FixRole); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Send makes the instance-scoped fixes of ids (a profile association each)
// and starts waiting for them to register.
func (r *Register) Send(ctx context.Context, ids []string) error {
	var attach []string
	for _, id := range ids {
		t, ok := r.targets[id]
		if !ok {
			return fmt.Errorf("register: %s is not a target", id)
		}
		if slices.Contains(t.Fixes, unmanaged.AttachProfile) {
			attach = append(attach, id)
		}
	}
	if len(attach) > 0 {
		if err := r.associate(ctx, attach); err != nil {
			return err
		}
	}
	now := r.opts.Clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if _, no := r.refused[id]; !no {
			r.waiting[id] = now
		}
	}
	return nil
}

// associate gives each instance the plan's profile, unless it has it
// already (an earlier or resumed run).
func (r *Register) associate(ctx context.Context, ids []string) error {
	profile := ""
	for _, fp := range r.fixes {
		if fp.Kind == unmanaged.AttachProfile {
			profile = fp.Profile
		}
	}
	if profile == "" {
		return fmt.Errorf("register: no instance profile in the plan to attach")
	}
	current, err := r.associations(ctx, ids)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, id := range ids {
		if has, ok := current[id]; ok {
			if has != profile {
				r.refuse(id, fmt.Sprintf("has instance profile %s now, which it did not have when the plan was made: patchready replaces no association", has))
			} else {
				r.opts.Logger.Info("instance profile already associated", zap.String("instance_id", id), zap.String("profile", profile))
			}
			continue
		}
		g.Go(func() error {
			out, err := r.apis.EC2.AssociateIamInstanceProfile(gctx, &ec2.AssociateIamInstanceProfileInput{
				InstanceId: aws.String(id), IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String(profile)}})
			if awsclient.IsIncorrectState(err) || awsclient.IsNotFound(err) {
				r.refuse(id, "instance profile not associated: "+err.Error())
				return nil
			}
			if err != nil {
				return fmt.Errorf("associate instance profile %s with %s: %w", profile, id, err)
			}
			assoc := aws.ToString(out.IamInstanceProfileAssociation.AssociationId)
			r.opts.Logger.Info("associated instance profile", zap.String("instance_id", id), zap.String("profile", profile), zap.String("association_id", assoc))
			return r.opts.Journal.Created(Resource{Type: ResourceProfileAssociation, ID: assoc, Name: profile, InstanceIDs: []string{id}, Action: string(unmanaged.AttachProfile)})
		})
	}
	return g.Wait()
}

// associations returns the profile each of ids has associated (or is
// associating), by instance ID: one filtered listing per 50 instances.
func (r *Register) associations(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for chunk := range slices.Chunk(ids, 50) {
		p := ec2.NewDescribeIamInstanceProfileAssociationsPaginator(r.apis.EC2, &ec2.DescribeIamInstanceProfileAssociationsInput{
			Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: chunk},
				{Name: aws.String("state"), Values: []string{"associating", "associated"}}},
			MaxResults: aws.Int32(1000),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describe instance profile associations: %w", err)
			}
			for _, a := range page.IamInstanceProfileAssociations {
				if a.IamInstanceProfile != nil {
					out[aws.ToString(a.InstanceId)] = profileName(aws.ToString(a.IamInstanceProfile.Arn))
				}
			}
		}
	}
	return out, nil
}

func (r *Register) refuse(id, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refused[id] = why
}

// Results reads the instances waited for from SSM and returns those that
// registered (Online), failed to be fixed, or waited longer than their
// fixes allow.
func (r *Register) Results(ctx context.Context) (map[string]StageResult, error) {
	out := map[string]StageResult{}
	r.mu.Lock()
	for id, why := range r.refused {
		out[id] = StageResult{Reason: why}
		delete(r.refused, id)
	}
	ids := make([]string, 0, len(r.waiting))
	for id := range r.waiting {
		ids = append(ids, id)
	}
	r.mu.Unlock()
	if len(ids) == 0 {
		return out, nil
	}
	slices.Sort(ids)
	nodes, err := r.readBack(ctx, ids)
	if err != nil {
		return out, fmt.Errorf("register: %w", err)
	}
	now := r.opts.Clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		since := r.waiting[id]
		t := r.targets[id]
		n, ok := nodes[id]
		switch {
		case ok && n.PingStatus == fleet.PingOnline:
			out[id] = StageResult{OK: true, Reason: fmt.Sprintf("registered with SSM (Online, agent %s) %s after %s",
				orUnknown(n.AgentVersion), now.Sub(since).Round(time.Second), joinKinds(t.Fixes)),
				Changes: []Change{{What: "SSM", Before: "unmanaged", After: "registered"}}}
		case now.Sub(since) >= unmanaged.Wait(t.Fixes):
			via := !slices.Contains(t.Fixes, unmanaged.AttachProfile) && !slices.Contains(t.Fixes, unmanaged.FixRole)
			seen := ""
			if ok {
				seen = " (SSM lists it " + n.PingStatus + ")"
			}
			out[id] = StageResult{Reason: fmt.Sprintf("not registered with SSM within %s after %s%s: %s",
				unmanaged.Wait(t.Fixes), joinKinds(t.Fixes), seen, unmanaged.Suspects(via))}
		default:
			continue
		}
		delete(r.waiting, id)
	}
	return out, nil
}

func joinKinds(ks []unmanaged.FixKind) string {
	s := ""
	for i, k := range ks {
		if i > 0 {
			s += " and "
		}
		s += string(k)
	}
	return s
}

// profileName is the name at the end of an instance profile's ARN.
func profileName(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
