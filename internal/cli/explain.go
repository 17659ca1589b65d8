package cli

import (
	"errors"

	"github.com/patchready/patchready/internal/awsclient"
)

// explain turns an AWS error into advice when it knows how, keeping the
// original error for errors.Is/As.
func explain(err error) error {
	var done *explainedError
	if err == nil || errors.As(err, &done) {
		return err
	}
	if hint := awsclient.Explain(err); hint != "" && hint != err.Error() {
		// What to do comes first; the SDK's own chain, long and repetitive,
		// follows for whoever needs the detail.
		return &explainedError{hint: hint, err: err}
	}
	return err
}

// explainedError prints advice first and keeps the AWS error for
// errors.Is/As and for the detail line.
type explainedError struct {
	hint string
	err  error
}

func (e *explainedError) Error() string { return e.hint + "\n  cause: " + e.err.Error() }
func (e *explainedError) Unwrap() error { return e.err }
