package awsclient

import (
	"fmt"
	"time"
)

// A connection refused before the endpoint ever answered means nothing
// listens there (a simulator not started, a wrong port): retrying for the
// standard ten attempts only made the user wait about 11 s in silence.
// Until the endpoint has answered once, a refused connection is retried
// at most maxRefusedRetries times, quickly; after that, a refusal is a
// blip in a long run and gets the standard retries, each logged at warn.
const (
	maxRefusedRetries = 2
	refusedDelay      = 100 * time.Millisecond
)

// RefusedError is returned when the endpoint refused every connection of a
// call before ever answering. It wraps the last attempt's error.
type RefusedError struct {
	Attempts int
	Err      error
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("connection refused %d times in a row: %v", e.Attempts, e.Err)
}

func (e *RefusedError) Unwrap() error { return e.Err }
