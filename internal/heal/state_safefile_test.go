//go:build unix

package heal

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/patchready/patchready/internal/safefile"
)

// The heal state file is never replaced when it is a symbolic link (the
// link, not its target, would be replaced), nor read from a named pipe.
func TestStateRefusesLinksAndPipes(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "real-state.json")
	if err := SaveState(target, State{}); err != nil {
		t.Fatal(err)
	}
	link := StatePath(dir)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := SaveState(link, State{}); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("SaveState over a symlink = %v", err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	fifo := filepath.Join(t.TempDir(), StateFileName)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(fifo); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("LoadState of a named pipe = %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
