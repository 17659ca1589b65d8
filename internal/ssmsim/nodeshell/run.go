package nodeshell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// Options say what to run and where.
type Options struct {
	// Tree is the node's filesystem; Run works on a copy.
	Tree host.Tree
	// Script is the shell script's text.
	Script string
	// Env is the environment, KEY=VALUE.
	Env []string
	// MaxOutput bounds what each of stdout and stderr keeps; 1 MiB when 0.
	MaxOutput int
}

// Result is how a run ended.
type Result struct {
	Stdout, Stderr string
	// Code is the exit status: 126 for a file that cannot run, 127 for a
	// command not found, as a shell reports them.
	Code int
	// Tree is the filesystem as the script left it.
	Tree host.Tree
}

// maxDepth bounds scripts running scripts.
const maxDepth = 16

type depthKey struct{}

// Run interprets the script against a copy of the tree.
func Run(ctx context.Context, o Options) (Result, error) {
	file, err := parse(o.Script)
	if err != nil {
		return Result{}, fmt.Errorf("parse script: %w", err)
	}
	tree := make(host.Tree, len(o.Tree))
	for p, e := range o.Tree {
		tree[p] = e
	}
	max := o.MaxOutput
	if max <= 0 {
		max = 1 << 20
	}
	s := &session{fs: &vfs{tree: tree}}
	out, errb := &capped{max: max}, &capped{max: max}
	r, err := s.runner(expand.ListEnviron(o.Env...), "/", nil, out, errb, nil)
	if err != nil {
		return Result{}, err
	}
	code, err := exitCode(r.Run(ctx, file))
	if err != nil {
		return Result{}, err
	}
	return Result{Stdout: out.String(), Stderr: errb.String(), Code: code, Tree: tree}, nil
}

// exitCode turns a Run error into an exit status; other errors (a
// cancelled context, a handler's fault) are returned.
func exitCode(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	if st, ok := interp.IsExitStatus(err); ok {
		return int(st), nil
	}
	return 0, err
}

// session is one run: its filesystem and counters.
type session struct {
	fs   *vfs
	mu   sync.Mutex
	temp int // mktemp names issued
}

func (s *session) runner(env expand.Environ, dir string, stdin io.Reader, stdout, stderr io.Writer, params []string) (*interp.Runner, error) {
	opts := []interp.RunnerOption{
		interp.Env(env),
		interp.StdIO(stdin, stdout, stderr),
		interp.Dir("/"),
		interp.OpenHandler(func(ctx context.Context, p string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
			return s.fs.Open(abs(interp.HandlerCtx(ctx).Dir, p), flag, perm)
		}),
		interp.StatHandler(func(ctx context.Context, name string, follow bool) (fs.FileInfo, error) {
			return s.fs.Stat(abs(interp.HandlerCtx(ctx).Dir, name), follow)
		}),
		interp.ReadDirHandler2(func(ctx context.Context, p string) ([]fs.DirEntry, error) {
			return s.fs.ReadDir(abs(interp.HandlerCtx(ctx).Dir, p))
		}),
		interp.AccessHandler(func(ctx context.Context, p string, mode interp.AccessMode) error {
			return s.access(abs(interp.HandlerCtx(ctx).Dir, p), mode)
		}),
		// command -v looks commands up on the real filesystem; it is sent
		// to the exec handler instead, which looks in the tree.
		interp.CallHandler(rewriteCall),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc { return s.exec }),
	}
	if params != nil {
		opts = append(opts, interp.Params(append([]string{"--"}, params...)...))
	}
	r, err := interp.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("new interpreter: %w", err)
	}
	r.Dir = dir
	return r, nil
}

// rewriteCall adapts builtins the interpreter handles differently from a
// node's shell: command -v looks commands up on the real filesystem, so it
// goes to the exec handler, which looks in the tree; umask is not
// supported, and every script runs as root in a tree without owners, so
// it is a no-op; traps on signals other than EXIT are dropped, as no
// signal reaches a simulated script.
func rewriteCall(_ context.Context, args []string) ([]string, error) {
	switch args[0] {
	case "command":
		if len(args) > 2 && args[1] == "-v" {
			return append([]string{commandV}, args[2:]...), nil
		}
	case "umask":
		return []string{"true"}, nil
	case "trap":
		if len(args) > 2 {
			kept := args[:2:2]
			for _, sig := range args[2:] {
				if sig == "EXIT" || sig == "0" {
					kept = append(kept, sig)
				}
			}
			if len(kept) == 2 {
				return []string{"true"}, nil
			}
			return kept, nil
		}
	}
	return args, nil
}

func (s *session) access(p string, mode interp.AccessMode) error {
	fi, err := s.fs.Stat(p, true)
	if err != nil {
		return err
	}
	// Scripts run as root: reading and writing are always allowed; running
	// needs an execute bit (or a directory to enter).
	if mode&interp.AccessExec != 0 && !fi.IsDir() && fi.Mode().Perm()&0o111 == 0 {
		return fs.ErrPermission
	}
	return nil
}

// parsed caches parsed scripts by text: the stubs are the same on every
// node.
var parsed sync.Map // string → *syntax.File

func parse(text string) (*syntax.File, error) {
	if f, ok := parsed.Load(text); ok {
		return f.(*syntax.File), nil
	}
	// The bash grammar: it is a superset of what the node's sh accepts,
	// and the interpreter supports export and local only as bash parses
	// them.
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), "")
	if err != nil {
		return nil, err
	}
	parsed.Store(text, f)
	return f, nil
}

// capped keeps the first max bytes written and drops the rest.
type capped struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (c *capped) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.max - c.buf.Len(); room > 0 {
		if len(b) > room {
			c.buf.Write(b[:room])
		} else {
			c.buf.Write(b)
		}
	}
	return len(b), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

var errTooDeep = errors.New("scripts nested too deeply")
