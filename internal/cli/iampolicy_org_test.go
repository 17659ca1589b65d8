package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/ssmsim"
)

// The hub's and the member role's policies grant exactly the calls the
// targets package makes besides SSM (which TestIAMPolicyGrantsExactly
// WhatTheCodeCalls holds to the caller policy): the source is read the way
// a reviewer would.
func TestOrgPoliciesGrantWhatTargetsCall(t *testing.T) {
	called := map[string]bool{}
	re := map[string]*regexp.Regexp{
		"organizations": regexp.MustCompile(`\borganizations\.(?:New)?([A-Z]\w+?)(?:Input|Paginator)\b`),
		"ec2":           regexp.MustCompile(`\bec2\.([A-Z]\w+?)Input\b`),
	}
	err := filepath.WalkDir(filepath.Join("..", "targets"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for svc, r := range re {
			for _, m := range r.FindAllStringSubmatch(string(b), -1) {
				called[svc+":"+m[1]] = true
			}
		}
		if strings.Contains(string(b), "stscreds.NewAssumeRoleProvider") {
			called["sts:AssumeRole"] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(called) < 4 {
		t.Fatalf("found only %v in the targets package: the scan is broken", called)
	}
	granted := map[string]bool{}
	for _, s := range hubStatements("PatchReadyRole") {
		for _, a := range actions(s.Action) {
			granted[a] = true
		}
	}
	var missing, unused []string
	for op := range called {
		if !granted[op] {
			missing = append(missing, op)
		}
	}
	for op := range granted {
		if !called[op] {
			unused = append(unused, op)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 || len(unused) > 0 {
		t.Errorf("hub policy: not granted %v; granted and never called %v", missing, unused)
	}
	member, err := memberPolicy(false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(member.Statement, func(s iamStatement) bool { return s.Action == "ec2:DescribeRegions" }) {
		t.Error("the member role cannot list its account's regions")
	}
}

// cfnEval instantiates a CloudFormation template's values the way
// CloudFormation does for the intrinsic functions the template uses, and
// fails on a reference to a parameter, condition or resource the template
// does not declare: the structural check a StackSet would otherwise make
// at deployment.
type cfnEval struct {
	t          *testing.T
	params     map[string]string
	conditions map[string]any
	resources  map[string]any
}

func (e *cfnEval) value(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					name := arg.(string)
					if p, ok := e.params[name]; ok {
						return p
					}
					if _, ok := e.resources[name]; ok {
						return "ref:" + name
					}
					e.t.Errorf("Ref to %q, which the template does not declare", name)
					return ""
				case "Fn::Sub":
					s := arg.(string)
					return regexp.MustCompile(`\$\{([\w:]+)\}`).ReplaceAllStringFunc(s, func(m string) string {
						name := m[2 : len(m)-1]
						if name == "AWS::Partition" {
							return "aws"
						}
						return e.value(map[string]any{"Ref": name}).(string)
					})
				case "Fn::If":
					args := arg.([]any)
					if e.condition(args[0].(string)) {
						return e.value(args[1])
					}
					return e.value(args[2])
				case "Fn::GetAtt":
					args := arg.([]any)
					if _, ok := e.resources[args[0].(string)]; !ok {
						e.t.Errorf("Fn::GetAtt of %v, which the template does not declare", args)
					}
					return "getatt"
				case "Fn::Not", "Fn::Equals":
					e.t.Errorf("%s outside Conditions", k)
				}
			}
		}
		out := map[string]any{}
		for k, val := range x {
			out[k] = e.value(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = e.value(x[i])
		}
		return out
	}
	return v
}

func (e *cfnEval) condition(name string) bool {
	c, ok := e.conditions[name]
	if !ok {
		e.t.Fatalf("Fn::If on condition %q, which the template does not declare", name)
	}
	return e.truth(c)
}

func (e *cfnEval) truth(v any) bool {
	m := v.(map[string]any)
	if args, ok := m["Fn::Not"]; ok {
		return !e.truth(args.([]any)[0])
	}
	if args, ok := m["Fn::Equals"]; ok {
		a := args.([]any)
		return fmt.Sprint(e.value(a[0])) == fmt.Sprint(e.value(a[1]))
	}
	e.t.Fatalf("condition %v uses a function the check does not know", m)
	return false
}

// instantiate checks the template's structure and returns the role's
// properties with the parameters given (defaults for the rest).
func instantiate(t *testing.T, tmpl map[string]any, given map[string]string) map[string]any {
	t.Helper()
	if tmpl["AWSTemplateFormatVersion"] != "2010-09-09" {
		t.Errorf("AWSTemplateFormatVersion %v", tmpl["AWSTemplateFormatVersion"])
	}
	params := map[string]string{}
	for name, p := range tmpl["Parameters"].(map[string]any) {
		pm := p.(map[string]any)
		if pm["Type"] != "String" {
			t.Errorf("parameter %s has type %v", name, pm["Type"])
		}
		v, ok := given[name]
		if !ok {
			d, has := pm["Default"]
			if !has {
				t.Fatalf("parameter %s has no default and no value", name)
			}
			v = d.(string)
		}
		if pat, ok := pm["AllowedPattern"].(string); ok {
			// CloudFormation's patterns are Java's; these use nothing
			// Go's RE2 reads differently.
			if !regexp.MustCompile(pat).MatchString(v) {
				t.Fatalf("parameter %s=%q does not match its AllowedPattern %s", name, v, pat)
			}
		}
		params[name] = v
	}
	res := tmpl["Resources"].(map[string]any)
	e := &cfnEval{t: t, params: params, conditions: tmpl["Conditions"].(map[string]any), resources: res}
	e.value(tmpl["Outputs"])
	if len(res) != 1 {
		t.Fatalf("%d resources, want the role alone", len(res))
	}
	role := res["PatchReadyRole"].(map[string]any)
	if role["Type"] != "AWS::IAM::Role" {
		t.Fatalf("resource type %v", role["Type"])
	}
	props := e.value(role["Properties"]).(map[string]any)
	for _, key := range []string{"RoleName", "AssumeRolePolicyDocument", "Policies"} {
		if _, ok := props[key]; !ok {
			t.Errorf("the role lacks %s", key)
		}
	}
	return props
}

// checkPolicyDoc holds a policy document to IAM's grammar and limits.
func checkPolicyDoc(t *testing.T, what string, doc any) {
	t.Helper()
	b, _ := json.Marshal(doc)
	var d struct {
		Version   string
		Statement []map[string]any
	}
	if err := json.Unmarshal(b, &d); err != nil || d.Version != "2012-10-17" || len(d.Statement) == 0 {
		t.Fatalf("%s is not a policy document: %s", what, b)
	}
	reAction := regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z*]+$`)
	for _, s := range d.Statement {
		if s["Effect"] != "Allow" {
			t.Errorf("%s: statement %v", what, s)
		}
		for _, a := range actions(s["Action"]) {
			if !reAction.MatchString(a) {
				t.Errorf("%s: action %q", what, a)
			}
		}
	}
	// IAM's limit on a role's inline policies, whitespace excluded.
	if len(b) > 10240 {
		t.Errorf("%s is %d characters; a role's inline policies may hold 10,240", what, len(b))
	}
}

// The StackSet's template is valid CloudFormation as far as its structure
// goes, and the role it makes works: created in a member account of the
// simulated organization with the template's trust policy and permissions,
// the hub assumes it with the external ID and is refused without.
func TestStackSetTemplateMakesAWorkingRole(t *testing.T) {
	out, err := orgPolicy(policyStackSet, "PatchReadyOrgRole", "", "", false)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal([]byte(out), &tmpl); err != nil {
		t.Fatal(err)
	}
	const hub, member = ssmsim.SampleManagementAccount, "200000000001"
	withID := instantiate(t, tmpl, map[string]string{"HubAccountId": hub, "ExternalId": "ext-42"})
	without := instantiate(t, tmpl, map[string]string{"HubAccountId": hub})
	if withID["RoleName"] != "PatchReadyOrgRole" {
		t.Errorf("role name %v", withID["RoleName"])
	}
	for _, p := range withID["Policies"].([]any) {
		checkPolicyDoc(t, "the role's policy", p.(map[string]any)["PolicyDocument"])
	}
	checkPolicyDoc(t, "the trust policy", withID["AssumeRolePolicyDocument"])
	trust, _ := json.Marshal(withID["AssumeRolePolicyDocument"])
	open, _ := json.Marshal(without["AssumeRolePolicyDocument"])
	if !strings.Contains(string(trust), `"sts:ExternalId":"ext-42"`) || strings.Contains(string(open), "ExternalId") {
		t.Fatalf("the external ID condition does not follow the parameter:\n%s\n%s", trust, open)
	}
	standalone, err := orgPolicy(policyTrust, "", hub, "ext-42", false)
	if err != nil {
		t.Fatal(err)
	}
	if norm(t, standalone) != norm(t, string(trust)) {
		t.Errorf("--for trust and the StackSet's trust policy differ:\n%s\n%s", standalone, trust)
	}

	clk := clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 1)
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Organization: ssmsim.SampleOrganization(ssmsim.SampleOrgOptions{})})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	cfg, err := awsclient.Load(ctx, awsclient.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}
	stsc := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	// The StackSet's part: create the role in the member account, as the
	// role that deploys there.
	deployer := cfg.Copy()
	deployer.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsc, "arn:aws:iam::"+member+":role/"+ssmsim.DefaultRoleName))
	iamc := iam.NewFromConfig(deployer, func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	if _, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("PatchReadyOrgRole"), AssumeRolePolicyDocument: aws.String(string(trust))}); err != nil {
		t.Fatalf("the simulator's IAM refused the template's role: %v", err)
	}
	arn := "arn:aws:iam::" + member + ":role/PatchReadyOrgRole"
	if _, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("test"), ExternalId: aws.String("ext-42")}); err != nil {
		t.Errorf("the hub could not assume the role with its external ID: %v", err)
	}
	if _, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("test")}); !awsclient.IsAccessDenied(err) {
		t.Errorf("the hub assumed the role without the external ID: %v", err)
	}
}

func norm(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestIAMPolicyFor(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
		err  string
	}{
		{args: []string{"--for", "hub", "--role-name", "OpsRole"}, want: []string{`"arn:aws:iam::*:role/OpsRole"`, `"organizations:ListAccounts"`, `"ec2:DescribeRegions"`}},
		{args: []string{"--for", "member", "--read-only"}, want: []string{`"ssm:DescribeInstanceInformation"`, `"ec2:DescribeRegions"`}},
		{args: []string{"--for", "trust", "--hub-account", "111122223333"}, want: []string{`"arn:aws:iam::111122223333:root"`}},
		{args: []string{"--for", "stackset", "--read-only"}, want: []string{`"AWS::IAM::Role"`, "only what plan needs"}},
		{args: []string{"--for", "trust"}, err: "give --hub-account"},
		{args: []string{"--for", "admin"}, err: `--for "admin": use one of`},
		{args: []string{"--for", "hub", "--read-only"}, err: "--for hub has none to cut"},
		{args: []string{"--hub-account", "111122223333"}, err: "use them with --for trust"},
		{args: []string{"--for", "member", "--role-name", "X"}, err: "--for member does not name it"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"iam-policy"}, tc.args...)...)
			if tc.err != "" {
				if code != ExitError || !strings.Contains(errOut, tc.err) {
					t.Errorf("exit %d, stderr %q; want %q", code, errOut, tc.err)
				}
				return
			}
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %s:\n%s", w, out)
				}
			}
			if tc.args[1] == "member" && strings.Contains(out, "ssm:CreateAssociation") {
				t.Error("--read-only member policy grants CreateAssociation")
			}
		})
	}
}
