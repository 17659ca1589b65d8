package heal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/patchready/patchready/internal/safefile"
)

// StateFileName is the heal state file inside the state directory.
const StateFileName = "heal-state.json"

// stateVersion is the state file format. A newer version is refused
// rather than overwritten, so that a downgrade cannot lose what a newer
// patchready recorded.
const stateVersion = 1

// State is what heal remembers between cycles and between processes.
type State struct {
	Version int `json:"version"`
	// Nodes holds a record for each node that failed to heal, by
	// instance ID; a node that heals is removed.
	Nodes map[string]NodeBackoff `json:"nodes"`
}

// NodeBackoff is one failing node's record.
type NodeBackoff struct {
	// Failures counts consecutive failed cycles.
	Failures int `json:"failures"`
	// LastFailure is the start of the cycle that failed last.
	LastFailure time.Time `json:"last_failure"`
	// RetryAfter is when the node may be tried again.
	RetryAfter time.Time `json:"retry_after"`
	// Reason is the last failure as converge reported it.
	Reason string `json:"reason,omitempty"`
}

// StatePath returns the state file of a state directory.
func StatePath(stateDir string) string { return filepath.Join(stateDir, StateFileName) }

// LoadState reads the state file; a missing file is an empty state.
func LoadState(path string) (State, error) {
	// A named pipe at the path would block the read for ever.
	f, err := safefile.OpenRead(path)
	if errors.Is(err, os.ErrNotExist) {
		return State{Version: stateVersion, Nodes: map[string]NodeBackoff{}}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("read heal state: %w", err)
	}
	b, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return State{}, fmt.Errorf("read heal state: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("heal state %s is not valid JSON (move it aside to start afresh): %w", path, err)
	}
	if st.Version > stateVersion {
		return State{}, fmt.Errorf("heal state %s has format version %d, newer than this patchready understands (%d): upgrade patchready", path, st.Version, stateVersion)
	}
	if st.Nodes == nil {
		st.Nodes = map[string]NodeBackoff{}
	}
	st.Version = stateVersion
	return st, nil
}

// SaveState writes the state file atomically, mode 0600: a temporary file
// in the same directory, synced, then renamed over the old one, so that a
// process killed mid-write (a CronJob pod evicted) leaves either the old
// state or the new, never half of one. Anything at path that is not a
// regular file is refused (see package safefile).
func SaveState(path string, st State) error {
	st.Version = stateVersion
	if st.Nodes == nil {
		st.Nodes = map[string]NodeBackoff{}
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode heal state: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	if err := safefile.WriteAtomic(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	}); err != nil {
		return fmt.Errorf("write heal state: %w", err)
	}
	return nil
}
