// Package prereq owns Patch Manager's prerequisites: the rules as versioned
// data (rules/seed.yaml, the page patchready started from, and
// rules/aws-current.yaml, AWS's current page; a user's YAML overrides
// either), and the checks, each one registered unit (check_*.go and one
// line in checks.go) that declares its facts, where it applies, how it
// evaluates, what a failure means and the action that fixes it.
//
// Evaluate is pure: no clients, no clock, no I/O. It says what each check
// found about each node and why, in words a reviewer understands; deciding
// what to do about it belongs to package plan. Only Load and LoadFile read,
// and only the rules file they are given.
package prereq
