package nodeshell

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
)

// commandV is the name `command -v` is rewritten to (see CallHandler).
const commandV = "\x00command-v"

// exec runs one simple command that is not a builtin or function.
func (s *session) exec(ctx context.Context, args []string) error {
	hc := interp.HandlerCtx(ctx)
	name := args[0]
	if name == commandV {
		return s.commandV(hc, args[1:])
	}
	if p, ok := s.lookPath(hc, name); ok {
		return s.runFile(ctx, hc, p, args)
	}
	base := name
	if strings.Contains(name, "/") {
		// /usr/bin/cat and /bin/cat are what every node has.
		if d := path.Dir(name); d != "/usr/bin" && d != "/bin" {
			return notFound(hc, name)
		}
		base = path.Base(name)
	}
	if c, ok := goCommands[base]; ok {
		return status(c(s, hc, args))
	}
	if _, ok := hostTools[base]; ok {
		if code, ok := goFilter(hc, base, args[1:]); ok {
			return status(code)
		}
		return runHostTool(ctx, hc, base, args[1:])
	}
	return notFound(hc, name)
}

func notFound(hc interp.HandlerContext, name string) error {
	fmt.Fprintf(hc.Stderr, "sh: %s: not found\n", name)
	return interp.NewExitStatus(127)
}

func status(code uint8) error {
	if code == 0 {
		return nil
	}
	return interp.NewExitStatus(code)
}

// lookPath finds a command in the tree: a path as given, else the first
// PATH directory holding an executable file of that name.
func (s *session) lookPath(hc interp.HandlerContext, name string) (string, bool) {
	if strings.Contains(name, "/") {
		p := abs(hc.Dir, name)
		fi, err := s.fs.Stat(p, true)
		return p, err == nil && !fi.IsDir()
	}
	for _, d := range strings.Split(hc.Env.Get("PATH").String(), ":") {
		if d == "" {
			d = hc.Dir
		}
		p := abs(hc.Dir, path.Join(d, name))
		if fi, err := s.fs.Stat(p, true); err == nil && !fi.IsDir() && fi.Mode().Perm()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// commandV is `command -v NAME...`: builtins by name, commands by path.
func (s *session) commandV(hc interp.HandlerContext, names []string) error {
	code := uint8(0)
	for _, n := range names {
		switch p, ok := s.lookPath(hc, n); {
		case interp.IsBuiltin(n):
			fmt.Fprintln(hc.Stdout, n)
		case ok:
			fmt.Fprintln(hc.Stdout, p)
		case goCommands[n] != nil || hostTools[n] != nil:
			fmt.Fprintln(hc.Stdout, "/usr/bin/"+n)
		default:
			code = 1
		}
	}
	return status(code)
}

// runFile runs an executable file of the tree: a shell script (every stub
// is one) in a new interpreter sharing this filesystem.
func (s *session) runFile(ctx context.Context, hc interp.HandlerContext, p string, args []string) error {
	fi, err := s.fs.Stat(p, true)
	if err != nil {
		return notFound(hc, args[0])
	}
	if fi.Mode().Perm()&0o111 == 0 {
		fmt.Fprintf(hc.Stderr, "sh: %s: Permission denied\n", args[0])
		return interp.NewExitStatus(126)
	}
	f, err := s.fs.Open(p, 0, 0)
	if err != nil {
		return notFound(hc, args[0])
	}
	data := f.(*readFile)
	text := make([]byte, data.Len())
	_, _ = data.Read(text)
	if !isShellScript(string(text)) {
		fmt.Fprintf(hc.Stderr, "sh: %s: cannot execute binary file\n", args[0])
		return interp.NewExitStatus(126)
	}
	depth, _ := ctx.Value(depthKey{}).(int)
	if depth >= maxDepth {
		return errTooDeep
	}
	file, err := parse(string(text))
	if err != nil {
		fmt.Fprintf(hc.Stderr, "sh: %s: %v\n", args[0], err)
		return interp.NewExitStatus(2)
	}
	r, err := s.runner(exported(hc.Env), hc.Dir, hc.Stdin, hc.Stdout, hc.Stderr, args[1:])
	if err != nil {
		return err
	}
	code, err := exitCode(r.Run(context.WithValue(ctx, depthKey{}, depth+1), file))
	if err != nil {
		return err
	}
	return status(uint8(code))
}

// isShellScript accepts the shebangs of POSIX shell scripts.
func isShellScript(text string) bool {
	first, _, _ := strings.Cut(text, "\n")
	switch strings.TrimSpace(first) {
	case "#!/bin/sh", "#!/usr/bin/sh", "#!/bin/bash", "#!/usr/bin/bash", "#!/usr/bin/env sh", "#!/usr/bin/env bash":
		return true
	}
	return false
}

// exported is the environment a started program receives: exported
// variables only.
func exported(env expand.Environ) expand.Environ {
	var pairs []string
	env.Each(func(name string, vr expand.Variable) bool {
		if vr.Exported && vr.IsSet() {
			pairs = append(pairs, name+"="+vr.String())
		}
		return true
	})
	return expand.ListEnviron(pairs...)
}

var _ fs.FileInfo = fileInfo{}
