package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/spf13/cobra"
)

// annotationDrain marks a command that handles the first interrupt itself:
// it stops starting new work when Drain closes, and its context is
// cancelled only later. Every other command's context is cancelled at the
// first interrupt. Commands declare it; nothing guesses it from argv.
const annotationDrain = "patchready/drain-on-interrupt"

// drainsOnInterrupt returns the annotations of a command that drains.
func drainsOnInterrupt() map[string]string { return map[string]string{annotationDrain: "true"} }

// Shutdown turns SIGINT and SIGTERM into the stop the running command
// declared: for a draining command the first signal closes Drain and the
// second cancels its context; for any other command the first cancels.
type Shutdown struct {
	errOut io.Writer
	drain  chan struct{}

	mu       sync.Mutex
	cancel   context.CancelFunc
	drains   bool
	received []os.Signal
}

// NewShutdown returns a Shutdown that reports to errOut.
func NewShutdown(errOut io.Writer) *Shutdown {
	return &Shutdown{errOut: errOut, drain: make(chan struct{})}
}

// Drain is closed by the first interrupt of a draining command.
func (s *Shutdown) Drain() <-chan struct{} { return s.drain }

// bind makes ctx the context the signals cancel.
func (s *Shutdown) bind(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	return ctx
}

// configure takes the stop mode from the command about to run.
func (s *Shutdown) configure(cmd *cobra.Command) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drains = cmd.Annotations[annotationDrain] == "true"
}

// Signal handles one SIGINT or SIGTERM.
func (s *Shutdown) Signal(sig os.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, sig)
	if len(s.received) == 1 && s.drains {
		close(s.drain)
		fmt.Fprintln(s.errOut, "\nInterrupt: no new work will start; waiting for running work to report. Press Ctrl-C again to stop at once.")
		return
	}
	if s.cancel != nil {
		s.cancel()
	}
}

// isClosed reports whether ch is closed (nil: never).
func isClosed(ch <-chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
