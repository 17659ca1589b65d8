package ssmsim

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

func TestOrganizationsListings(t *testing.T) {
	_, mgmt, _ := startOrg(t, SampleOrgOptions{Accounts: 5}, nil)
	cx := testCtx(t)
	var accounts []types.Account
	pages := 0
	p := organizations.NewListAccountsPaginator(mgmt.org, &organizations.ListAccountsInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		accounts = append(accounts, page.Accounts...)
	}
	// management + 5 members + sandbox + suspended, two per page.
	if len(accounts) != 8 || pages != 4 {
		t.Fatalf("%d accounts in %d pages, want 8 in 4", len(accounts), pages)
	}
	status := map[string]types.AccountStatus{}
	for _, a := range accounts {
		status[aws.ToString(a.Id)] = a.Status
	}
	if status[SampleSuspendedAccount] != types.AccountStatusSuspended || status[SampleManagementAccount] != types.AccountStatusActive {
		t.Errorf("statuses = %v", status)
	}

	roots, err := mgmt.org.ListRoots(cx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("ListRoots: %v %v", roots, err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	top, err := mgmt.org.ListOrganizationalUnitsForParent(cx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range top.OrganizationalUnits {
		names = append(names, aws.ToString(u.Name))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Sandbox", "Suspended", "Workloads"}) {
		t.Errorf("top-level OUs = %v", names)
	}
	// The Workloads subtree: two child OUs, whose accounts are the members.
	kids, err := mgmt.org.ListChildren(cx, &organizations.ListChildrenInput{ParentId: aws.String("ou-exam-workload"), ChildType: types.ChildTypeOrganizationalUnit})
	if err != nil || len(kids.Children) != 2 {
		t.Fatalf("ListChildren: %+v %v", kids, err)
	}
	members := 0
	for _, k := range kids.Children {
		in, err := mgmt.org.ListAccountsForParent(cx, &organizations.ListAccountsForParentInput{ParentId: k.Id})
		if err != nil {
			t.Fatal(err)
		}
		members += len(in.Accounts)
	}
	if members != 5 {
		t.Errorf("%d accounts under Workloads, want 5", members)
	}
	direct, err := mgmt.org.ListChildren(cx, &organizations.ListChildrenInput{ParentId: aws.String(root), ChildType: types.ChildTypeAccount})
	if err != nil || len(direct.Children) != 1 || aws.ToString(direct.Children[0].Id) != SampleManagementAccount {
		t.Errorf("accounts directly under the root: %+v %v", direct, err)
	}
	org, err := mgmt.org.DescribeOrganization(cx, &organizations.DescribeOrganizationInput{})
	if err != nil || aws.ToString(org.Organization.MasterAccountId) != SampleManagementAccount {
		t.Errorf("DescribeOrganization: %+v %v", org, err)
	}
}

func TestOrganizationsErrors(t *testing.T) {
	_, mgmt, _ := startOrg(t, SampleOrgOptions{}, nil)
	cx := testCtx(t)
	_, err := mgmt.org.ListAccounts(cx, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
	var bad *types.InvalidInputException
	if !errors.As(err, &bad) || bad.Reason != types.InvalidInputExceptionReasonMaxValueExceeded {
		t.Errorf("MaxResults 21: %v", err)
	}
	_, err = mgmt.org.ListAccounts(cx, &organizations.ListAccountsInput{NextToken: aws.String("forged")})
	if !errors.As(err, &bad) || bad.Reason != types.InvalidInputExceptionReasonInvalidPaginationToken {
		t.Errorf("forged token: %v", err)
	}
	_, err = mgmt.org.ListAccountsForParent(cx, &organizations.ListAccountsForParentInput{ParentId: aws.String("ou-exam-nosuchou1")})
	var nf *types.ParentNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown parent: %v", err)
	}
	member := mgmt.assume(t, SampleMemberAccount(1), DefaultRoleName, "us-east-1")
	_, err = member.org.ListAccounts(cx, &organizations.ListAccountsInput{})
	var denied *types.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Errorf("a member account lists the organization: %v", err)
	}

	alone := newClients(t, startHTTP(t, New(Options{})), "us-east-1", staticCreds)
	_, err = alone.org.ListAccounts(cx, &organizations.ListAccountsInput{})
	var notInUse *types.AWSOrganizationsNotInUseException
	if !errors.As(err, &notInUse) {
		t.Errorf("standalone account: %v", err)
	}
}
