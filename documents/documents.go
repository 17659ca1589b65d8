// Package documents embeds the SSM documents and the IAM policy that
// patchready ships, and declares the shapes of the reports its documents
// print, so that the tool, the simulator and the tests read them the same way.
package documents

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
)

// Names under which patchready creates its documents in an account.
const (
	ProbeDocumentName           = "patchready-Probe"
	UpgradeRequestsDocumentName = "patchready-UpgradeRequests"
	// UpdateAgentDocumentName is AWS's own document that updates SSM Agent.
	UpdateAgentDocumentName = "AWS-UpdateSSMAgent"
	// RunShellScriptDocumentName is AWS's generic shell document.
	RunShellScriptDocumentName = "AWS-RunShellScript"
)

// Step names. Results are read from these steps, and the simulator
// recognises the project's documents by them.
const (
	ProbeStepName           = "patchreadyProbe"
	UpgradeRequestsStepName = "patchreadyUpgradeRequests"
)

// ProbeYAML is the read-only probe document (schemaVersion 2.2).
//
//go:embed probe.yaml
var ProbeYAML string

// UpgradeRequestsYAML is the document that upgrades requests with pip.
//
//go:embed upgrade-requests.yaml
var UpgradeRequestsYAML string

// ContentHash returns the hex SHA-256 of a document's content. SSM reports
// the same hash (DocumentDescription.Hash, HashType Sha256), which is how
// patchready decides whether a document in the account is current.
func ContentHash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// ProbeReport is the one line of JSON the probe prints.
type ProbeReport struct {
	Schema          int    `json:"schema"`
	Proxied         bool   `json:"proxied"`
	ProxySource     string `json:"proxy_source"`
	ProxyScheme     string `json:"proxy_scheme"`
	NoProxyHasIMDS  bool   `json:"no_proxy_has_imds"`
	Python          string `json:"python"`
	Pip             string `json:"pip"`
	RequestsVersion string `json:"requests_version"`
}

// UpgradeReport is the one line of JSON the upgrade-requests document prints.
type UpgradeReport struct {
	Schema       int    `json:"schema"`
	Before       string `json:"before"`
	After        string `json:"after"`
	PipInstalled bool   `json:"pip_installed"`
	YumOK        bool   `json:"yum_ok"`
	Error        string `json:"error"`
}

// IAMPolicyJSON is the least-privilege IAM policy for patchready. Statements
// whose Sid starts with "Plan" are all that plan (and show) need.
//
//go:embed iam-policy.json
var IAMPolicyJSON string
