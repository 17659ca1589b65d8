package nodeshell

import (
	"bufio"
	"bytes"
	"io"
	"regexp"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/interp"
)

// goFilter runs a text filter in Go when it understands the arguments (the
// forms the documents and stubs use), saving a process start; it reports
// false to leave other forms to the real tool. The tests hold every
// simulated run of the documents to a real run under dash and bash.
func goFilter(hc interp.HandlerContext, name string, args []string) (code uint8, handled bool) {
	var in []byte
	read := func() {
		if hc.Stdin != nil {
			in, _ = io.ReadAll(hc.Stdin)
		}
	}
	switch name {
	case "head", "tail":
		n, bytesMode, ok := countArg(args)
		if !ok {
			return 0, false
		}
		read()
		_, _ = hc.Stdout.Write(cut(in, n, bytesMode, name == "tail"))
		return 0, true
	case "tr":
		f, ok := compileTr(args)
		if !ok {
			return 0, false
		}
		read()
		_, _ = hc.Stdout.Write(f(in))
		return 0, true
	case "sed":
		prog, ok := compileSed(args)
		if !ok {
			return 0, false
		}
		read()
		_, _ = hc.Stdout.Write(prog.run(in))
		return 0, true
	}
	return 0, false
}

// countArg reads -n N, -nN, -N or -c N.
func countArg(args []string) (n int, bytesMode, ok bool) {
	n = 10
	switch {
	case len(args) == 0:
		return n, false, true
	case len(args) == 2 && (args[0] == "-n" || args[0] == "-c"):
		v, err := strconv.Atoi(args[1])
		return v, args[0] == "-c", err == nil && v >= 0
	case len(args) == 1 && strings.HasPrefix(args[0], "-n"):
		v, err := strconv.Atoi(args[0][2:])
		return v, false, err == nil && v >= 0
	case len(args) == 1 && strings.HasPrefix(args[0], "-"):
		v, err := strconv.Atoi(args[0][1:])
		return v, false, err == nil && v >= 0
	}
	return 0, false, false
}

func cut(in []byte, n int, bytesMode, fromEnd bool) []byte {
	if bytesMode {
		if n > len(in) {
			n = len(in)
		}
		if fromEnd {
			return in[len(in)-n:]
		}
		return in[:n]
	}
	lines := bytes.SplitAfter(in, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	if n > len(lines) {
		n = len(lines)
	}
	if fromEnd {
		return bytes.Join(lines[len(lines)-n:], nil)
	}
	return bytes.Join(lines[:n], nil)
}

// compileTr understands tr -d SET, tr -cd SET and tr SET1 SET2.
func compileTr(args []string) (func([]byte) []byte, bool) {
	switch {
	case len(args) == 2 && args[0] == "-d":
		set, ok := trSet(args[1])
		if !ok {
			return nil, false
		}
		return func(in []byte) []byte { return trKeep(in, func(c byte) bool { return !set[c] }) }, true
	case len(args) == 2 && (args[0] == "-cd" || args[0] == "-dc"):
		set, ok := trSet(args[1])
		if !ok {
			return nil, false
		}
		return func(in []byte) []byte { return trKeep(in, func(c byte) bool { return set[c] }) }, true
	case len(args) == 2 && !strings.HasPrefix(args[0], "-"):
		from, ok1 := trList(args[0])
		to, ok2 := trList(args[1])
		if !ok1 || !ok2 || len(to) == 0 {
			return nil, false
		}
		var m [256]int
		for i := range m {
			m[i] = -1
		}
		for i, c := range from {
			j := i
			if j >= len(to) {
				j = len(to) - 1
			}
			m[c] = int(to[j])
		}
		return func(in []byte) []byte {
			out := make([]byte, len(in))
			for i, c := range in {
				if m[c] >= 0 {
					out[i] = byte(m[c])
				} else {
					out[i] = c
				}
			}
			return out
		}, true
	}
	return nil, false
}

func trKeep(in []byte, keep func(byte) bool) []byte {
	out := make([]byte, 0, len(in))
	for _, c := range in {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

func trSet(s string) (*[256]bool, bool) {
	list, ok := trList(s)
	if !ok {
		return nil, false
	}
	var set [256]bool
	for _, c := range list {
		set[c] = true
	}
	return &set, true
}

var trClasses = map[string]func(byte) bool{
	"upper": func(c byte) bool { return c >= 'A' && c <= 'Z' },
	"lower": func(c byte) bool { return c >= 'a' && c <= 'z' },
	"digit": func(c byte) bool { return c >= '0' && c <= '9' },
	"space": func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') },
	"alpha": func(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' },
	"alnum": func(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' || c >= '0' && c <= '9' },
}

// trList expands a tr set in the C locale: escapes, ranges and classes.
// Classes keep their order, so [:upper:] maps onto [:lower:].
func trList(s string) ([]byte, bool) {
	var out []byte
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '[' && i+1 < len(b) && b[i+1] == ':':
			end := strings.Index(s[i:], ":]")
			if end < 0 {
				return nil, false
			}
			f, ok := trClasses[s[i+2:i+end]]
			if !ok {
				return nil, false
			}
			for x := 0; x < 256; x++ {
				if f(byte(x)) {
					out = append(out, byte(x))
				}
			}
			i += end + 1
			continue
		case c == '\\' && i+1 < len(b):
			i++
			switch b[i] {
			case 'n':
				c = '\n'
			case 't':
				c = '\t'
			case 'r':
				c = '\r'
			case '\\':
				c = '\\'
			case '0':
				c = 0
			default:
				return nil, false
			}
		case c == '[':
			return nil, false // [x*n] and equivalence classes: the real tr
		}
		if i+2 < len(b) && b[i+1] == '-' {
			hi := b[i+2]
			if hi < c {
				return nil, false
			}
			for x := int(c); x <= int(hi); x++ {
				out = append(out, byte(x))
			}
			i += 2
			continue
		}
		out = append(out, c)
	}
	return out, true
}

// sedProgram is the subset of sed the scripts use: s/RE/REPL/[gp] and
// /RE/d, with -n.
type sedProgram struct {
	quiet bool
	cmds  []sedCmd
}

type sedCmd struct {
	re     *regexp.Regexp
	del    bool
	repl   string
	global bool
	print  bool
}

func compileSed(args []string) (*sedProgram, bool) {
	p := &sedProgram{}
	var scripts []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-n":
			p.quiet = true
		case a == "-e" && i+1 < len(args):
			scripts = append(scripts, args[i+1])
			i++
		case strings.HasPrefix(a, "-"):
			return nil, false
		case len(scripts) == 0 && i == len(args)-1:
			scripts = append(scripts, a)
		default:
			return nil, false
		}
	}
	if len(scripts) == 0 {
		return nil, false
	}
	for _, s := range scripts {
		c, ok := sedCommand(s)
		if !ok {
			return nil, false
		}
		p.cmds = append(p.cmds, c)
	}
	return p, true
}

// sedCommand parses one command; its delimiter is /.
func sedCommand(s string) (sedCmd, bool) {
	fields, rest, ok := splitDelimited(s)
	switch {
	case !ok:
		return sedCmd{}, false
	case strings.HasPrefix(s, "/") && len(fields) == 1 && rest == "d":
		re, ok := bre(fields[0])
		return sedCmd{re: re, del: true}, ok
	case strings.HasPrefix(s, "s/") && len(fields) == 2:
		re, ok := bre(fields[0])
		c := sedCmd{re: re, repl: sedRepl(fields[1])}
		for _, f := range rest {
			switch f {
			case 'g':
				c.global = true
			case 'p':
				c.print = true
			default:
				return sedCmd{}, false
			}
		}
		return c, ok
	}
	return sedCmd{}, false
}

// splitDelimited splits "/a/" or "s/a/b/flags" on unescaped slashes.
func splitDelimited(s string) (fields []string, rest string, ok bool) {
	start := 1
	if strings.HasPrefix(s, "s/") {
		start = 2
	} else if !strings.HasPrefix(s, "/") {
		return nil, "", false
	}
	want := 1
	if start == 2 {
		want = 2
	}
	var cur strings.Builder
	inBracket := false
	for i := start; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			if s[i+1] == '/' {
				cur.WriteByte('/')
			} else {
				cur.WriteByte(c)
				cur.WriteByte(s[i+1])
			}
			i++
		case c == '[' && !inBracket && len(fields) == 0:
			inBracket = true
			cur.WriteByte(c)
		case c == ']' && inBracket:
			inBracket = false
			cur.WriteByte(c)
		case c == '/' && !inBracket:
			fields = append(fields, cur.String())
			cur.Reset()
			if len(fields) == want {
				return fields, s[i+1:], true
			}
		default:
			cur.WriteByte(c)
		}
	}
	return nil, "", false
}

// bre translates a POSIX basic regular expression to Go's syntax, with
// leftmost-longest matching as POSIX sed has.
func bre(s string) (*regexp.Regexp, bool) {
	var b strings.Builder
	inBracket := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inBracket {
			b.WriteByte(c)
			if c == '[' && i+1 < len(s) && s[i+1] == ':' {
				end := strings.Index(s[i:], ":]")
				if end < 0 {
					return nil, false
				}
				b.WriteString(s[i+1 : i+end+2])
				i += end + 1
			} else if c == ']' {
				inBracket = false
			}
			continue
		}
		switch c {
		case '[':
			inBracket = true
			b.WriteByte(c)
			if i+1 < len(s) && s[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(s) && s[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case '\\':
			if i+1 >= len(s) {
				return nil, false
			}
			i++
			switch n := s[i]; n {
			case '(', ')', '{', '}':
				b.WriteByte(n)
			case '.', '*', '[', ']', '\\', '^', '$', '/':
				b.WriteByte('\\')
				b.WriteByte(n)
			default:
				return nil, false
			}
		case '(', ')', '{', '}', '+', '?', '|':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, false
	}
	re.Longest()
	return re, true
}

// sedRepl translates \1..\9 and & into Go's template syntax.
func sedRepl(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			b.WriteString("${" + string(s[i+1]) + "}")
			i++
		case c == '\\' && i+1 < len(s):
			if s[i+1] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i+1])
			}
			i++
		case c == '&':
			b.WriteString("${0}")
		case c == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (p *sedProgram) run(in []byte) []byte {
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(in))
	sc.Buffer(make([]byte, 64*1024), len(in)+1)
	lastNL := len(in) == 0 || in[len(in)-1] == '\n'
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for li, line := range lines {
		nl := "\n"
		if li == len(lines)-1 && !lastNL {
			nl = ""
		}
		deleted := false
		for _, c := range p.cmds {
			if c.del {
				if c.re.MatchString(line) {
					deleted = true
					break
				}
				continue
			}
			loc := c.re.FindStringSubmatchIndex(line)
			if loc == nil {
				continue
			}
			if c.global {
				line = c.re.ReplaceAllString(line, c.repl)
			} else {
				var dst []byte
				dst = c.re.ExpandString(dst, c.repl, line, loc)
				line = line[:loc[0]] + string(dst) + line[loc[1]:]
			}
			if c.print {
				out.WriteString(line + nl)
			}
		}
		if !deleted && !p.quiet {
			out.WriteString(line + nl)
		}
	}
	return out.Bytes()
}
