//go:build unix

package remedy

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/patchready/patchready/internal/safefile"
)

// A journal is never written through a symbolic link, nor read from a
// named pipe (which would block a resume for ever).
func TestJournalRefusesLinksAndPipes(t *testing.T) {
	dir := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.MkdirAll(filepath.Join(dir, "runs"), 0o700); err != nil {
		t.Fatal(err)
	}
	link := JournalPath(dir, "20260302T090000Z-aaaaaa")
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenJournal(dir, "20260302T090000Z-aaaaaa", nil); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("OpenJournal through a symlink = %v", err)
	}
	if _, err := os.Lstat(elsewhere); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the link's target was created: %v", err)
	}
	fifo := JournalPath(dir, "20260302T090000Z-bbbbbb")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJournal(fifo); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("ReadJournal of a named pipe = %v", err)
	}
}
