package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotRegular is wrapped by every refusal of a target that is not a
// regular file.
var ErrNotRegular = errors.New("not a regular file")

// CheckTarget returns nil when path does not exist or is a regular file,
// and an error wrapping ErrNotRegular that says what it is otherwise.
func CheckTarget(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return checkMode(path, fi.Mode())
}

func checkMode(path string, m fs.FileMode) error {
	var what string
	switch {
	case m.IsRegular():
		return nil
	case m&fs.ModeSymlink != 0:
		what = "a symbolic link"
		if target, err := filepath.EvalSymlinks(path); err == nil {
			what += " to " + target + "; give that path instead"
		}
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeDevice != 0:
		what = "a device"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	default:
		what = "not a regular file"
	}
	return &TargetError{Path: path, What: what}
}

// TargetError says why a path cannot be written.
type TargetError struct {
	Path string
	What string
}

func (e *TargetError) Error() string {
	return fmt.Sprintf("%s is %s: refusing to replace it (give a path to a regular file, or a new one)", e.Path, e.What)
}

func (e *TargetError) Unwrap() error { return ErrNotRegular }

// WriteAtomic writes path with write, atomically: a temporary file in the
// same directory, mode perm, synced and renamed over path. An existing
// path that is not a regular file is refused before anything is written.
// A failure at any step leaves the old file (if any) untouched and no
// temporary file behind.
func WriteAtomic(path string, perm fs.FileMode, write func(io.Writer) error) (err error) {
	if err := CheckTarget(path); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	renamed = true
	// Syncing the directory makes the rename itself durable. Some file
	// systems refuse to sync a directory; the file is in place then, so
	// that is not worth failing over.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// OpenAppend opens path for appending, creating it with perm if needed. It
// does not follow a symbolic link at path, and refuses anything that is
// not a regular file.
func OpenAppend(path string, perm fs.FileMode) (*os.File, error) {
	if err := CheckTarget(path); err != nil {
		return nil, err
	}
	// O_NOFOLLOW closes the gap between the check and the open for links;
	// the Stat below catches anything else that appeared meanwhile.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|oNoFollow, perm)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkMode(path, fi.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// OpenRead opens a file patchready wrote earlier for reading, refusing
// anything at path that is not a regular file (a named pipe would block
// the read forever). Links are followed: reading changes nothing.
func OpenRead(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkMode(path, fi.Mode()); err != nil {
		return nil, err
	}
	return os.Open(path)
}
