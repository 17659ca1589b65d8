// Package runcmd is patchready's one way to use Run Command: send a document
// to at most 50 nodes in one SendCommand, and read back how each node's
// invocation ended, with the output of one named step.
//
// Every Run Command user in patchready goes through it: the read-only
// probe, the fix document, the run-command agent-update strategy and the
// patch scan. Results are read strictly by step name: a document's output
// is the output of the step patchready reads its report from, never the
// concatenation of every step's, so another step's text cannot pass for a
// report.
//
// It sends and reads; it does not poll on its own (callers own their poll
// schedules) and it does not judge what a step printed.
package runcmd
