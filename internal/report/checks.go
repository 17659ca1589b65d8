package report

import "github.com/patchready/patchready/internal/prereq"

// checkTexts are the headings and advice of the checks patchready has
// today. They are presentation only: a check missing here is shown by its
// ID with no advice, so a new check needs no change to the report. When
// checks carry their own heading and advice, CheckTitle and CheckAdvice
// read them instead.
var checkTexts = map[prereq.CheckID]struct{ title, advice string }{
	prereq.CheckOnline: {"not Online",
		"SSM cannot reach the node. Check that the instance is running, that the SSM Agent service is up, that the instance profile allows SSM, and that the node reaches the SSM endpoints (VPC endpoints or a proxy)."},
	prereq.CheckOSSupported: {"operating system not supported",
		"Patch Manager does not support this OS release. Upgrade or replace the node, or exclude it from patching."},
	prereq.CheckAgentVersion: {"agent version unknown",
		"The agent reported no version patchready can read, so an update cannot be planned safely. Check the agent on the node, or update it by hand."},
	prereq.CheckRequests: {"proxy probe failed or unreadable",
		"The read-only probe could not tell whether the node uses a proxy or which Python requests it has. Run the plan again; if it persists, read the probe command's output in Run Command history."},
}

// CheckTitle is how the report names a check as a cause: a heading when
// one is known, else the check's ID.
func CheckTitle(id prereq.CheckID) string {
	if t, ok := checkTexts[id]; ok {
		return t.title
	}
	return string(id)
}

// CheckAdvice is what a person can do about a check that blocks nodes, or
// "" when there is no advice to give.
func CheckAdvice(id prereq.CheckID) string { return checkTexts[id].advice }
