package host

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// StateDir holds the state the stub commands read and write.
const StateDir = "/var/lib/hostmodel"

// Entry is one file, directory or symbolic link of a Tree.
type Entry struct {
	// Mode is the permission bits, with fs.ModeDir or fs.ModeSymlink for
	// directories and links.
	Mode fs.FileMode
	// Data is a file's content or a link's target.
	Data string
}

// Tree is a node's filesystem, by absolute clean path.
type Tree map[string]Entry

// Dir adds a directory and its missing parents.
func (t Tree) Dir(p string, perm fs.FileMode) {
	p = path.Clean(p)
	if p == "/" {
		return
	}
	t.Dir(path.Dir(p), 0o755)
	if _, ok := t[p]; !ok {
		t[p] = Entry{Mode: fs.ModeDir | perm}
	}
}

// File adds a file and its missing parents.
func (t Tree) File(p string, perm fs.FileMode, data string) {
	p = path.Clean(p)
	t.Dir(path.Dir(p), 0o755)
	t[p] = Entry{Mode: perm, Data: data}
}

// Link adds a symbolic link and its missing parents.
func (t Tree) Link(p, target string) {
	p = path.Clean(p)
	t.Dir(path.Dir(p), 0o755)
	t[p] = Entry{Mode: fs.ModeSymlink | 0o777, Data: target}
}

// Paths returns the tree's paths, parents before children.
func (t Tree) Paths() []string {
	out := make([]string, 0, len(t))
	for p := range t {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Materialize writes the tree under dir (dir stands for /).
func (t Tree) Materialize(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("materialize: %w", err)
	}
	for _, p := range t.Paths() {
		e := t[p]
		dst := filepath.Join(dir, filepath.FromSlash(p))
		switch {
		case e.Mode&fs.ModeDir != 0:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return fmt.Errorf("materialize %s: %w", p, err)
			}
			if err := os.Chmod(dst, e.Mode.Perm()|chmodSticky(e.Mode)); err != nil {
				return fmt.Errorf("materialize %s: %w", p, err)
			}
		case e.Mode&fs.ModeSymlink != 0:
			if err := os.Symlink(e.Data, dst); err != nil {
				return fmt.Errorf("materialize %s: %w", p, err)
			}
		default:
			if err := os.WriteFile(dst, []byte(e.Data), e.Mode.Perm()); err != nil {
				return fmt.Errorf("materialize %s: %w", p, err)
			}
			if err := os.Chmod(dst, e.Mode.Perm()); err != nil {
				return fmt.Errorf("materialize %s: %w", p, err)
			}
		}
	}
	return nil
}

func chmodSticky(m fs.FileMode) fs.FileMode {
	if m&fs.ModeSticky != 0 {
		return os.ModeSticky
	}
	return 0
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// stub makes a stub script: a shebang, the variables, the body.
func stub(name string, vars [][2]string) string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n# Simulated node command (patchready host model).\n")
	for _, v := range vars {
		fmt.Fprintf(&b, "%s=%s\n", v[0], shellQuote(v[1]))
	}
	b.WriteString(stubBody(name))
	return b.String()
}
