// Package report turns a saved plan, and optionally the journals of runs
// made from it, into the figures a readiness report shows: verdict counts,
// nodes by platform and by account and region, agent versions against the
// floor, blocked causes ranked by count, check outcomes, and for each run
// the nodes verified over time and the failures.
//
// Everything is computed generically from the plan value: verdicts by their
// String() names, checks from each node's Checks, blocked causes from
// BlockedBy. Nothing here lists the checks or the verdicts, so a new check
// or verdict appears in the report without a change to this package. The
// few things the plan does not yet say (a check's heading and advice, a
// node's account and region) each come from one function: CheckTitle,
// CheckAdvice and NodeScope.
//
// The package is pure: Build takes values and returns a value. Package
// htmlpage draws it.
package report
