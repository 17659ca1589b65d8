package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Sender delivers a message on one channel.
type Sender interface {
	// Name names the channel in logs, metrics and the state file.
	Name() string
	// Send makes one attempt; an error wrapped with Permanent is not
	// retried.
	Send(ctx context.Context, m Message) error
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks an error that retrying cannot fix.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool { return errors.As(err, new(permanentError)) }

// Defaults of Notifier.
const (
	DefaultAttempts = 4
	DefaultBackoff  = 2 * time.Second
	// attemptTimeout bounds one delivery attempt.
	attemptTimeout = 15 * time.Second
)

// Notifier decides after each cycle whether anything changed since what
// each channel was last told, and if so tells it, retrying with backoff.
type Notifier struct {
	Senders []Sender
	// StatePath keeps what each channel was last told, so that heal --once
	// runs (one process per cycle) notify on change too; "" keeps it in
	// memory only.
	StatePath string
	// Attempts per message (DefaultAttempts when zero) and the first wait
	// between them (DefaultBackoff), doubled after each failure.
	Attempts int
	Backoff  time.Duration
	// Sleep waits between attempts (a timer when nil); tests pass one that
	// does not wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives each delivery and failure (nil: none).
	Logger *zap.Logger
	// Observe, when not nil, is told the outcome of every message: err is
	// nil when it was delivered. Heal counts them in its metrics.
	Observe func(channel string, err error)

	mu    sync.Mutex
	state map[string]Snapshot
}

type stateFile struct {
	Channels map[string]Snapshot `json:"channels"`
}

// Cycle tells every channel that has not yet heard about what changed in
// c. It never returns an error: a notification that cannot be delivered
// is logged and observed, and the next cycle tries again.
func (n *Notifier) Cycle(ctx context.Context, c Cycle) {
	if n == nil || len(n.Senders) == 0 {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	log := n.Logger
	if log == nil {
		log = zap.NewNop()
	}
	if err := n.load(); err != nil {
		log.Warn("notification state unreadable; every channel starts afresh", zap.Error(err))
	}
	c.Failed = slices.Clone(c.Failed)
	slices.Sort(c.Failed)
	changed := false
	for _, s := range n.Senders {
		var prev *Snapshot
		if p, ok := n.state[s.Name()]; ok {
			prev = &p
		}
		changes := Diff(prev, c)
		if len(changes) == 0 {
			log.Debug("notification not needed: nothing changed", zap.String("channel", s.Name()), zap.String("run_id", c.RunID))
			continue
		}
		m := Compose(c, changes, NewFailures(prev, c))
		err := n.deliver(ctx, s, m)
		if n.Observe != nil {
			n.Observe(s.Name(), err)
		}
		if err != nil {
			// The snapshot stays as it was, so the next cycle that sees
			// the same change tells it again.
			log.Error("notification not delivered", zap.String("channel", s.Name()), zap.String("run_id", c.RunID), zap.Error(err))
			continue
		}
		log.Info("notification sent", zap.String("channel", s.Name()), zap.String("run_id", c.RunID), zap.Strings("changes", changes))
		n.state[s.Name()] = SnapshotOf(c)
		changed = true
	}
	if changed {
		if err := n.save(); err != nil {
			log.Warn("notification state not saved; the next cycle may repeat a message", zap.Error(err))
		}
	}
}

// deliver sends m, retrying with doubling waits until it is delivered, an
// error is permanent, the attempts run out, or ctx ends.
func (n *Notifier) deliver(ctx context.Context, s Sender, m Message) error {
	attempts, wait := n.Attempts, n.Backoff
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	if wait <= 0 {
		wait = DefaultBackoff
	}
	sleep := n.Sleep
	if sleep == nil {
		sleep = sleepTimer
	}
	var err error
	for i := 1; i <= attempts; i++ {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		err = s.Send(actx, m)
		cancel()
		if err == nil || IsPermanent(err) {
			return err
		}
		if i == attempts {
			break
		}
		if serr := sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (gave up: %w)", err, serr)
		}
		wait *= 2
	}
	return fmt.Errorf("%w (after %d attempts)", err, attempts)
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// maxStateFile caps the state file read; it holds a few snapshots.
const maxStateFile = 16 << 20

func (n *Notifier) load() error {
	if n.state != nil {
		return nil
	}
	n.state = map[string]Snapshot{}
	if n.StatePath == "" {
		return nil
	}
	b, err := os.ReadFile(n.StatePath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read notification state: %w", err)
	}
	if len(b) > maxStateFile {
		return fmt.Errorf("notification state %s is larger than %d MiB", n.StatePath, maxStateFile>>20)
	}
	var f stateFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("notification state %s: %w", n.StatePath, err)
	}
	for k, s := range f.Channels {
		slices.Sort(s.Failed)
		n.state[k] = s
	}
	return nil
}

// save writes the state atomically (a temporary file renamed), mode 0600.
func (n *Notifier) save() error {
	if n.StatePath == "" {
		return nil
	}
	b, err := json.MarshalIndent(stateFile{Channels: n.state}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode notification state: %w", err)
	}
	dir := filepath.Dir(n.StatePath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".notify-*.json")
	if err != nil {
		return fmt.Errorf("write notification state: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write notification state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write notification state: %w", err)
	}
	if err := os.Rename(f.Name(), n.StatePath); err != nil {
		return fmt.Errorf("write notification state: %w", err)
	}
	return nil
}

// StatePath returns where heal keeps the notification state under its
// state directory.
func StatePath(stateDir string) string { return filepath.Join(stateDir, "notify-state.json") }
