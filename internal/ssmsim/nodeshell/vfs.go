package nodeshell

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// vfs is a node's filesystem in memory. Pipeline stages run concurrently,
// so every access holds the lock.
type vfs struct {
	mu   sync.Mutex
	tree host.Tree
}

// maxLinks bounds symbolic link resolution, as ELOOP does.
const maxLinks = 40

func pathErr(op, p string, err error) error { return &fs.PathError{Op: op, Path: p, Err: err} }

// abs makes p absolute against dir and cleans it.
func abs(dir, p string) string {
	if !path.IsAbs(p) {
		p = path.Join(dir, p)
	}
	return path.Clean(p)
}

// resolve follows symbolic links in every component of p, and in the
// last one too when follow is set. The result may not exist.
func (v *vfs) resolve(p string, follow bool) (string, error) {
	p = path.Clean(p)
	hops := 0
	for {
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		cur := "/"
		restarted := false
		for i, part := range parts {
			if part == "" {
				continue
			}
			next := path.Join(cur, part)
			e, ok := v.tree[next]
			last := i == len(parts)-1
			if ok && e.Mode&fs.ModeSymlink != 0 && (!last || follow) {
				hops++
				if hops > maxLinks {
					return "", pathErr("resolve", p, errLoop)
				}
				target := e.Data
				if !path.IsAbs(target) {
					target = path.Join(cur, target)
				}
				p = path.Clean(path.Join(append([]string{target}, parts[i+1:]...)...))
				restarted = true
				break
			}
			cur = next
		}
		if !restarted {
			return cur, nil
		}
	}
}

var errLoop = &simpleErr{"too many levels of symbolic links"}

type simpleErr struct{ s string }

func (e *simpleErr) Error() string { return e.s }

// lookup returns the entry at p after resolution.
func (v *vfs) lookup(p string, follow bool) (string, host.Entry, error) {
	r, err := v.resolve(p, follow)
	if err != nil {
		return "", host.Entry{}, err
	}
	e, ok := v.tree[r]
	if !ok && r != "/" {
		return r, host.Entry{}, pathErr("stat", p, fs.ErrNotExist)
	}
	if r == "/" {
		e = host.Entry{Mode: fs.ModeDir | 0o755}
	}
	return r, e, nil
}

// Stat implements interp.StatHandlerFunc's logic.
func (v *vfs) Stat(p string, follow bool) (fs.FileInfo, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	r, e, err := v.lookup(p, follow)
	if err != nil {
		return nil, err
	}
	return fileInfo{name: path.Base(r), e: e}, nil
}

// ReadDir lists a directory, sorted.
func (v *vfs) ReadDir(p string) ([]fs.DirEntry, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	r, e, err := v.lookup(p, true)
	if err != nil {
		return nil, err
	}
	if !e.Mode.IsDir() {
		return nil, pathErr("readdir", p, errNotDir)
	}
	prefix := r + "/"
	if r == "/" {
		prefix = "/"
	}
	var out []fs.DirEntry
	for q, qe := range v.tree {
		if strings.HasPrefix(q, prefix) && !strings.Contains(q[len(prefix):], "/") && q != r {
			out = append(out, fs.FileInfoToDirEntry(fileInfo{name: path.Base(q), e: qe}))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

var (
	errNotDir = &simpleErr{"not a directory"}
	errIsDir  = &simpleErr{"is a directory"}
)

// parentDir checks that the directory holding resolved path r exists.
func (v *vfs) parentDir(r string) error {
	d := path.Dir(r)
	if d == "/" {
		return nil
	}
	e, ok := v.tree[d]
	if !ok {
		return pathErr("open", r, fs.ErrNotExist)
	}
	if !e.Mode.IsDir() {
		return pathErr("open", r, errNotDir)
	}
	return nil
}

// Open opens a file for reading or writing, as open(2) with flag.
func (v *vfs) Open(p string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	if p == "/dev/null" {
		return nullFile{}, nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	r, err := v.resolve(p, true)
	if err != nil {
		return nil, err
	}
	e, exists := v.tree[r]
	if exists && e.Mode.IsDir() {
		return nil, pathErr("open", p, errIsDir)
	}
	write := flag&(os.O_WRONLY|os.O_RDWR) != 0
	if !write {
		if !exists {
			return nil, pathErr("open", p, fs.ErrNotExist)
		}
		return &readFile{Reader: bytes.NewReader([]byte(e.Data))}, nil
	}
	if !exists {
		if flag&os.O_CREATE == 0 {
			return nil, pathErr("open", p, fs.ErrNotExist)
		}
		if err := v.parentDir(r); err != nil {
			return nil, err
		}
		v.tree[r] = host.Entry{Mode: perm.Perm() &^ 0o022}
	} else if flag&os.O_EXCL != 0 && flag&os.O_CREATE != 0 {
		return nil, pathErr("open", p, fs.ErrExist)
	}
	if flag&os.O_TRUNC != 0 {
		e := v.tree[r]
		e.Data = ""
		v.tree[r] = e
	}
	return &writeFile{v: v, path: r}, nil
}

// writeFile appends every write to the tree at once, so a reader opened
// later in the same pipeline sees it.
type writeFile struct {
	v    *vfs
	path string
}

func (w *writeFile) Read([]byte) (int, error) { return 0, io.EOF }

func (w *writeFile) Write(b []byte) (int, error) {
	w.v.mu.Lock()
	defer w.v.mu.Unlock()
	e := w.v.tree[w.path]
	e.Data += string(b)
	w.v.tree[w.path] = e
	return len(b), nil
}

func (w *writeFile) Close() error { return nil }

type readFile struct{ *bytes.Reader }

func (readFile) Write([]byte) (int, error) { return 0, fs.ErrPermission }
func (readFile) Close() error              { return nil }

type nullFile struct{}

func (nullFile) Read([]byte) (int, error)    { return 0, io.EOF }
func (nullFile) Write(b []byte) (int, error) { return len(b), nil }
func (nullFile) Close() error                { return nil }

// fileInfo is an fs.FileInfo for a tree entry.
type fileInfo struct {
	name string
	e    host.Entry
}

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return int64(len(f.e.Data)) }
func (f fileInfo) Mode() fs.FileMode  { return f.e.Mode }
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return f.e.Mode.IsDir() }
func (f fileInfo) Sys() any           { return nil }
