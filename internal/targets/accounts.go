package targets

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// orgAPI is the part of Organizations that listing accounts uses.
type orgAPI interface {
	organizations.ListAccountsAPIClient
	organizations.ListAccountsForParentAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
	DescribeAccount(ctx context.Context, in *organizations.DescribeAccountInput, optFns ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
}

var _ orgAPI = (*organizations.Client)(nil)

// orgPageSize is the largest page Organizations' listings return.
const orgPageSize = 20

// Account is one account a run may cover.
type Account struct {
	ID   string
	Name string
	// Status is the organization's (ACTIVE, SUSPENDED, PENDING_CLOSURE),
	// empty when the account was named with --accounts.
	Status string
}

// listOrg returns the organization's accounts, or those under the OUs
// (whole subtrees), sorted by ID.
func listOrg(ctx context.Context, api orgAPI, ous []string) ([]Account, error) {
	var out []Account
	add := func(as []types.Account) {
		for _, a := range as {
			out = append(out, Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Status: string(a.Status)})
		}
	}
	if len(ous) == 0 {
		p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{MaxResults: aws.Int32(orgPageSize)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list the organization's accounts: %w", err)
			}
			add(page.Accounts)
		}
	}
	// Each OU's accounts, then its child OUs: the whole subtree. seen
	// bounds the walk by the organization's size.
	queue, seen := slices.Clone(ous), map[string]bool{}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		if seen[parent] {
			continue
		}
		seen[parent] = true
		ap := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent), MaxResults: aws.Int32(orgPageSize)})
		for ap.HasMorePages() {
			page, err := ap.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list the accounts of %s: %w", parent, err)
			}
			add(page.Accounts)
		}
		op := organizations.NewListOrganizationalUnitsForParentPaginator(api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent), MaxResults: aws.Int32(orgPageSize)})
		for op.HasMorePages() {
			page, err := op.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list the OUs under %s: %w", parent, err)
			}
			for _, ou := range page.OrganizationalUnits {
				queue = append(queue, aws.ToString(ou.Id))
			}
		}
	}
	slices.SortFunc(out, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	return slices.CompactFunc(out, func(a, b Account) bool { return a.ID == b.ID }), nil
}

// statusOf asks the organization for one account's status, to explain a
// role that could not be assumed; "" when the caller may not ask.
func statusOf(ctx context.Context, api orgAPI, id string) (string, string) {
	out, err := api.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
	if err != nil || out.Account == nil {
		return "", ""
	}
	return string(out.Account.Status), aws.ToString(out.Account.Name)
}
