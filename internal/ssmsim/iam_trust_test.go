package ssmsim

import "testing"

func TestTrustPolicies(t *testing.T) {
	ext := "ext-123"
	wrong := "other"
	tests := []struct {
		name     string
		doc      string
		account  string
		arn      string
		external *string
		want     bool
	}{
		{"account root trusted", TrustAccount("111111111111", ""), "111111111111", "arn:aws:iam::111111111111:user/u", nil, true},
		{"other account", TrustAccount("111111111111", ""), "222222222222", "arn:aws:iam::222222222222:user/u", nil, false},
		{"external ID required and given", TrustAccount("111111111111", ext), "111111111111", "x", &ext, true},
		{"external ID missing", TrustAccount("111111111111", ext), "111111111111", "x", nil, false},
		{"external ID wrong", TrustAccount("111111111111", ext), "111111111111", "x", &wrong, false},
		{"a service is not an account", TrustService("ec2.amazonaws.com"), "111111111111", "x", nil, false},
		{"principal by ARN, statement as an object, action as a list",
			`{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:role/ci"]},"Action":["sts:AssumeRole"]}}`,
			"111111111111", "arn:aws:iam::111111111111:role/ci", nil, true},
		{"another action only", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:TagSession"}]}`, "1", "x", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := trustAllows(tc.doc, tc.account, tc.arn, tc.external); got != tc.want {
				t.Fatalf("trustAllows = %v, want %v", got, tc.want)
			}
		})
	}
	if !trustsService(TrustService("ssm.amazonaws.com"), "ssm.amazonaws.com") || trustsService(TrustService("ssm.amazonaws.com"), "ec2.amazonaws.com") {
		t.Error("trustsService")
	}
	for _, bad := range []string{"{", `{"Statement":[]}`, `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"Federated":"x"},"Action":"sts:AssumeRole"}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"IpAddress":{"aws:SourceIp":"1.2.3.4"}}}]}`} {
		if err := checkPolicyDocument(bad); err == nil || err.Code != "MalformedPolicyDocument" {
			t.Errorf("checkPolicyDocument(%s) = %v, want MalformedPolicyDocument", bad, err)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"running", "running", true},
		{"run*", "running", true},
		{"*ing", "running", true},
		{"r?nning", "running", true},
		{"*", "", true},
		{"stopped", "running", false},
		{"run", "running", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	}
	for _, tc := range tests {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
