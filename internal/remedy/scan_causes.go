package remedy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/runcmd"
)

// scanCause is a way AWS-RunPatchBaseline fails that patchready can name:
// matched on the patch run's own output or exit code, pointed at the
// preflight check that should have caught it (when one does), with words
// and advice for the operator.
type scanCause struct {
	pattern *regexp.Regexp // matched against the step's output
	code    int32          // or the step's exit code (0: not used)
	check   prereq.CheckID // the preflight check it points at, or ""
	words   string
	advice  string // used when there is no check to take advice from
}

// scanCauses are checked in order; the first that matches names the cause.
// The messages and exit codes are the patch run's own (see
// AWS-RunPatchBaseline's Linux script and the prerequisites page).
var scanCauses = []scanCause{
	{pattern: regexp.MustCompile(`An unsupported package manager and python version combination was found`), check: prereq.CheckPatchPython,
		words: "the patch run found no Python it can use with the node's package manager"},
	{pattern: regexp.MustCompile(`Unable to import yum module`), check: prereq.CheckPatchPython,
		words: "the patch run's Python cannot import yum"},
	{pattern: regexp.MustCompile(`Unable to download payload`), code: 156, check: prereq.CheckPayload,
		words: "the patch run could not download its payload"},
	{pattern: regexp.MustCompile(`(?i)no space left on device`), check: prereq.CheckVarSpace,
		words: "the patch run ran out of space in /var"},
	{code: 126, check: prereq.CheckWorkdirExec,
		words: "the patch run could not execute its payload (the agent's work directory is mounted noexec)"},
	{pattern: regexp.MustCompile(`(?i)another process has acquired yum lock|could not get lock /var/lib/dpkg|waiting for cache lock`),
		words:  "another package manager run held the lock",
		advice: "let the other run finish (unattended upgrades, a cloud-init step, a colleague's yum) and scan again"},
	{pattern: regexp.MustCompile(`(?i)cannot retrieve repository metadata|failed to download metadata for repo|temporary failure resolving|could not resolve host|failed to fetch`),
		words:  "the node could not reach its package repositories",
		advice: "let the node reach its repositories (directly, through the proxy, or a mirror); on dnf systems skip_if_unavailable=True skips dead ones"},
	{code: 152, words: "the patch run could not unpack its payload (another patch run at the same time, or a full /var)", check: prereq.CheckVarSpace},
	{code: 155, words: "the patch run could not extract its payload (another patch run at the same time, or a full /var)", check: prereq.CheckVarSpace},
}

// tailLines is how much of a failed scan's output is kept.
const tailLines = 12

// scanFailure turns a failed scan invocation into a result: the cause in
// words, its advice, and the output's tail in Detail.
func scanFailure(r runcmd.Result) StageResult {
	tail := outputTail(r.Output, tailLines)
	if !r.StepFound || r.ResponseCode < 0 {
		return StageResult{Reason: runcmd.FailureReason("patch scan", r), Detail: tail}
	}
	for _, c := range scanCauses {
		if (c.pattern != nil && c.pattern.MatchString(r.Output)) || (c.code != 0 && c.code == r.ResponseCode) {
			reason := fmt.Sprintf("the patch scan failed (exit %d): %s", r.ResponseCode, c.words)
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
			return StageResult{Reason: reason, Detail: tail}
		}
	}
	return StageResult{Reason: fmt.Sprintf("the patch scan failed (exit %d); its output's last lines are in the journal", r.ResponseCode), Detail: tail}
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
