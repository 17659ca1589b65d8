package nodeshell

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/interp"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// goCommand is a command every Linux node has, acting on the tree.
type goCommand func(s *session, hc interp.HandlerContext, args []string) uint8

// goCommands are the file commands the documents and stubs use. They take
// the options those scripts use; anything else is an error, so a script
// that needs more shows up in a test instead of passing by luck.
var goCommands map[string]goCommand

func init() {
	goCommands = map[string]goCommand{
		"cat": cmdCat, "rm": cmdRm, "mkdir": cmdMkdir, "mktemp": cmdMktemp, "chmod": cmdChmod,
		"cp": cmdCp, "ln": cmdLn, "touch": cmdTouch, "dirname": cmdDirname, "basename": cmdBasename,
		"sleep": func(*session, interp.HandlerContext, []string) uint8 { return 0 },
		"id":    cmdID, "uname": cmdUname,
	}
}

// flags splits leading options (-rf, -p) from operands; "--" ends them.
func flags(args []string, allowed string) (set map[rune]bool, operands []string, bad string) {
	set = map[rune]bool{}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for _, c := range a[1:] {
			if !strings.ContainsRune(allowed, c) {
				return nil, nil, a
			}
			set[c] = true
		}
	}
	return set, args[i:], ""
}

func fail(hc interp.HandlerContext, cmd, format string, a ...any) uint8 {
	fmt.Fprintf(hc.Stderr, cmd+": "+format+"\n", a...)
	return 1
}

func cmdCat(s *session, hc interp.HandlerContext, args []string) uint8 {
	_, files, bad := flags(args[1:], "u")
	if bad != "" {
		return fail(hc, "cat", "invalid option %s", bad)
	}
	if len(files) == 0 {
		if hc.Stdin != nil {
			_, _ = io.Copy(hc.Stdout, hc.Stdin)
		}
		return 0
	}
	code := uint8(0)
	for _, f := range files {
		if f == "-" {
			if hc.Stdin != nil {
				_, _ = io.Copy(hc.Stdout, hc.Stdin)
			}
			continue
		}
		r, err := s.fs.Open(abs(hc.Dir, f), 0, 0)
		if err != nil {
			code = fail(hc, "cat", "%s: No such file or directory", f)
			continue
		}
		_, _ = io.Copy(hc.Stdout, r)
	}
	return code
}

// under returns p and every path below it.
func under(t host.Tree, p string) []string {
	var out []string
	for q := range t {
		if q == p || strings.HasPrefix(q, p+"/") {
			out = append(out, q)
		}
	}
	return out
}

func cmdRm(s *session, hc interp.HandlerContext, args []string) uint8 {
	set, ops, bad := flags(args[1:], "rRf")
	if bad != "" {
		return fail(hc, "rm", "invalid option %s", bad)
	}
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	code := uint8(0)
	for _, op := range ops {
		r, err := s.fs.resolve(abs(hc.Dir, op), false)
		e, ok := s.fs.tree[r]
		switch {
		case err != nil || !ok:
			if !set['f'] {
				code = fail(hc, "rm", "cannot remove '%s': No such file or directory", op)
			}
		case e.Mode.IsDir() && !set['r'] && !set['R']:
			code = fail(hc, "rm", "cannot remove '%s': Is a directory", op)
		case r == "/":
			code = fail(hc, "rm", "it is dangerous to operate recursively on '/'")
		default:
			for _, q := range under(s.fs.tree, r) {
				delete(s.fs.tree, q)
			}
		}
	}
	return code
}

// parseMode reads an octal mode or the symbolic +x forms.
func parseMode(m string, old fs.FileMode) (fs.FileMode, bool) {
	if n, err := strconv.ParseUint(m, 8, 32); err == nil {
		return fs.FileMode(n) & fs.ModePerm, true
	}
	switch m {
	case "+x", "a+x", "ugo+x":
		return old | 0o111, true
	case "u+x":
		return old | 0o100, true
	case "-x", "a-x":
		return old &^ 0o111, true
	case "go-rwx", "og-rwx":
		return old &^ 0o077, true
	}
	return 0, false
}

func cmdMkdir(s *session, hc interp.HandlerContext, args []string) uint8 {
	rest := args[1:]
	mode := fs.FileMode(0o755)
	parents := false
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") {
		switch rest[0] {
		case "-p":
			parents = true
		case "-m":
			if len(rest) < 2 {
				return fail(hc, "mkdir", "option requires an argument -- 'm'")
			}
			m, ok := parseMode(rest[1], 0o755)
			if !ok {
				return fail(hc, "mkdir", "invalid mode '%s'", rest[1])
			}
			mode, rest = m, rest[1:]
		default:
			return fail(hc, "mkdir", "invalid option %s", rest[0])
		}
		rest = rest[1:]
	}
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	code := uint8(0)
	for _, op := range rest {
		r, err := s.fs.resolve(abs(hc.Dir, op), true)
		if err != nil {
			code = fail(hc, "mkdir", "cannot create directory '%s': %v", op, err)
			continue
		}
		if e, ok := s.fs.tree[r]; ok || r == "/" {
			if !parents || (ok && !e.Mode.IsDir()) {
				code = fail(hc, "mkdir", "cannot create directory '%s': File exists", op)
			}
			continue
		}
		if parents {
			s.fs.tree.Dir(r, mode)
			continue
		}
		if err := s.fs.parentDir(r); err != nil {
			code = fail(hc, "mkdir", "cannot create directory '%s': No such file or directory", op)
			continue
		}
		s.fs.tree[r] = host.Entry{Mode: fs.ModeDir | mode}
	}
	return code
}

// cmdMktemp makes a private file or directory with a name no other run
// could guess from outside; inside the simulator the names only need to
// be unique, and a counter keeps runs reproducible.
func cmdMktemp(s *session, hc interp.HandlerContext, args []string) uint8 {
	set, ops, bad := flags(args[1:], "dqt")
	if bad != "" || len(ops) > 1 {
		return fail(hc, "mktemp", "unsupported arguments")
	}
	dir := hc.Env.Get("TMPDIR").String()
	if dir == "" {
		dir = "/tmp"
	}
	tmpl := path.Join(dir, "tmp.XXXXXXXXXX")
	if len(ops) == 1 {
		tmpl = ops[0]
		if !strings.Contains(tmpl, "/") {
			tmpl = path.Join(dir, tmpl)
		}
	}
	x := len(tmpl) - len(strings.TrimRight(tmpl, "X"))
	if x < 3 {
		return fail(hc, "mktemp", "too few X's in template '%s'", tmpl)
	}
	s.mu.Lock()
	s.temp++
	n := s.temp
	s.mu.Unlock()
	name := tmpl[:len(tmpl)-x] + fmt.Sprintf("%0*d", x, n)[:x]
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	r, err := s.fs.resolve(abs(hc.Dir, name), false)
	if err == nil {
		err = s.fs.parentDir(r)
	}
	if _, exists := s.fs.tree[r]; err != nil || exists {
		return fail(hc, "mktemp", "failed to create '%s'", name)
	}
	if set['d'] {
		s.fs.tree[r] = host.Entry{Mode: fs.ModeDir | 0o700}
	} else {
		s.fs.tree[r] = host.Entry{Mode: 0o600}
	}
	fmt.Fprintln(hc.Stdout, r)
	return 0
}

func cmdChmod(s *session, hc interp.HandlerContext, args []string) uint8 {
	if len(args) < 3 {
		return fail(hc, "chmod", "missing operand")
	}
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	code := uint8(0)
	for _, op := range args[2:] {
		r, err := s.fs.resolve(abs(hc.Dir, op), true)
		e, ok := s.fs.tree[r]
		if err != nil || !ok {
			code = fail(hc, "chmod", "cannot access '%s': No such file or directory", op)
			continue
		}
		m, valid := parseMode(args[1], e.Mode.Perm())
		if !valid {
			return fail(hc, "chmod", "invalid mode: '%s'", args[1])
		}
		e.Mode = e.Mode&^fs.ModePerm | m
		s.fs.tree[r] = e
	}
	return code
}

// cmdCp copies files, and with -R trees, links as links (-P). A source
// ending in "/." copies the directory's contents into the destination.
func cmdCp(s *session, hc interp.HandlerContext, args []string) uint8 {
	set, ops, bad := flags(args[1:], "RrPpfa")
	if bad != "" || len(ops) < 2 {
		return fail(hc, "cp", "unsupported arguments")
	}
	recursive := set['R'] || set['r'] || set['a']
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	dst := ops[len(ops)-1]
	dr, err := s.fs.resolve(abs(hc.Dir, dst), true)
	if err != nil {
		return fail(hc, "cp", "%v", err)
	}
	de, dstExists := s.fs.tree[dr]
	dstIsDir := dr == "/" || (dstExists && de.Mode.IsDir())
	code := uint8(0)
	for _, src := range ops[:len(ops)-1] {
		contents := strings.HasSuffix(src, "/.")
		sr, err := s.fs.resolve(abs(hc.Dir, src), !recursive)
		se, ok := s.fs.tree[sr]
		if err != nil || !ok {
			code = fail(hc, "cp", "cannot stat '%s': No such file or directory", src)
			continue
		}
		target := dr
		if dstIsDir && !contents {
			target = path.Join(dr, path.Base(sr))
		}
		if se.Mode.IsDir() && !recursive {
			code = fail(hc, "cp", "-r not specified; omitting directory '%s'", src)
			continue
		}
		for _, q := range under(s.fs.tree, sr) {
			rel := strings.TrimPrefix(q, sr)
			to := path.Clean(target + rel)
			qe := s.fs.tree[q]
			if old, ok := s.fs.tree[to]; ok && old.Mode.IsDir() && qe.Mode.IsDir() {
				continue
			}
			if to == "/" {
				continue
			}
			s.fs.tree.Dir(path.Dir(to), 0o755)
			s.fs.tree[to] = qe
		}
	}
	return code
}

func cmdLn(s *session, hc interp.HandlerContext, args []string) uint8 {
	set, ops, bad := flags(args[1:], "sf")
	if bad != "" || !set['s'] || len(ops) != 2 {
		return fail(hc, "ln", "only ln -s [-f] TARGET LINK is simulated")
	}
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	r, err := s.fs.resolve(abs(hc.Dir, ops[1]), false)
	if err == nil {
		err = s.fs.parentDir(r)
	}
	if err != nil {
		return fail(hc, "ln", "failed to create symbolic link '%s'", ops[1])
	}
	if _, ok := s.fs.tree[r]; ok && !set['f'] {
		return fail(hc, "ln", "failed to create symbolic link '%s': File exists", ops[1])
	}
	s.fs.tree.Link(r, ops[0])
	return 0
}

func cmdTouch(s *session, hc interp.HandlerContext, args []string) uint8 {
	code := uint8(0)
	for _, op := range args[1:] {
		f, err := s.fs.Open(abs(hc.Dir, op), os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			code = fail(hc, "touch", "cannot touch '%s'", op)
			continue
		}
		_ = f.Close()
	}
	return code
}

func cmdDirname(_ *session, hc interp.HandlerContext, args []string) uint8 {
	if len(args) != 2 {
		return fail(hc, "dirname", "missing operand")
	}
	p := strings.TrimRight(args[1], "/")
	if p == "" {
		p = "/"
	}
	fmt.Fprintln(hc.Stdout, path.Dir(p))
	return 0
}

func cmdBasename(_ *session, hc interp.HandlerContext, args []string) uint8 {
	if len(args) < 2 || len(args) > 3 {
		return fail(hc, "basename", "missing operand")
	}
	b := path.Base(args[1])
	if len(args) == 3 {
		b = strings.TrimSuffix(b, args[2])
	}
	fmt.Fprintln(hc.Stdout, b)
	return 0
}

func cmdID(_ *session, hc interp.HandlerContext, args []string) uint8 {
	switch strings.Join(args[1:], " ") {
	case "-u", "-g":
		fmt.Fprintln(hc.Stdout, "0")
	case "-un", "-nu", "-gn":
		fmt.Fprintln(hc.Stdout, "root")
	default:
		fmt.Fprintln(hc.Stdout, "uid=0(root) gid=0(root) groups=0(root)")
	}
	return 0
}

func cmdUname(_ *session, hc interp.HandlerContext, args []string) uint8 {
	switch strings.Join(args[1:], " ") {
	case "-m":
		fmt.Fprintln(hc.Stdout, "x86_64")
	case "-r":
		fmt.Fprintln(hc.Stdout, "5.10.0-simulated")
	default:
		fmt.Fprintln(hc.Stdout, "Linux")
	}
	return 0
}
