package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/patchready/patchready/internal/targets"
)

// What `patchready iam-policy --for` prints. A run across an organization
// has two principals: the hub (the caller, in its own account) and, in
// every account, the role the hub assumes.
const (
	policyCaller   = "caller"   // one account and region: the caller's own policy (the default)
	policyHub      = "hub"      // the caller of a run across an organization
	policyMember   = "member"   // the role's permissions in every account
	policyTrust    = "trust"    // the role's trust policy
	policyStackSet = "stackset" // a CloudFormation template of the role, for a StackSet
)

var policyKinds = []string{policyCaller, policyHub, policyMember, policyTrust, policyStackSet}

// hubStatements are what the hub calls besides what it does in its own
// account: assuming the role, listing the organization, finding each
// account's regions. ec2:DescribeRegions is called in the hub's own
// account with its own credentials (and in every other with the role's).
func hubStatements(roleName string) []iamStatement {
	return []iamStatement{
		{Sid: "HubAssumeTargetRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/" + roleName},
		{Sid: "HubListOrganization", Effect: "Allow", Action: []string{
			"organizations:ListAccounts", "organizations:ListAccountsForParent",
			"organizations:ListOrganizationalUnitsForParent", "organizations:DescribeAccount",
		}, Resource: "*"},
		regionsStatement("HubReadRegions"),
	}
}

// regionsStatement lets a principal list the regions its account has
// enabled (--all-regions, and the check of --regions).
func regionsStatement(sid string) iamStatement {
	return iamStatement{Sid: sid, Effect: "Allow", Action: "ec2:DescribeRegions", Resource: "*"}
}

// memberPolicy is the role's permissions: the caller's policy (whole, or
// what plan needs) and listing its account's regions.
func memberPolicy(readOnly bool) (iamDoc, error) {
	doc, err := callerPolicy(readOnly, nil)
	if err != nil {
		return doc, err
	}
	doc.Statement = append(doc.Statement, regionsStatement("MemberReadRegions"))
	return doc, nil
}

var reAccount = regexp.MustCompile(`^[0-9]{12}$`)

// trustPolicy lets principals of the hub account assume the role, with
// the external ID when one is given.
func trustPolicy(hubAccount, externalID string) iamTrustDoc {
	st := iamTrustStatement{Effect: "Allow", Principal: map[string]any{"AWS": "arn:aws:iam::" + hubAccount + ":root"}, Action: "sts:AssumeRole"}
	if externalID != "" {
		st.Condition = map[string]any{"StringEquals": map[string]any{"sts:ExternalId": externalID}}
	}
	return iamTrustDoc{Version: "2012-10-17", Statement: []iamTrustStatement{st}}
}

type iamTrustDoc struct {
	Version   string              `json:"Version"`
	Statement []iamTrustStatement `json:"Statement"`
}

type iamTrustStatement struct {
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal"`
	Action    string         `json:"Action"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// stackSetTemplate is a CloudFormation template of the role, for a
// StackSet that rolls it out to every account of the organization (or of
// some OUs): the hub account and the external ID are parameters, the
// permissions are memberPolicy's.
func stackSetTemplate(roleName string, readOnly bool) (map[string]any, error) {
	member, err := memberPolicy(readOnly)
	if err != nil {
		return nil, err
	}
	principal := map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${HubAccountId}:root"}
	trustWith := map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": principal}, "Action": "sts:AssumeRole",
		"Condition": map[string]any{"StringEquals": map[string]any{"sts:ExternalId": map[string]any{"Ref": "ExternalId"}}}}
	trustWithout := map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": principal}, "Action": "sts:AssumeRole"}
	what := "every permission apply, heal, schedule and cleanup need"
	if readOnly {
		what = "only what plan needs (read the fleet, run the read-only probe)"
	}
	return map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              "patchready's role in each account of an organization, assumed by the hub account; " + what + ".",
		"Parameters": map[string]any{
			"HubAccountId": map[string]any{"Type": "String", "AllowedPattern": "^[0-9]{12}$",
				"Description": "The account patchready runs in (the hub): its principals may assume the role."},
			"RoleName": map[string]any{"Type": "String", "Default": roleName, "AllowedPattern": `^[\w+=,.@-]{1,64}$`,
				"Description": "The role's name, the same in every account (patchready --role-name)."},
			"ExternalId": map[string]any{"Type": "String", "Default": "",
				"Description": "The external ID the hub must pass (patchready --external-id); empty for none."},
		},
		"Conditions": map[string]any{
			"HasExternalId": map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "ExternalId"}, ""}}}},
		},
		"Resources": map[string]any{
			"PatchReadyRole": map[string]any{
				"Type": "AWS::IAM::Role",
				"Properties": map[string]any{
					"RoleName":    map[string]any{"Ref": "RoleName"},
					"Description": "Assumed by patchready from the hub account to make this account's nodes ready for Patch Manager.",
					"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
						map[string]any{"Fn::If": []any{"HasExternalId", trustWith, trustWithout}},
					}},
					"Policies": []any{map[string]any{"PolicyName": "patchready", "PolicyDocument": member}},
					"Tags":     []any{map[string]any{"Key": "patchready:managed", "Value": "true"}},
				},
			},
		},
		"Outputs": map[string]any{
			"RoleArn": map[string]any{"Description": "The role's ARN.", "Value": map[string]any{"Fn::GetAtt": []any{"PatchReadyRole", "Arn"}}},
		},
	}, nil
}

// orgPolicy returns what --for asks for, as indented JSON.
func orgPolicy(kind, roleName, hubAccount, externalID string, readOnly bool) (string, error) {
	if roleName == "" {
		roleName = targets.DefaultRoleName
	}
	var v any
	switch kind {
	case policyHub:
		v = iamDoc{Version: "2012-10-17", Statement: hubStatements(roleName)}
	case policyMember:
		doc, err := memberPolicy(readOnly)
		if err != nil {
			return "", err
		}
		v = doc
	case policyTrust:
		if !reAccount.MatchString(hubAccount) {
			return "", errors.New("--for trust: give --hub-account, the 12-digit account patchready runs in")
		}
		v = trustPolicy(hubAccount, externalID)
	case policyStackSet:
		t, err := stackSetTemplate(roleName, readOnly)
		if err != nil {
			return "", err
		}
		v = t
	default:
		return "", fmt.Errorf("--for %q: use one of %v", kind, policyKinds)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	return string(b), err
}
