package unmanaged

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/fleet"
)

// roleFacts is what IAM shows of one role: whether it exists, whom it
// trusts and which managed policies it carries.
type roleFacts struct {
	exists, unreadable bool
	trusts             []string // services its trust policy lets assume it
	policies           []string // attached managed policy ARNs
}

// problem says why the role cannot register an agent for a service that
// must be trusted and one of the policies in want ("" when it can).
func (r roleFacts) problem(service string, want []string) string {
	switch {
	case r.unreadable:
		return fleet.RoleUnreadable
	case !r.exists:
		return fleet.RoleMissing
	case !slices.Contains(r.trusts, service):
		return fleet.RoleNotTrusted
	case !hasAny(r.policies, want):
		return fleet.RoleNoSSMPolicy
	}
	return ""
}

// iamReader reads roles and profiles once each per discovery.
type iamReader struct {
	api      IAMAPI
	roles    map[string]roleFacts
	profiles map[string]profileFacts
}

type profileFacts struct {
	exists, unreadable bool
	arn, role          string
}

func newIAMReader(api IAMAPI) *iamReader {
	return &iamReader{api: api, roles: map[string]roleFacts{}, profiles: map[string]profileFacts{}}
}

// role reads a role's trust policy and attached policies: GetRole, then
// ListAttachedRolePolicies to the end.
func (r *iamReader) role(ctx context.Context, name string) (roleFacts, error) {
	if f, ok := r.roles[name]; ok {
		return f, nil
	}
	var f roleFacts
	out, err := r.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	switch {
	case awsclient.IsAccessDenied(err):
		f.unreadable = true
	case awsclient.IsNotFound(err):
	case err != nil:
		return f, fmt.Errorf("get role %s: %w", name, err)
	default:
		f.exists = true
		f.trusts = trustedServices(aws.ToString(out.Role.AssumeRolePolicyDocument))
		p := iam.NewListAttachedRolePoliciesPaginator(r.api, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name), MaxItems: aws.Int32(100)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if awsclient.IsAccessDenied(err) {
				f.unreadable = true
				break
			}
			if err != nil {
				return f, fmt.Errorf("list policies of role %s: %w", name, err)
			}
			for _, ap := range page.AttachedPolicies {
				f.policies = append(f.policies, aws.ToString(ap.PolicyArn))
			}
		}
	}
	r.roles[name] = f
	return f, nil
}

// profile reads an instance profile: its ARN and the role it holds.
func (r *iamReader) profile(ctx context.Context, name string) (profileFacts, error) {
	if f, ok := r.profiles[name]; ok {
		return f, nil
	}
	var f profileFacts
	out, err := r.api.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})
	switch {
	case awsclient.IsAccessDenied(err):
		f.unreadable = true
	case awsclient.IsNotFound(err):
	case err != nil:
		return f, fmt.Errorf("get instance profile %s: %w", name, err)
	default:
		f.exists = true
		f.arn = aws.ToString(out.InstanceProfile.Arn)
		if rs := out.InstanceProfile.Roles; len(rs) > 0 {
			f.role = aws.ToString(rs[0].RoleName)
		}
	}
	r.profiles[name] = f
	return f, nil
}

// profileRole returns the role of an instance profile and why its
// credentials cannot register an agent ("" when they can).
func (r *iamReader) profileRole(ctx context.Context, name string) (role, problem string, err error) {
	p, err := r.profile(ctx, name)
	switch {
	case err != nil:
		return "", "", err
	case p.unreadable:
		return "", fleet.RoleUnreadable, nil
	case !p.exists:
		return "", fleet.RoleMissing, nil
	case p.role == "":
		return "", fleet.RoleNoRole, nil
	}
	rf, err := r.role(ctx, p.role)
	if err != nil {
		return "", "", err
	}
	return p.role, rf.problem(EC2Service, instanceCorePolicies), nil
}

// trustedServices returns the services a trust policy lets assume the
// role. IAM returns the document URL-encoded. Conditions are not
// evaluated: a statement that names the service counts, as the console's
// own roles have none.
func trustedServices(doc string) []string {
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	var pd struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &pd) != nil {
		return nil
	}
	var stmts []trustStatement
	if json.Unmarshal(pd.Statement, &stmts) != nil {
		var one trustStatement
		if json.Unmarshal(pd.Statement, &one) != nil {
			return nil
		}
		stmts = []trustStatement{one}
	}
	var out []string
	for _, s := range stmts {
		if s.Effect != "Allow" || !slices.ContainsFunc(s.Action, func(a string) bool { return a == "sts:AssumeRole" || a == "sts:*" || a == "*" }) {
			continue
		}
		var p struct{ Service stringList }
		if json.Unmarshal(s.Principal, &p) == nil {
			out = append(out, p.Service...)
		}
	}
	return out
}

type trustStatement struct {
	Effect    string
	Principal json.RawMessage
	Action    stringList
}

// stringList is a policy value that may be one string or a list.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// Trusts reports whether a role's trust policy (as IAM returns it,
// URL-encoded or not) lets service assume the role.
func Trusts(doc, service string) bool { return slices.Contains(trustedServices(doc), service) }
