package cli

import "errors"

// Exit codes, the contract scripts rely on (README "Exit codes").
const (
	ExitOK           = 0 // success; fleet compliant
	ExitError        = 1 // bad input, AWS error, stale plan
	ExitChanges      = 2 // plan has changes (only with --detailed-exitcode)
	ExitNotCompliant = 3 // apply finished but some targeted nodes are not compliant
	// ExitTargetFailed: a run across accounts and regions could not plan
	// or apply some target (a role missing or denied, a suspended account,
	// a disabled region, a target throttled past its retries, a stale
	// target); the other targets ran. It outranks 2 and 3: whatever the
	// others did, part of the organization was not covered.
	ExitTargetFailed = 4
	// ExitInterrupted is 128+SIGINT; after SIGTERM the code is 143
	// (128+15). The first signal received decides.
	ExitInterrupted = 130
)

// exitError carries an exit code other than 1 through cobra's error return.
// Its message, when not empty, has already been printed or needs printing.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withExitCode wraps err (which may be nil) so that Main exits with code.
func withExitCode(code int, err error) error { return &exitError{code: code, err: err} }

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitError
}
