package nodeshell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/interp"
)

// hostTools are the text filters that run as real host processes. It is
// safe because each runs only as a filter: its arguments are checked
// against the options listed here, none of which names a file, and any
// operand a tool would take as a file is refused; sed also gets
// --sandbox, which refuses its e, r and w commands. So a tool reads only
// its standard input and writes only its standard output and error, which
// are the interpreter's (the node's) streams; it never sees a host path.
// It starts with an empty environment but LC_ALL=C.
var hostTools = map[string]*toolRule{
	// sed takes its script as the first operand unless -e gives it.
	"sed":  {flags: "nErsuz", valued: "e", scriptOperand: true, extra: []string{"--sandbox"}},
	"tr":   {flags: "cdsC", operands: 2},
	"head": {flags: "q", valued: "nc", numericShort: true},
	"tail": {flags: "q", valued: "nc", numericShort: true},
	"cut":  {flags: "s", valued: "dfcb"},
	"sort": {flags: "unrbfVs", valued: "tk"},
	"wc":   {flags: "lcwm"},
	"grep": {flags: "qvEFicxwnos", valued: "e", scriptOperand: true},
}

// toolRule says which arguments a host tool accepts.
type toolRule struct {
	flags  string // options without a value
	valued string // options taking a value, attached or next
	// scriptOperand: the first operand is a program (sed script, grep
	// pattern) unless a valued option gave one.
	scriptOperand bool
	operands      int  // other operands allowed (tr's two sets)
	numericShort  bool // head -5
	extra         []string
}

var errRefused = errors.New("refused")

// check validates args.
func (t *toolRule) check(args []string) error {
	programGiven := false
	operands := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' && !(operands > 0) {
			if strings.HasPrefix(a, "--") {
				return fmt.Errorf("%w: long option %s", errRefused, a)
			}
			if t.numericShort && strings.Trim(a[1:], "0123456789") == "" {
				continue
			}
			for j, c := range a[1:] {
				switch {
				case strings.ContainsRune(t.flags, c):
				case strings.ContainsRune(t.valued, c):
					if c == 'e' {
						programGiven = true
					}
					if j == len(a)-2 {
						i++ // the value is the next argument
						if i >= len(args) {
							return fmt.Errorf("%w: -%c needs a value", errRefused, c)
						}
					}
				default:
					return fmt.Errorf("%w: option -%c", errRefused, c)
				}
				if strings.ContainsRune(t.valued, c) {
					break
				}
			}
			continue
		}
		if t.scriptOperand && !programGiven && operands == 0 {
			programGiven = true
			continue
		}
		operands++
		if operands > t.operands {
			return fmt.Errorf("%w: operand %q (files are not allowed)", errRefused, a)
		}
	}
	return nil
}

// toolPaths caches where each tool is on the host.
var toolPaths sync.Map

func runHostTool(ctx context.Context, hc interp.HandlerContext, name string, args []string) error {
	rule := hostTools[name]
	if err := rule.check(args); err != nil {
		fmt.Fprintf(hc.Stderr, "%s: %v\n", name, err)
		return interp.NewExitStatus(2)
	}
	p, ok := toolPaths.Load(name)
	if !ok {
		lp, err := exec.LookPath(name)
		if err != nil {
			fmt.Fprintf(hc.Stderr, "%s: not available on this simulator's host\n", name)
			return interp.NewExitStatus(127)
		}
		toolPaths.Store(name, lp)
		p = lp
	}
	cmd := exec.CommandContext(ctx, p.(string), append(append([]string{}, rule.extra...), args...)...)
	cmd.Env = []string{"LC_ALL=C"}
	cmd.Dir = "/"
	if hc.Stdin != nil {
		cmd.Stdin = hc.Stdin
	} else {
		cmd.Stdin = bytes.NewReader(nil)
	}
	cmd.Stdout, cmd.Stderr = hc.Stdout, hc.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		return interp.NewExitStatus(uint8(ee.ExitCode()))
	default:
		return fmt.Errorf("run %s: %w", name, err)
	}
}
