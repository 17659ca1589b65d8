package ssmsim

import (
	"encoding/json"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// This file reads the trust policies of roles: enough of the IAM policy
// language to decide who may assume a role (principals by account, ARN or
// service, the sts:AssumeRole action, an sts:ExternalId condition). Deny
// statements and other conditions are not modelled: a policy that uses
// them is refused as malformed, the stricter reading, so a test cannot
// believe a condition was honoured.

type policyDocument struct {
	Version   string          `json:"Version"`
	Statement json.RawMessage `json:"Statement"`
}

type policyStatement struct {
	Sid       string                           `json:"Sid"`
	Effect    string                           `json:"Effect"`
	Principal json.RawMessage                  `json:"Principal"`
	Action    stringList                       `json:"Action"`
	Condition map[string]map[string]stringList `json:"Condition"`
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

type principalSpec struct {
	any      bool
	aws      []string
	services []string
}

func malformed(format string, args ...any) *wire.Error {
	return wire.Errorf("MalformedPolicyDocument", format, args...)
}

// parseTrust reads a trust policy into its statements.
func parseTrust(doc string) ([]policyStatement, []principalSpec, *wire.Error) {
	var d policyDocument
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, nil, malformed("This policy contains invalid Json")
	}
	if len(d.Statement) == 0 {
		return nil, nil, malformed("Syntax errors in policy.")
	}
	var stmts []policyStatement
	if err := json.Unmarshal(d.Statement, &stmts); err != nil {
		var one policyStatement
		if err := json.Unmarshal(d.Statement, &one); err != nil {
			return nil, nil, malformed("Syntax errors in policy.")
		}
		stmts = []policyStatement{one}
	}
	if len(stmts) == 0 {
		return nil, nil, malformed("Syntax errors in policy.")
	}
	principals := make([]principalSpec, len(stmts))
	for i, st := range stmts {
		if st.Effect != "Allow" {
			return nil, nil, malformed("Statement %d: the simulator models Allow statements only, not %q.", i+1, wire.Clip(st.Effect))
		}
		p, err := parsePrincipal(st.Principal)
		if err != nil {
			return nil, nil, err
		}
		principals[i] = p
		for k, m := range st.Condition {
			if k != "StringEquals" || len(m) != 1 || len(m["sts:ExternalId"]) == 0 {
				return nil, nil, malformed("Statement %d: the simulator models the condition StringEquals sts:ExternalId only.", i+1)
			}
		}
	}
	return stmts, principals, nil
}

func parsePrincipal(raw json.RawMessage) (principalSpec, *wire.Error) {
	var star string
	if err := json.Unmarshal(raw, &star); err == nil {
		if star != "*" {
			return principalSpec{}, malformed("Invalid principal in policy: %q", wire.Clip(star))
		}
		return principalSpec{any: true}, nil
	}
	var m map[string]stringList
	if err := json.Unmarshal(raw, &m); err != nil || len(m) == 0 {
		return principalSpec{}, malformed("Assume Role Policy Document must contain a Principal.")
	}
	p := principalSpec{aws: m["AWS"], services: m["Service"]}
	for k := range m {
		if k != "AWS" && k != "Service" {
			return principalSpec{}, malformed("Invalid principal type in policy: %q", wire.Clip(k))
		}
	}
	return p, nil
}

// checkPolicyDocument validates a trust policy the way CreateRole does.
func checkPolicyDocument(doc string) *wire.Error {
	_, _, err := parseTrust(doc)
	return err
}

func allowsAssume(actions stringList) bool {
	for _, a := range actions {
		if a == "sts:AssumeRole" || a == "sts:*" || a == "*" {
			return true
		}
	}
	return false
}

// trustAllows reports whether the trust policy lets a caller of account
// callerAccount (ARN callerARN) assume the role, given the external ID it
// sent.
func trustAllows(doc, callerAccount, callerARN string, externalID *string) bool {
	stmts, principals, err := parseTrust(doc)
	if err != nil {
		return false
	}
	for i, st := range stmts {
		if !allowsAssume(st.Action) || !principals[i].matchesAWS(callerAccount, callerARN) {
			continue
		}
		if want, ok := st.Condition["StringEquals"]["sts:ExternalId"]; ok {
			if externalID == nil || !contains(want, *externalID) {
				continue
			}
		}
		return true
	}
	return false
}

func (p principalSpec) matchesAWS(account, arn string) bool {
	if p.any {
		return true
	}
	for _, a := range p.aws {
		if a == "*" || a == account || a == "arn:aws:iam::"+account+":root" || a == arn {
			return true
		}
	}
	return false
}

// trustsService reports whether the trust policy lets an AWS service
// principal assume the role.
func trustsService(doc, service string) bool {
	stmts, principals, err := parseTrust(doc)
	if err != nil {
		return false
	}
	for i, st := range stmts {
		if allowsAssume(st.Action) && len(st.Condition) == 0 && (principals[i].any || contains(principals[i].services, service)) {
			return true
		}
	}
	return false
}
