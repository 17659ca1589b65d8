package ssmsim

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	registerOp("organizations", "DescribeOrganization", describeOrganization)
	registerOp("organizations", "DescribeAccount", describeAccount)
	registerOp("organizations", "ListAccounts", listAccounts)
	registerOp("organizations", "ListAccountsForParent", listAccountsForParent)
	registerOp("organizations", "ListRoots", listRoots)
	registerOp("organizations", "ListOrganizationalUnitsForParent", listOUsForParent)
	registerOp("organizations", "ListChildren", listChildren)
}

// orgPageMax is the MaxResults ceiling of the Organizations listings (API
// model: 1-20). Without MaxResults the simulator pages by it too: AWS
// documents that a listing may return fewer results than asked and that
// callers must follow NextToken.
const orgPageMax = 20

var reParentID = regexp.MustCompile(`^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)

// invalidInput is Organizations' validation error; its Reason member says
// which rule failed.
func invalidInput(reason, format string, args ...any) *wire.Error {
	e := wire.Errorf("InvalidInputException", format, args...)
	e.Fields = map[string]string{"Reason": reason}
	return e
}

// orgCall checks that Organizations can answer the caller: the simulator
// has an organization, and the caller is in its management account (or
// AWS answers AccessDeniedException: member accounts may not list the
// organization unless delegated, which the simulator does not model).
func orgCall(c *call) *wire.Error {
	if c.s.org == nil {
		return wire.Errorf("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	if c.acct != c.s.management {
		return wire.Errorf("AccessDeniedException", "You don't have permissions to access this resource.").WithStatus(http.StatusBadRequest)
	}
	return nil
}

type orgAccountOut struct {
	ID              string  `json:"Id"`
	Arn             string  `json:"Arn"`
	Email           string  `json:"Email"`
	Name            string  `json:"Name"`
	Status          string  `json:"Status"`
	State           string  `json:"State"`
	JoinedMethod    string  `json:"JoinedMethod"`
	JoinedTimestamp float64 `json:"JoinedTimestamp"`
}

func (s *Server) accountOut(a *account) orgAccountOut {
	method := "CREATED"
	if a == s.management {
		method = "INVITED"
	}
	return orgAccountOut{ID: a.id, Arn: s.orgARN("account", a.id), Email: a.email, Name: a.name,
		Status: a.status, State: a.status, JoinedMethod: method, JoinedTimestamp: epoch(a.joined)}
}

func describeOrganization(c *call) (any, *wire.Error) {
	if c.s.org == nil {
		return nil, wire.Errorf("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	// Any member account may describe its organization.
	m := c.s.management
	return map[string]any{"Organization": map[string]any{
		"Id": c.s.org.id, "Arn": "arn:aws:organizations::" + m.id + ":organization/" + c.s.org.id,
		"FeatureSet": "ALL", "MasterAccountArn": c.s.orgARN("account", m.id), "MasterAccountId": m.id,
		"MasterAccountEmail": m.email, "AvailablePolicyTypes": []any{},
	}}, nil
}

func describeAccount(c *call) (any, *wire.Error) {
	if err := orgCall(c); err != nil {
		return nil, err
	}
	var in struct {
		AccountID *string `json:"AccountId"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.AccountID == nil {
		return nil, invalidInput("INPUT_REQUIRED", "You must specify a value for AccountId.")
	}
	if !reAccountID.MatchString(*in.AccountID) {
		return nil, invalidInput("INVALID_PATTERN", "The value of AccountId doesn't match the required pattern.")
	}
	a, ok := c.s.accounts[*in.AccountID]
	if !ok {
		return nil, wire.Errorf("AccountNotFoundException", "You specified an account that doesn't exist.")
	}
	return map[string]any{"Account": c.s.accountOut(a)}, nil
}

// orgPaging is the paging input every listing takes.
type orgPaging struct {
	MaxResults *int   `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

// orgPage returns the page of items a listing asks for. Tokens are the
// simulator's checked tokens, good for the same operation and query only.
func orgPage[T any](c *call, p orgPaging, query string, items []T, key func(T) string) ([]T, string, *wire.Error) {
	if p.MaxResults != nil && (*p.MaxResults < 1 || *p.MaxResults > orgPageMax) {
		reason := "MIN_VALUE_EXCEEDED"
		if *p.MaxResults > orgPageMax {
			reason = "MAX_VALUE_EXCEEDED"
		}
		return nil, "", invalidInput(reason, "MaxResults must be between 1 and %d.", orgPageMax)
	}
	scope := "org/" + c.acct.id
	start := 0
	if p.NextToken != "" {
		t, err := c.s.decodeToken(p.NextToken, c.op, scope, query)
		if err != nil {
			return nil, "", invalidInput("INVALID_NEXT_TOKEN", "The specified token is not valid.")
		}
		for start < len(items) && key(items[start]) <= t.Last {
			start++
		}
	}
	limit := orgPageMax
	if p.MaxResults != nil {
		limit = *p.MaxResults
	}
	end := min(len(items), start+limit)
	next := ""
	if end < len(items) {
		next = c.s.encodeToken(pageToken{Op: c.op, Region: scope, Last: key(items[end-1]), Query: query})
	}
	return items[start:end], next, nil
}

func listAccounts(c *call) (any, *wire.Error) {
	if err := orgCall(c); err != nil {
		return nil, err
	}
	var in orgPaging
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	return c.s.accountListing(c, in, "", c.s.accountOrder)
}

// accountListing pages accounts in ID order, the order the simulator's
// tokens resume from.
func (s *Server) accountListing(c *call, in orgPaging, query string, accounts []*account) (any, *wire.Error) {
	sorted := append([]*account(nil), accounts...)
	slices.SortFunc(sorted, func(a, b *account) int { return strings.Compare(a.id, b.id) })
	page, next, err := orgPage(c, in, query, sorted, func(a *account) string { return a.id })
	if err != nil {
		return nil, err
	}
	out := make([]orgAccountOut, len(page))
	for i, a := range page {
		out[i] = s.accountOut(a)
	}
	return map[string]any{"Accounts": out, "NextToken": omitEmpty(next)}, nil
}

// parentRequest is the input of the listings under one parent.
type parentRequest struct {
	orgPaging
	ParentID  *string `json:"ParentId"`
	ChildType *string `json:"ChildType"`
}

// parentInput reads and checks a ParentId; the error is
// ParentNotFoundException for a well-formed ID the organization lacks.
func parentInput(c *call, in *parentRequest, needType bool) *wire.Error {
	if err := orgCall(c); err != nil {
		return err
	}
	if err := decode(c.body, in); err != nil {
		return err
	}
	if in.ParentID == nil {
		return invalidInput("INPUT_REQUIRED", "You must specify a value for ParentId.")
	}
	if !reParentID.MatchString(*in.ParentID) {
		return invalidInput("INVALID_PATTERN", "The value of ParentId doesn't match the required pattern.")
	}
	if needType {
		if in.ChildType == nil {
			return invalidInput("INPUT_REQUIRED", "You must specify a value for ChildType.")
		}
		if *in.ChildType != "ACCOUNT" && *in.ChildType != "ORGANIZATIONAL_UNIT" {
			return invalidInput("INVALID_ENUM", "You specified an invalid value for ChildType.")
		}
	}
	if _, ok := c.s.org.unitByID[*in.ParentID]; !ok && *in.ParentID != c.s.org.rootID {
		return wire.Errorf("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	return nil
}

func (s *Server) accountsUnder(parent string) []*account {
	var out []*account
	for _, a := range s.accountOrder {
		if a.parent == parent {
			out = append(out, a)
		}
	}
	return out
}

func (s *Server) unitsUnder(parent string) []OrganizationalUnit {
	var out []OrganizationalUnit
	for _, u := range s.org.units {
		if u.Parent == parent {
			out = append(out, u)
		}
	}
	return out
}

func listAccountsForParent(c *call) (any, *wire.Error) {
	var in parentRequest
	if err := parentInput(c, &in, false); err != nil {
		return nil, err
	}
	return c.s.accountListing(c, in.orgPaging, *in.ParentID, c.s.accountsUnder(*in.ParentID))
}

func listRoots(c *call) (any, *wire.Error) {
	if err := orgCall(c); err != nil {
		return nil, err
	}
	var in orgPaging
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	roots := []string{c.s.org.rootID}
	page, next, err := orgPage(c, in, "", roots, func(id string) string { return id })
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(page))
	for i, id := range page {
		out[i] = map[string]any{"Id": id, "Arn": c.s.orgARN("root", id), "Name": "Root", "PolicyTypes": []any{}}
	}
	return map[string]any{"Roots": out, "NextToken": omitEmpty(next)}, nil
}

func listOUsForParent(c *call) (any, *wire.Error) {
	var in parentRequest
	if err := parentInput(c, &in, false); err != nil {
		return nil, err
	}
	units := c.s.unitsUnder(*in.ParentID)
	slices.SortFunc(units, func(a, b OrganizationalUnit) int { return strings.Compare(a.ID, b.ID) })
	page, next, err := orgPage(c, in.orgPaging, *in.ParentID, units, func(u OrganizationalUnit) string { return u.ID })
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(page))
	for i, u := range page {
		out[i] = map[string]any{"Id": u.ID, "Arn": c.s.orgARN("ou", u.ID), "Name": u.Name}
	}
	return map[string]any{"OrganizationalUnits": out, "NextToken": omitEmpty(next)}, nil
}

func listChildren(c *call) (any, *wire.Error) {
	var in parentRequest
	if err := parentInput(c, &in, true); err != nil {
		return nil, err
	}
	var ids []string
	if *in.ChildType == "ACCOUNT" {
		for _, a := range c.s.accountsUnder(*in.ParentID) {
			ids = append(ids, a.id)
		}
	} else {
		for _, u := range c.s.unitsUnder(*in.ParentID) {
			ids = append(ids, u.ID)
		}
	}
	slices.Sort(ids)
	page, next, err := orgPage(c, in.orgPaging, *in.ParentID+"/"+*in.ChildType, ids, func(id string) string { return id })
	if err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(page))
	for i, id := range page {
		out[i] = map[string]string{"Id": id, "Type": *in.ChildType}
	}
	return map[string]any{"Children": out, "NextToken": omitEmpty(next)}, nil
}
