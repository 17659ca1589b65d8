package ssmsim

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	registerOp("iam", "GetRole", getRole)
	registerOp("iam", "CreateRole", createRole)
	registerOp("iam", "AttachRolePolicy", attachRolePolicy)
	registerOp("iam", "ListAttachedRolePolicies", listAttachedRolePolicies)
	registerOp("iam", "GetInstanceProfile", getInstanceProfile)
	registerOp("iam", "CreateInstanceProfile", createInstanceProfile)
	registerOp("iam", "AddRoleToInstanceProfile", addRoleToInstanceProfile)
}

// IAM's XML shapes. Dates are ISO 8601; the trust policy is URL-encoded,
// as IAM returns it (the SDKs leave decoding to the caller).
type roleOut struct {
	Path                     string `xml:"Path"`
	RoleName                 string `xml:"RoleName"`
	RoleID                   string `xml:"RoleId"`
	Arn                      string `xml:"Arn"`
	CreateDate               string `xml:"CreateDate"`
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
	Description              string `xml:"Description,omitempty"`
	MaxSessionDuration       int    `xml:"MaxSessionDuration"`
}

type instanceProfileOut struct {
	Path                string    `xml:"Path"`
	InstanceProfileName string    `xml:"InstanceProfileName"`
	InstanceProfileID   string    `xml:"InstanceProfileId"`
	Arn                 string    `xml:"Arn"`
	CreateDate          string    `xml:"CreateDate"`
	Roles               []roleOut `xml:"Roles>member"`
}

func isoTimeIAM(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func (st *iamState) roleOut(r *iamRole) roleOut {
	return roleOut{Path: r.path, RoleName: r.name, RoleID: r.id, Arn: st.roleARN(r), CreateDate: isoTimeIAM(r.created),
		AssumeRolePolicyDocument: url.QueryEscape(r.trust), Description: r.description, MaxSessionDuration: r.maxSession}
}

func (st *iamState) profileOut(p *iamProfile) instanceProfileOut {
	out := instanceProfileOut{Path: p.path, InstanceProfileName: p.name, InstanceProfileID: p.id, Arn: st.profileARN(p),
		CreateDate: isoTimeIAM(p.created), Roles: []roleOut{}}
	if r, err := st.role(p.role); err == nil && p.role != "" {
		out.Roles = append(out.Roles, st.roleOut(r))
	}
	return out
}

// checkName validates an IAM name member (roleName, instanceProfileName).
func checkName(v *wire.Validator, f wire.Form, param, member string, max int) string {
	v.Required(member, f.Has(param))
	name := f.Get(param)
	if f.Has(param) {
		v.Length(member, name, 1, max)
		v.Pattern(member, name, reIAMName)
	}
	return name
}

func getRole(c *call) (any, *wire.Error) {
	v := &wire.Validator{}
	name := checkName(v, c.form, "RoleName", "roleName", 64)
	if err := v.ErrCode(c.svc.errs.validation); err != nil {
		return nil, err
	}
	r, err := c.acct.iam.role(name)
	if err != nil {
		return nil, err
	}
	return struct {
		Role roleOut `xml:"Role"`
	}{c.acct.iam.roleOut(r)}, nil
}

func createRole(c *call) (any, *wire.Error) {
	f := c.form
	v := &wire.Validator{}
	name := checkName(v, f, "RoleName", "roleName", 64)
	v.Required("assumeRolePolicyDocument", f.Has("AssumeRolePolicyDocument"))
	doc := f.Get("AssumeRolePolicyDocument")
	if f.Has("AssumeRolePolicyDocument") {
		v.Length("assumeRolePolicyDocument", doc, 1, 131072)
	}
	path := f.Get("Path")
	if f.Has("Path") {
		v.Length("path", path, 1, 512)
		v.Pattern("path", path, reIAMPath)
	}
	v.Length("description", f.Get("Description"), 0, 1000)
	maxSession, ok := f.Int("MaxSessionDuration")
	if !ok {
		return nil, wire.Errorf(c.svc.errs.validation, "Value '%s' at 'maxSessionDuration' is not a number", wire.Clip(f.Get("MaxSessionDuration")))
	}
	v.IntRange("maxSessionDuration", maxSession, 3600, 43200)
	if err := v.ErrCode(c.svc.errs.validation); err != nil {
		return nil, err
	}
	secs := 0
	if maxSession != nil {
		secs = *maxSession
	}
	r, err := c.acct.iam.createRole(name, path, doc, f.Get("Description"), secs, c.now)
	if err != nil {
		return nil, err
	}
	// A Default Host Management setting may have been waiting for this
	// role.
	c.s.kickAccount(c.acct, c.now)
	return struct {
		Role roleOut `xml:"Role"`
	}{c.acct.iam.roleOut(r)}, nil
}

func attachRolePolicy(c *call) (any, *wire.Error) {
	v := &wire.Validator{}
	name := checkName(v, c.form, "RoleName", "roleName", 64)
	v.Required("policyArn", c.form.Has("PolicyArn"))
	arn := c.form.Get("PolicyArn")
	if c.form.Has("PolicyArn") {
		v.Length("policyArn", arn, 20, 2048)
	}
	if err := v.ErrCode(c.svc.errs.validation); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(arn, "arn:aws:iam::") {
		return nil, wire.Errorf("InvalidInput", "ARN %s is not valid.", wire.Clip(arn))
	}
	if err := c.acct.iam.attach(name, arn); err != nil {
		return nil, err
	}
	c.s.kickAccount(c.acct, c.now)
	return nil, nil
}

type attachedPolicyOut struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

// listAttachedRolePolicies pages with Marker / MaxItems (1-1000, default
// 100), as IAM does; the marker is the index of the next policy, checked.
func listAttachedRolePolicies(c *call) (any, *wire.Error) {
	f := c.form
	v := &wire.Validator{}
	name := checkName(v, f, "RoleName", "roleName", 64)
	maxItems, ok := f.Int("MaxItems")
	if !ok {
		return nil, wire.Errorf(c.svc.errs.validation, "Value '%s' at 'maxItems' is not a number", wire.Clip(f.Get("MaxItems")))
	}
	v.IntRange("maxItems", maxItems, 1, 1000)
	if err := v.ErrCode(c.svc.errs.validation); err != nil {
		return nil, err
	}
	r, err := c.acct.iam.role(name)
	if err != nil {
		return nil, err
	}
	prefix := f.Get("PathPrefix")
	var all []attachedPolicyOut
	for _, arn := range r.policies {
		if prefix != "" && !strings.HasPrefix(policyPath(arn), prefix) {
			continue
		}
		all = append(all, attachedPolicyOut{PolicyName: managedPolicies[arn], PolicyArn: arn})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].PolicyName < all[j].PolicyName })
	start := 0
	if m := f.Get("Marker"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > len(all) {
			return nil, wire.Errorf("InvalidInput", "Invalid Marker.")
		}
		start = n
	}
	limit := 100
	if maxItems != nil {
		limit = *maxItems
	}
	end := min(len(all), start+limit)
	out := struct {
		AttachedPolicies []attachedPolicyOut `xml:"AttachedPolicies>member"`
		IsTruncated      bool                `xml:"IsTruncated"`
		Marker           string              `xml:"Marker,omitempty"`
	}{AttachedPolicies: all[start:end]}
	if end < len(all) {
		out.IsTruncated, out.Marker = true, strconv.Itoa(end)
	}
	return out, nil
}

// policyPath is the path of a managed policy ARN ("/service-role/" for
// arn:aws:iam::aws:policy/service-role/X).
func policyPath(arn string) string {
	_, rest, _ := strings.Cut(arn, ":policy")
	return rest[:strings.LastIndexByte(rest, '/')+1]
}

func getInstanceProfile(c *call) (any, *wire.Error) {
	v := &wire.Validator{}
	name := checkName(v, c.form, "InstanceProfileName", "instanceProfileName", 128)
	if err := v.ErrCode(c.svc.errs.validation); err != nil {
		return nil, err
	}
	p, err := c.acct.iam.profile(name)
	if err != nil {
		return nil, err
	}
	return struct {
		InstanceProfile instanceProfileOut `xml:"InstanceProfile"`
	}{c.acct.iam.profileOut(p)}, nil
}

func createInstanceProfile(c *call) (any, *wire.Error) {
	v := &wire.Validator{}
	name := checkName(v, c.form, "InstanceProfileName", "instanceProfileName", 128)
	path := c.form.Get("Path")
	if c.form.Has("Path") {
		v.Length("path", path, 1, 512)
		v.Pattern("path", path, reIAMPath)
	}
	if err := v.ErrCode(c.svc.errs.validation); err != nil {
		return nil, err
	}
	p, err := c.acct.iam.createProfile(name, path, c.now)
	if err != nil {
		return nil, err
	}
	return struct {
		InstanceProfile instanceProfileOut `xml:"InstanceProfile"`
	}{c.acct.iam.profileOut(p)}, nil
}

func addRoleToInstanceProfile(c *call) (any, *wire.Error) {
	v := &wire.Validator{}
	profile := checkName(v, c.form, "InstanceProfileName", "instanceProfileName", 128)
	role := checkName(v, c.form, "RoleName", "roleName", 64)
	if err := v.ErrCode(c.svc.errs.validation); err != nil {
		return nil, err
	}
	if err := c.acct.iam.addRoleToProfile(profile, role); err != nil {
		return nil, err
	}
	c.s.kickAccount(c.acct, c.now)
	return nil, nil
}
