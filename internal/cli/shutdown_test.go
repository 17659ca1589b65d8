package cli

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// lockedBuffer is written by the shutdown's timers and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func drainingCmd(grace string) *cobra.Command {
	cmd := &cobra.Command{Use: "x", Annotations: drainsOnInterrupt()}
	bindShutdownGrace(cmd)
	if grace != "" {
		_ = cmd.Flags().Set("shutdown-grace", grace)
	}
	return cmd
}

func TestShutdownDrainsThenCancelsWhenTheGraceEnds(t *testing.T) {
	var out lockedBuffer
	s := NewShutdown(&out)
	exited := make(chan int, 1)
	s.exit = func(code int) { exited <- code }
	ctx := s.bind(context.Background())
	if err := s.configure(drainingCmd("50ms")); err != nil {
		t.Fatal(err)
	}
	s.SetHint("HINT\n")
	s.Signal(syscall.SIGTERM)
	if !isClosed(s.Drain()) || ctx.Err() != nil {
		t.Fatalf("after the first SIGTERM: drained %v, cancelled %v; want drained only", isClosed(s.Drain()), ctx.Err() != nil)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the context was not cancelled when the grace ended")
	}
	s.done() // the command returned: no forced exit follows
	if got := s.exitCode(ExitNotCompliant); got != 143 {
		t.Errorf("exit code %d after SIGTERM, want 143", got)
	}
	if o := out.String(); !strings.Contains(o, "HINT") || !strings.Contains(o, "Shutdown grace of 50ms is over") {
		t.Errorf("output:\n%s", o)
	}
	select {
	case code := <-exited:
		t.Errorf("exited with %d although the command returned", code)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestShutdownSecondSignalExits(t *testing.T) {
	var out lockedBuffer
	s := NewShutdown(&out)
	var code int
	s.exit = func(c int) { code = c }
	s.bind(context.Background())
	if err := s.configure(drainingCmd("")); err != nil {
		t.Fatal(err)
	}
	s.Signal(syscall.SIGINT)
	s.Signal(syscall.SIGTERM)
	s.done()
	if code != 130 {
		t.Errorf("exit %d, want 130 (the first signal decides)", code)
	}
}

func TestShutdownGraceMustNotBeNegative(t *testing.T) {
	s := NewShutdown(&bytes.Buffer{})
	if err := s.configure(drainingCmd("-1s")); err == nil || !strings.Contains(err.Error(), "--shutdown-grace -1s") {
		t.Errorf("configure = %v", err)
	}
}

// A command that does not drain is cancelled by the first signal.
func TestShutdownCancelsOtherCommands(t *testing.T) {
	s := NewShutdown(&bytes.Buffer{})
	s.exit = func(int) {}
	ctx := s.bind(context.Background())
	if err := s.configure(&cobra.Command{Use: "plan"}); err != nil {
		t.Fatal(err)
	}
	s.Signal(syscall.SIGINT)
	s.done()
	if ctx.Err() == nil || isClosed(s.Drain()) {
		t.Errorf("cancelled %v, drained %v; want cancelled only", ctx.Err() != nil, isClosed(s.Drain()))
	}
}
