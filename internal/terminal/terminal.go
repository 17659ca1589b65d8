// Package terminal marks errors that must stop a long-running loop instead
// of being retried next round: a strategy, a check or an executor wraps its
// own fatal errors with Error, and the loop asks Is. The loop never guesses
// from an error's text or type which errors are fatal.
//
// The model is controller-runtime's reconcile.TerminalError.
package terminal

import "errors"

// terminalError marks err as terminal.
type terminalError struct{ err error }

func (e *terminalError) Error() string { return e.err.Error() }
func (e *terminalError) Unwrap() error { return e.err }

// Error marks err as terminal: retrying will not help (access denied, a
// resource the run relies on is gone). It returns nil for nil.
func Error(err error) error {
	if err == nil {
		return nil
	}
	return &terminalError{err: err}
}

// Is reports whether err, or an error it wraps, was marked terminal.
func Is(err error) bool {
	var t *terminalError
	return errors.As(err, &t)
}
