package targets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/plan"
)

// Conn is one target the run reached: where it is and its clients.
type Conn struct {
	Account     string
	AccountName string
	Region      string
	// Config is the target's AWS configuration (account credentials,
	// region, a retryer of its own), for any client a workflow needs.
	Config aws.Config
	// SSM is the target's SSM client; EC2 and IAM are the clients that
	// find its unmanaged instances.
	SSM *ssm.Client
	EC2 *ec2.Client
	IAM *iam.Client
}

// Target is the conn's target, as a plan records it.
func (c *Conn) Target() plan.Target {
	return plan.Target{Account: c.Account, AccountName: c.AccountName, Region: c.Region}
}

// Skipped is an account the organization lists that the run leaves out.
type Skipped struct {
	Account, Name string
	Why           string
}

// Set is the targets of a run: those reached, with their clients, those
// that failed, with why, and the accounts left out on purpose.
type Set struct {
	Conns   []*Conn
	Failed  []plan.Target
	Skipped []Skipped
}

// AllRegions is the region of a failed target whose account could not be
// reached at all when --all-regions was to find its regions.
const AllRegions = "*"

// Resolve turns the spec into targets: the accounts (the caller's, those
// named, or the organization's ACTIVE ones), then each account's regions
// (asked in the account: opt-in regions differ between accounts), each
// account reached through its role. Accounts are resolved in parallel,
// bounded by spec.Parallel. An account or region that cannot be reached
// is a failed target; the error is for what stops every target (listing
// the organization).
func Resolve(ctx context.Context, h *Hub, spec Spec) (*Set, error) {
	set := &Set{}
	accounts, err := h.accounts(ctx, spec, set)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	Each(ctx, accounts, spec.Parallel, func(ctx context.Context, _ int, a Account) {
		conns, failed := h.resolveAccount(ctx, a, spec.Regions, spec.AllRegions)
		mu.Lock()
		defer mu.Unlock()
		set.Conns = append(set.Conns, conns...)
		set.Failed = append(set.Failed, failed...)
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	set.sort()
	return set, nil
}

// accounts lists the accounts the spec covers, without those excluded,
// recording in set the ones the organization lists but a run skips.
func (h *Hub) accounts(ctx context.Context, spec Spec, set *Set) ([]Account, error) {
	var out []Account
	switch {
	case len(spec.Accounts) > 0:
		for _, id := range spec.Accounts {
			out = append(out, Account{ID: id})
		}
	case spec.Org || len(spec.OUs) > 0:
		listed, err := listOrg(ctx, h.organizations(), spec.OUs)
		if err != nil {
			return nil, err
		}
		for _, a := range listed {
			if a.Status != "ACTIVE" {
				if !slices.Contains(spec.Exclude, a.ID) {
					set.Skipped = append(set.Skipped, Skipped{Account: a.ID, Name: a.Name,
						Why: "the organization lists it " + a.Status + "; only ACTIVE accounts are covered"})
				}
				continue
			}
			out = append(out, a)
		}
	default:
		out = []Account{{ID: h.Account}}
	}
	out = slices.DeleteFunc(out, func(a Account) bool { return slices.Contains(spec.Exclude, a.ID) })
	slices.SortFunc(out, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	return slices.CompactFunc(out, func(a, b Account) bool { return a.ID == b.ID }), nil
}

// ResolveList reaches the targets a saved plan names, each account
// through its role, each region checked as Resolve checks it.
func ResolveList(ctx context.Context, h *Hub, list []plan.Target, parallel int) (*Set, error) {
	byAccount := map[string][]string{}
	var accounts []Account
	for _, t := range list {
		if _, ok := byAccount[t.Account]; !ok {
			accounts = append(accounts, Account{ID: t.Account, Name: t.AccountName})
		}
		byAccount[t.Account] = append(byAccount[t.Account], t.Region)
	}
	set := &Set{}
	var mu sync.Mutex
	Each(ctx, accounts, parallel, func(ctx context.Context, _ int, a Account) {
		conns, failed := h.resolveAccount(ctx, a, byAccount[a.ID], false)
		mu.Lock()
		defer mu.Unlock()
		set.Conns = append(set.Conns, conns...)
		set.Failed = append(set.Failed, failed...)
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	set.sort()
	return set, nil
}

// resolveAccount reaches one account and finds its targets: the named
// regions, every region it has enabled (all), or the home region.
func (h *Hub) resolveAccount(ctx context.Context, a Account, named []string, all bool) ([]*Conn, []plan.Target) {
	log := h.c.Logger.With(zap.String("account", a.ID))
	fail := func(err error) []plan.Target {
		regions := named
		switch {
		case all:
			regions = []string{AllRegions}
		case len(regions) == 0:
			regions = []string{h.HomeRegion()}
		}
		var out []plan.Target
		for _, r := range regions {
			out = append(out, plan.Target{Account: a.ID, AccountName: a.Name, Region: r, Failure: Classify(Where(a.ID, ""), err)})
		}
		return out
	}
	if a.ID != h.Account {
		if _, err := h.credentials(a.ID).Retrieve(ctx); err != nil {
			if a.Status == "" {
				// Named with --accounts: ask the organization, when the
				// caller may, whether the account is suspended, which AWS
				// answers with the same AccessDenied as a missing role.
				if st, name := statusOf(ctx, h.organizations(), a.ID); st != "" && st != "ACTIVE" {
					a.Name = name
					err = fmt.Errorf("%w: the organization lists it %s: %w", errSuspended, st, err)
				}
			}
			log.Info("account unreachable", zap.Error(err))
			return nil, fail(err)
		}
	}
	enabled, order, err := regionsOf(ctx, h.ec2(a.ID))
	if awsclient.Code(err) == "OptInRequired" {
		// Asked in the home region, which the hub itself uses: EC2 refuses
		// the account, not the region (a suspended account's credentials).
		err = fmt.Errorf("%w: %w", errSuspended, err)
	}
	if err != nil {
		log.Info("account regions unreadable", zap.Error(err))
		return nil, fail(err)
	}
	var regions []string
	switch {
	case all:
		for _, r := range order {
			if enabled[r] {
				regions = append(regions, r)
			}
		}
	case len(named) > 0:
		regions = named
	default:
		regions = []string{h.HomeRegion()}
	}
	var conns []*Conn
	var failed []plan.Target
	for _, r := range regions {
		on, known := enabled[r]
		if !on {
			why := fmt.Errorf("%w: %s is not enabled in account %s", errRegionDisabled, r, a.ID)
			if !known {
				why = fmt.Errorf("%w: AWS lists no region %s for account %s", errRegionDisabled, r, a.ID)
			}
			failed = append(failed, plan.Target{Account: a.ID, AccountName: a.Name, Region: r, Failure: Classify(Where(a.ID, r), why)})
			continue
		}
		cfg := h.Config(a.ID, r)
		conns = append(conns, &Conn{Account: a.ID, AccountName: a.Name, Region: r, Config: cfg, SSM: h.SSM(cfg), EC2: h.EC2(cfg), IAM: h.IAM(cfg)})
	}
	return conns, failed
}

// ErrNoTargets is returned by callers when a spec resolves to nothing.
var ErrNoTargets = errors.New("no account and region to cover")

func (s *Set) sort() {
	slices.SortFunc(s.Conns, func(a, b *Conn) int { return strings.Compare(a.Account+"/"+a.Region, b.Account+"/"+b.Region) })
	slices.SortFunc(s.Failed, func(a, b plan.Target) int { return strings.Compare(a.Key(), b.Key()) })
}
