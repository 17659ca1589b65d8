//go:build unix

package safefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// targets makes one of each kind of thing a path can name, in dir.
func targets(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{
		"missing":   filepath.Join(dir, "missing"),
		"regular":   filepath.Join(dir, "regular"),
		"directory": filepath.Join(dir, "directory"),
		"symlink":   filepath.Join(dir, "symlink"),
		"dangling":  filepath.Join(dir, "dangling"),
		"fifo":      filepath.Join(dir, "fifo"),
	}
	if err := os.WriteFile(m["regular"], []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(m["directory"], 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(m["regular"], m["symlink"]); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "nowhere"), m["dangling"]); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(m["fifo"], 0o600); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWriteAtomicRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	m := targets(t, dir)
	write := func(w io.Writer) error { _, err := io.WriteString(w, "new\n"); return err }
	for name, path := range m {
		t.Run(name, func(t *testing.T) {
			before, _ := os.Lstat(path)
			err := WriteAtomic(path, 0o600, write)
			switch name {
			case "missing", "regular":
				if err != nil {
					t.Fatal(err)
				}
				b, _ := os.ReadFile(path)
				fi, _ := os.Stat(path)
				if string(b) != "new\n" || fi.Mode().Perm() != 0o600 {
					t.Errorf("wrote %q with mode %v", b, fi.Mode().Perm())
				}
			default:
				if !errors.Is(err, ErrNotRegular) {
					t.Fatalf("WriteAtomic = %v, want a refusal", err)
				}
				after, _ := os.Lstat(path)
				if after.Mode() != before.Mode() {
					t.Errorf("%s changed from %v to %v", name, before.Mode(), after.Mode())
				}
			}
		})
	}
	// The symlink's target is untouched and named in the error.
	if b, _ := os.ReadFile(m["regular"]); string(b) != "new\n" {
		t.Fatalf("regular: %q", b) // written by its own case above
	}
	err := WriteAtomic(m["symlink"], 0o600, write)
	if err == nil || !strings.Contains(err.Error(), "a symbolic link to "+m["regular"]) {
		t.Errorf("symlink refusal: %v", err)
	}
	noTemporaries(t, dir)
}

// A device node is refused: as root, a rename over /dev/null replaced the
// device with a plan. The write itself is tried on a device node of the
// test's own (never on /dev/null: a regression would replace it).
func TestWriteAtomicRefusesADevice(t *testing.T) {
	if err := CheckTarget(os.DevNull); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "is a device") {
		t.Errorf("CheckTarget(%s) = %v", os.DevNull, err)
	}
	dev := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o600, 1<<8|3); err != nil {
		t.Skipf("making a device node needs root (%v); CheckTarget above covers the check", err)
	}
	if err := WriteAtomic(dev, 0o600, func(io.Writer) error { return nil }); !errors.Is(err, ErrNotRegular) {
		t.Errorf("WriteAtomic(device) = %v", err)
	}
	if fi, err := os.Lstat(dev); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Errorf("the device node was replaced: %v %v", fi.Mode(), err)
	}
}

func TestWriteAtomicLeavesNoTemporaryOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := WriteAtomic(path, 0o600, func(w io.Writer) error { _, _ = io.WriteString(w, "half"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("WriteAtomic = %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old\n" {
		t.Errorf("the old file became %q", b)
	}
	noTemporaries(t, dir)
}

func TestOpenAppendRefusesLinksAndSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	m := targets(t, dir)
	for name, path := range m {
		t.Run(name, func(t *testing.T) {
			f, err := OpenAppend(path, 0o600)
			if name == "missing" || name == "regular" {
				if err != nil {
					t.Fatal(err)
				}
				f.Close()
				return
			}
			if err == nil {
				f.Close()
				t.Fatalf("opened %s", name)
			}
		})
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a dangling link's target was created: %v", err)
	}
	if _, err := OpenRead(m["fifo"]); !errors.Is(err, ErrNotRegular) {
		t.Errorf("OpenRead of a FIFO = %v, want a refusal (it would block)", err)
	}
}

func noTemporaries(t *testing.T, dir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
