package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// annotationDrain marks a command that handles the first interrupt itself:
// it stops starting new work when Drain closes, and its context is
// cancelled only when its --shutdown-grace ends. Every other command's
// context is cancelled at the first interrupt. Commands declare it; nothing
// guesses it from argv.
const annotationDrain = "patchready/drain-on-interrupt"

// DefaultShutdownGrace is how long a draining command may take to stop
// after the first interrupt: under Kubernetes' 30 s and systemd's 90 s
// before they send SIGKILL.
const DefaultShutdownGrace = 20 * time.Second

// cancelBackstop is how long a command may take to return once its context
// is cancelled before the process exits regardless: every wait honours the
// context, so this only bounds a bug.
const cancelBackstop = 5 * time.Second

// drainsOnInterrupt returns the annotations of a command that drains.
func drainsOnInterrupt() map[string]string { return map[string]string{annotationDrain: "true"} }

// bindShutdownGrace adds --shutdown-grace to a draining command.
func bindShutdownGrace(cmd *cobra.Command) {
	cmd.Flags().Duration("shutdown-grace", DefaultShutdownGrace,
		"after the first SIGINT/SIGTERM, how long running work may take to report before it is cancelled (0: at once)")
}

// Shutdown turns SIGINT and SIGTERM into the stop the running command
// declared. For a draining command the first signal closes Drain, prints
// how to resume or undo the run, and cancels the command's context when
// the grace ends; the second exits at once. For any other command the
// first signal cancels its context. After a signal the process exits 128
// plus the first signal's number (130 after SIGINT, 143 after SIGTERM), as
// shells and supervisors expect.
type Shutdown struct {
	errOut io.Writer
	drain  chan struct{}
	// exit ends the process (os.Exit); tests replace it.
	exit func(code int)

	mu       sync.Mutex
	cancel   context.CancelFunc
	drains   bool
	grace    time.Duration
	received []os.Signal
	timers   []*time.Timer
	// hint says how to resume or undo the running run ("" before one
	// started).
	hint string
}

// NewShutdown returns a Shutdown that reports to errOut.
func NewShutdown(errOut io.Writer) *Shutdown {
	return &Shutdown{errOut: errOut, drain: make(chan struct{}), exit: os.Exit, grace: DefaultShutdownGrace}
}

// Drain is closed by the first interrupt of a draining command.
func (s *Shutdown) Drain() <-chan struct{} { return s.drain }

// Interrupted reports whether a signal arrived.
func (s *Shutdown) Interrupted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.received) > 0
}

// SetHint records what to print about the running run if it is
// interrupted (and prints it at once if it already was); "" clears it.
func (s *Shutdown) SetHint(hint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hint = hint
}

// bind makes ctx the context the signals cancel.
func (s *Shutdown) bind(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	return ctx
}

// configure takes the stop mode, and the grace of a draining command, from
// the command about to run.
func (s *Shutdown) configure(cmd *cobra.Command) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drains = cmd.Annotations[annotationDrain] == "true"
	if !s.drains {
		return nil
	}
	grace, err := cmd.Flags().GetDuration("shutdown-grace")
	if err != nil {
		return fmt.Errorf("%s declares that it drains but has no --shutdown-grace: %w", cmd.CommandPath(), err)
	}
	if grace < 0 {
		return fmt.Errorf("--shutdown-grace %s: must be 0 or more, e.g. 20s", grace)
	}
	s.grace = grace
	return nil
}

// Signal handles one SIGINT or SIGTERM.
func (s *Shutdown) Signal(sig os.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, sig)
	name := signalName(sig)
	switch {
	case len(s.received) > 1:
		fmt.Fprintf(s.errOut, "\n%s again: stopping at once.\n", name)
		s.printHint()
		s.exit(s.code())
	case !s.drains:
		fmt.Fprintf(s.errOut, "\n%s: stopping.\n", name)
		s.cancelLocked()
	default:
		close(s.drain)
		fmt.Fprintf(s.errOut, "\n%s: no new work will start; running work has %s to report (--shutdown-grace). Send it again to stop at once.\n",
			name, s.grace)
		s.printHint()
		s.timers = append(s.timers, time.AfterFunc(s.grace, s.graceOver))
	}
}

// graceOver cancels the command's context, and exits if the command still
// has not returned cancelBackstop later.
func (s *Shutdown) graceOver() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.grace > 0 {
		fmt.Fprintf(s.errOut, "Shutdown grace of %s is over: cancelling the work still running.\n", s.grace)
	}
	s.cancelLocked()
}

func (s *Shutdown) cancelLocked() {
	if s.cancel != nil {
		s.cancel()
	}
	s.timers = append(s.timers, time.AfterFunc(cancelBackstop, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		fmt.Fprintf(s.errOut, "Still running %s after cancelling: exiting.\n", cancelBackstop)
		s.printHint()
		s.exit(s.code())
	}))
}

// done stops the timers once the command has returned: the process exits
// on its own from here.
func (s *Shutdown) done() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.timers {
		t.Stop()
	}
	s.timers = nil
}

func (s *Shutdown) printHint() {
	if s.hint != "" {
		fmt.Fprint(s.errOut, s.hint)
	}
}

// exitCode returns the process exit code: 128 plus the first signal's
// number after an interrupt, else code.
func (s *Shutdown) exitCode(code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.received) == 0 {
		return code
	}
	return s.code()
}

func (s *Shutdown) code() int {
	if n, ok := s.received[0].(syscall.Signal); ok {
		return 128 + int(n)
	}
	return ExitInterrupted
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "Interrupt (SIGINT)"
	case syscall.SIGTERM:
		return "Terminated (SIGTERM)"
	}
	return sig.String()
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
