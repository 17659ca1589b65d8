package report

import (
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
)

// CheckTitle is how the report names a check as a cause: the heading the
// check registers, else its ID. Headings and advice live with the checks
// (package prereq), so a new check needs no change here.
func CheckTitle(id prereq.CheckID) string {
	if c, ok := prereq.Lookup(id); ok && c.Heading != "" {
		return c.Heading
	}
	if id == plan.ScanCheck {
		return plan.ScanHeading
	}
	return string(id)
}

// CheckAdvice is what a person can do about a check that blocks nodes, or
// "" when there is no advice to give.
func CheckAdvice(id prereq.CheckID) string {
	if c, ok := prereq.Lookup(id); ok {
		return c.Advice
	}
	if id == plan.ScanCheck {
		return plan.ScanAdvice
	}
	return ""
}
