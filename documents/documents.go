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
	ProbeDocumentName = "patchready-Probe"
	// FixDocumentName is the document that fixes what the probe found on
	// a node (the patch run's interpreter, the downloader, requests).
	FixDocumentName = "patchready-Fix"
	// UpgradeRequestsDocumentName is the document earlier versions made
	// for the requests upgrade and the schedule (it took the first Python on
	// PATH, not the patch run's, and logged to a fixed file in /tmp); the
	// fix document replaced it. Cleanup still removes it.
	UpgradeRequestsDocumentName = "patchready-UpgradeRequests"
	// RunPatchBaselineDocumentName is Patch Manager's own document.
	RunPatchBaselineDocumentName = "AWS-RunPatchBaseline"
	// UpdateAgentDocumentName is AWS's own document that updates SSM Agent.
	UpdateAgentDocumentName = "AWS-UpdateSSMAgent"
	// RunShellScriptDocumentName is AWS's generic shell document.
	RunShellScriptDocumentName = "AWS-RunShellScript"
)

// Step names. Results are read from these steps, and the simulator
// recognises the project's documents by them.
const (
	ProbeStepName = "patchreadyProbe"
	FixStepName   = "patchreadyFix"
	// The steps of AWS-RunPatchBaseline, one per platform; a node runs the
	// one whose platformType precondition it meets.
	PatchLinuxStepName   = "PatchLinux"
	PatchWindowsStepName = "PatchWindows"
	PatchMacOSStepName   = "PatchMacOS"
)

//go:generate go run ./internal/gendocs

// ProbeYAML is the read-only probe document (schemaVersion 2.2), generated
// from scripts/lib.sh, scripts/report.sh and scripts/probe.sh.
//
//go:embed probe.yaml
var ProbeYAML string

// FixYAML is the fix document (schemaVersion 2.2), generated from
// scripts/lib.sh, scripts/report.sh and scripts/fix.sh. Its parameters are
// actions (FixPython, FixCurl, FixRequests, comma separated) and
// minRequests (default "2.18.4").
//
//go:embed fix.yaml
var FixYAML string

// ContentHash returns the hex SHA-256 of a document's content. SSM reports
// the same hash (DocumentDescription.Hash, HashType Sha256), which is how
// patchready decides whether a document in the account is current.
func ContentHash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// ProbeReportSchema is the schema of the probe report this version of
// patchready prints and reads. Schema 3 tests the payload the way the
// patch run goes (the running agent's own environment) and reports apart a
// proxy that the service's override sets but the running agent has not
// loaded; in schema 2 proxied, proxy_source and payload described the
// first proxy found, override or not, which is not the patch run's when
// the agent was not restarted since. The parser refuses schemas 1 and 2
// with a message saying the document is old.
const ProbeReportSchema = 3

// ProbeReport is the one line of JSON the probe prints (schema 3). It
// describes the node as AWS-RunPatchBaseline's Linux script would find it:
// the interpreter it would choose (by the same rules, in the same order,
// found with `which` as the run finds it), that interpreter's requests and
// pip, the downloader the run would use, whether the run's payload bucket
// answers in the environment the agent gives the run (and, when the
// service's override sets another proxy, through that one too), and the
// agent's work directory.
//
// It never carries a proxy URL or anything taken from one: only the scheme.
type ProbeReport struct {
	Schema int `json:"schema"`
	// Proxied says the running agent has a proxy in its environment, which
	// every command it runs inherits: the patch run uses it now.
	// ProxySource is then "process", ProxyScheme its scheme (http, https,
	// socks5h...), and NoProxyHasIMDS whether its no_proxy exempts
	// 169.254.169.254.
	Proxied        bool   `json:"proxied"`
	ProxySource    string `json:"proxy_source"`
	ProxyScheme    string `json:"proxy_scheme"`
	NoProxyHasIMDS bool   `json:"no_proxy_has_imds"`
	// ProxyPending says the service's override (systemd drop-in or upstart
	// override) sets a proxy that differs from the running agent's: the
	// agent reads it only when it starts, so the patch run goes that way
	// only after the agent's next restart (an agent update, a reboot).
	// PendingProxySource names the override (systemd-override,
	// upstart-override), PendingProxyScheme and PendingNoProxyHasIMDS
	// describe its proxy as the fields above do. All are zero when
	// ProxyPending is false.
	ProxyPending          bool   `json:"proxy_pending"`
	PendingProxySource    string `json:"pending_proxy_source"`
	PendingProxyScheme    string `json:"pending_proxy_scheme"`
	PendingNoProxyHasIMDS bool   `json:"pending_no_proxy_has_imds"`

	// Which says whether `which` exists: the patch run finds every
	// interpreter and package manager with it, so without it the run
	// finds nothing.
	Which bool `json:"which"`
	// PackageManagers lists the package managers found, comma-separated,
	// in the run's order: apt, yum, dnf, zypper.
	PackageManagers string `json:"package_managers"`
	// PackageManager is the branch of the run's selection that matched
	// (apt, dnf, yum, zypper), "" when none did.
	PackageManager string `json:"package_manager"`
	// Python is the command the run would use, as the run names it
	// (python3, python2.7, python27, python2, python2.6, python26 or
	// python); "" when no interpreter qualifies.
	Python        string `json:"python"`
	PythonPath    string `json:"python_path"`
	PythonVersion string `json:"python_version"`
	// PythonError is the run's own error text when no interpreter
	// qualifies, e.g. "Unable to import yum module, please check version
	// compatibility between Yum and Python".
	PythonError string `json:"python_error"`
	// PackageModule is ok when the chosen interpreter imports its package
	// manager's module (apt, dnf or yum), missing when it cannot, na for
	// zypper (driven through its command line) or when there is no
	// interpreter.
	PackageModule string `json:"package_module"`
	// RequestsVersion is the chosen interpreter's requests, "" when it
	// cannot import it.
	RequestsVersion string `json:"requests_version"`
	// Pip is ok when `$PYTHON -m pip --version` works, else missing.
	Pip string `json:"pip"`
	// Downloader is curl or wget, the one the run would use (curl first),
	// "" when neither exists.
	Downloader string `json:"downloader"`
	// Payload is reachable (any HTTP answer from the payload bucket, 403
	// and 404 included), unreachable, or untested (no downloader, or no
	// region to build the URL from), tested in the probe's own
	// environment: the running agent's, which the patch run inherits.
	Payload string `json:"payload"`
	// PayloadCode is the HTTP status when reachable ("403"), or
	// "curl:N" / "wget:N" with the tool's exit code when not. Never a URL,
	// host or message: those can carry the proxy.
	PayloadCode string `json:"payload_code"`
	// PayloadAfterRestart and PayloadAfterRestartCode are the same test
	// through the override's proxy (what the patch run meets once the
	// agent restarts), set only when ProxyPending; "" otherwise.
	PayloadAfterRestart     string `json:"payload_after_restart"`
	PayloadAfterRestartCode string `json:"payload_after_restart_code"`
	// WorkdirNoexec is true when the agent's work directory
	// (/var/lib/amazon/ssm) is on a filesystem mounted noexec.
	WorkdirNoexec bool `json:"workdir_noexec"`
	// VarFreeMB is the free space in /var in MiB, -1 when unknown.
	VarFreeMB int `json:"var_free_mb"`
}

// Probe report values.
const (
	ModuleOK      = "ok"
	ModuleMissing = "missing"
	ModuleNA      = "na"

	PipOK      = "ok"
	PipMissing = "missing"

	PayloadReachable   = "reachable"
	PayloadUnreachable = "unreachable"
	PayloadUntested    = "untested"
)

// Fix steps: the values the fix document's actions parameter takes, comma
// separated. The document always runs them in this order, whatever the
// order given: the interpreter first (requests needs it), then the
// downloader, then requests.
const (
	FixPython   = "python"
	FixCurl     = "curl"
	FixRequests = "requests"
)

// FixSteps are the fix steps in the order the document runs them; the
// document's actions parameter admits exactly these (its allowedPattern is
// generated from this list).
var FixSteps = []string{FixPython, FixCurl, FixRequests}

// FixReportSchema is the schema of the fix report.
const FixReportSchema = 1

// FixReport is the line of JSON the fix document prints before it prints,
// on the last line, a ProbeReport of the node as it is after the fixes: the
// read-back that decides whether the node is verified.
type FixReport struct {
	Schema int    `json:"schema"`
	Kind   string `json:"kind"` // always "fix"
	// Steps are the steps asked for, in the order they ran.
	Steps []FixStep `json:"steps"`
}

// FixStep is how one fix step ended.
type FixStep struct {
	Name string `json:"name"` // python | curl | requests
	OK   bool   `json:"ok"`
	// Detail says what was done or why it failed, in words, e.g.
	// "installed python3 python3-apt with apt-get" or "requests 2.6.0 to
	// 2.32.3 with /usr/bin/python2.7 -m pip". Never a proxy URL.
	Detail string `json:"detail"`
}

// IAMPolicyJSON is the least-privilege IAM policy for patchready. Statements
// whose Sid starts with "Plan" are all that plan (and show) need; "Apply"
// what apply needs besides; "Fix" what the opt-in fixes for unmanaged
// instances need, each fix naming its own (unmanaged.Fix.PolicySids).
//
//go:embed iam-policy.json
var IAMPolicyJSON string
