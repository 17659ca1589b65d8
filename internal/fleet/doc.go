// Package fleet owns the model of a managed node as patchready observes it,
// and its discovery through DescribeInstanceInformation: validating a
// selection, turning it into the fewest paginated listings SSM allows
// (Discover), and reading nodes back after a change (ReadBack).
//
// It reads; it never changes anything in the account. Evaluation of what the
// facts mean belongs to package prereq, and deciding what to do to package plan.
package fleet
