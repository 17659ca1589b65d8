package remedy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/runcmd"
)

// scanCause is a way AWS-RunPatchBaseline fails that patchready can name:
// matched on the patch run's own output and exit code, pointed at the
// preflight check that should have caught it (when one does), with words
// and advice for the operator.
type scanCause struct {
	// pattern is matched against the step's output (standard output, then
	// the agent's ERROR section with standard error); nil matches any.
	pattern *regexp.Regexp
	// code, when not 0, is the exit code the step must have ended with;
	// with no pattern, the code alone names the cause.
	code   int32
	check  prereq.CheckID // the preflight check it points at, or ""
	words  string
	advice string // used when there is no check to take advice from
}

func (c scanCause) matches(code int32, output string) bool {
	if c.pattern == nil {
		return c.code != 0 && c.code == code
	}
	return c.pattern.MatchString(output) && (c.code == 0 || c.code == code)
}

// Advice for the causes no check stands for.
const (
	adviceRepositories = "let the node reach its repositories (directly, through the proxy, or a mirror); on dnf systems skip_if_unavailable=True " +
		"skips dead ones, but then Patch Manager cannot see their patches"
	adviceLock = "let the other run finish (unattended upgrades, a cloud-init step, a colleague's yum) and scan again"
)

// reRepositories is every package manager's way of saying it could not
// reach a repository: yum's mirror list and base URL, dnf's metadata, apt's
// lists, zypper's refresh, and the resolver under them.
var reRepositories = regexp.MustCompile(`(?i)cannot retrieve repository metadata|cannot find a valid baseurl for repo|no more mirrors to try|` +
	`failed to download metadata for repo|temporary failure resolving|could not resolve host|failed to fetch|repository '[^']*' is invalid`)

// scanCauses are checked in order; the first that matches names the cause.
// The messages and exit codes are the patch run's own (AWS-RunPatchBaseline's
// Linux and Windows steps, the payload's entrance module, the package
// managers), so a cause that shares an exit code with another comes
// before it.
var scanCauses = []scanCause{
	// The Windows step refuses to start (exit -1) on what it does not
	// support; the agent's own refusal of an old agent reads the same.
	{pattern: regexp.MustCompile(`This command is not supported on Windows 2003 or lower`), check: prereq.CheckOSSupported,
		words: "the patch run does not support Windows Server 2003 or lower"},
	{pattern: regexp.MustCompile(`This command is not supported with SSM Agent version less than 2\.0\.834\.0`), check: prereq.CheckAgentVersion,
		words: "the patch run needs SSM Agent 2.0.834.0 or later"},
	{pattern: regexp.MustCompile(`An unsupported package manager and python version combination was found`), check: prereq.CheckPatchPython,
		words: "the patch run found no Python it can use with the node's package manager"},
	{pattern: regexp.MustCompile(`Unable to import yum module`), check: prereq.CheckPatchPython,
		words: "the patch run's Python cannot import yum"},
	// Exit 156 is also what the payload's entrance module ends with when
	// it cannot be loaded or raises: the download worked then.
	{pattern: regexp.MustCompile(`Error loading patching payload|Error loading entrance module`), check: prereq.CheckPatchPython,
		words: "the patch run downloaded its payload but its Python could not load it (the traceback in the output says why)"},
	{pattern: regexp.MustCompile(`Unable to download payload`), check: prereq.CheckPayload,
		words: "the patch run could not download its payload"},
	// Without curl the run starts wget; without wget either, Python's
	// error for the missing program ends it (Python 2 leaves out the
	// program's name).
	{pattern: regexp.MustCompile(`No such file or directory: '(wget|curl)'|(?s)Downloading payload from.*OSError: \[Errno 2\] No such file or directory(?:\r?\n|$)`),
		code: 1, check: prereq.CheckDownloader, words: "the patch run found neither curl nor wget to download its payload"},
	// Behind a proxy, a requests older than 2.18.4 cannot reach SSM for
	// the baseline's snapshot. Exit 143 alone is also SIGTERM's: the
	// message decides.
	{pattern: regexp.MustCompile(`Get Snapshot failed`), check: prereq.CheckRequests,
		words:  "the payload could not fetch the patch baseline's snapshot through the proxy: the patch run's requests is too old for it",
		advice: "plan again: the requests check upgrades requests 2.18.4 or later into the patch run's own interpreter (upgrade-requests)"},
	{code: 156, check: prereq.CheckPayload, words: "the patch run could not download its payload"},
	{pattern: regexp.MustCompile(`(?i)no space left on device`), check: prereq.CheckVarSpace,
		words: "the patch run ran out of space in /var"},
	{code: 126, check: prereq.CheckWorkdirExec,
		words: "the patch run could not execute its payload (the agent's work directory is mounted noexec)"},
	{pattern: regexp.MustCompile(`(?i)another process has acquired yum lock|could not get lock /var/lib/(dpkg|apt/lists)/|unable to lock directory /var/lib/apt/lists|` +
		`unable to acquire the dpkg frontend lock|failed to obtain the transaction lock|system management is locked|waiting for cache lock`),
		words: "another package manager run held the lock", advice: adviceLock},
	{pattern: reRepositories, words: "the node could not reach its package repositories", advice: adviceRepositories},
	{code: 152, words: "the patch run could not unpack its payload (another patch run at the same time, or a full /var)", check: prereq.CheckVarSpace},
	{code: 155, words: "the patch run could not extract its payload (another patch run at the same time, or a full /var)", check: prereq.CheckVarSpace},
}

// tailLines is how much of a failed scan's output is kept.
const tailLines = 12

// scanFailure turns a failed scan invocation into a result: the cause in
// words, its advice, and the output's tail in Detail.
func scanFailure(r runcmd.Result) StageResult {
	tail := outputTail(r.Output, tailLines)
	if !r.StepFound {
		return StageResult{Reason: runcmd.FailureReason("patch scan", r), Detail: tail}
	}
	for _, c := range scanCauses {
		if c.matches(r.ResponseCode, r.Output) {
			return StageResult{Reason: causeReason(fmt.Sprintf("the patch scan failed (exit %d): %s", r.ResponseCode, c.words), c), Detail: tail}
		}
	}
	if r.ResponseCode < 0 {
		// The step did not run its script (SSM's own refusal, such as an
		// invalid platform): SSM's status says more than the code.
		return StageResult{Reason: runcmd.FailureReason("patch scan", r), Detail: tail}
	}
	return StageResult{Reason: fmt.Sprintf("the patch scan failed (exit %d); its output's last lines are in the journal", r.ResponseCode), Detail: tail}
}

// causeReason appends the check a cause points at and its advice.
func causeReason(reason string, c scanCause) string {
	advice := c.advice
	if ch, ok := prereq.Lookup(c.check); ok {
		reason += " [" + string(c.check) + "]"
		if advice == "" {
			advice = ch.Advice
		}
	}
	if advice != "" {
		reason += "; what to do: " + advice
	}
	return reason
}

// reSkippedRepos is dnf's warning when skip_if_unavailable let it skip
// repositories it could not reach.
var reSkippedRepos = regexp.MustCompile(`Ignoring repositories:[^\n]*`)

// scanSkippedRepos returns a failure for a scan that succeeded without
// some of the node's repositories, and false for one that saw them all.
// dnf with skip_if_unavailable (Amazon Linux 2023's default) skips a
// repository it cannot reach and carries on: the scan then reports none of
// that repository's patches missing, and the node looks patched when it is
// not. Patch Manager cannot patch it from what it cannot see, so the node
// is not called ready.
func scanSkippedRepos(r runcmd.Result) (StageResult, bool) {
	m := reSkippedRepos.FindString(r.Output)
	if m == "" {
		return StageResult{}, false
	}
	c := scanCause{words: fmt.Sprintf("but the package manager skipped repositories it could not reach (%q): "+
		"Patch Manager cannot see their patches, so the node reports fewer missing than it has", strings.TrimSpace(cut(m, 200))),
		advice: adviceRepositories}
	return StageResult{Reason: causeReason("the patch scan succeeded "+c.words, c), Detail: outputTail(r.Output, tailLines),
		ScanFailure: &ScanFailure{ExitCode: r.ResponseCode, Cause: "the package manager skipped repositories it could not reach", Advice: adviceRepositories}}, true
}

// outputTail keeps the last n non-empty lines of output.
func outputTail(output string, n int) string {
	var lines []string
	for _, l := range strings.Split(output, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimRight(l, "\r"))
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return cut(strings.Join(lines, "\n"), 2000)
}
