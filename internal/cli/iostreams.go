package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are where a command reads and writes: stdout is data, stderr is
// talk (logs, progress, prompts).
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// IsTerminal reports whether stdin and stderr are an interactive
	// terminal: progress bars and confirmation prompts need one.
	IsTerminal bool

	// noColor is --no-color (or NO_COLOR), set once the flags are parsed.
	noColor bool
}

// SystemIO returns the process's own streams.
func SystemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, IsTerminal: isTerminal(os.Stdin) && isTerminal(os.Stderr)}
}

// ColorEnabled reports whether human output may use ANSI colour.
func (s *IOStreams) ColorEnabled() bool { return !s.noColor && s.IsTerminal }

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
