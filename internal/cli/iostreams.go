package cli

import (
	"errors"
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// IOStreams are where a command reads and writes: stdout is data, stderr is
// talk (logs, progress, prompts).
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// StdinTTY, StdoutTTY and StderrTTY say which streams are an
	// interactive terminal: colour is for terminals only, the progress bar
	// needs stderr to be one, and a prompt needs stdin and stderr.
	StdinTTY, StdoutTTY, StderrTTY bool

	// noColor is --no-color (or NO_COLOR), set once the flags are parsed.
	noColor bool
	// logs carries the log lines to stderr, or above the progress bar
	// while one is drawn.
	logsOnce sync.Once
	logs     *logSink
}

// SystemIO returns the process's own streams.
func SystemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		StdinTTY: isTerminal(os.Stdin), StdoutTTY: isTerminal(os.Stdout), StderrTTY: isTerminal(os.Stderr)}
}

// CanPrompt reports whether a question can be asked and answered.
func (s *IOStreams) CanPrompt() bool { return s.StdinTTY && s.StderrTTY }

// ColorOut reports whether what is written to stdout may use ANSI colour:
// only on a terminal, and never with --no-color or NO_COLOR.
func (s *IOStreams) ColorOut() bool { return !s.noColor && s.StdoutTTY }

// ColorErr is ColorOut for stderr (logs, and a plan shown there).
func (s *IOStreams) ColorErr() bool { return !s.noColor && s.StderrTTY }

// LogWriter is where loggers write: stderr, or above the progress bar
// while one is drawn, so that neither overwrites the other.
func (s *IOStreams) LogWriter() io.Writer {
	s.logsOnce.Do(func() { s.logs = &logSink{base: s.ErrOut} })
	return s.logs
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// logSink writes to base, or to a progress display that prints lines
// above its bar.
type logSink struct {
	base io.Writer

	mu   sync.Mutex
	over io.Writer

	// baseMu serializes writes to base: loggers of targets run in
	// parallel, and base need not be safe for concurrent writes (a
	// buffer in tests, a pipe where lines must not interleave).
	baseMu sync.Mutex
}

// above sends the lines to w (nil: back to base).
func (l *logSink) above(w io.Writer) {
	l.mu.Lock()
	l.over = w
	l.mu.Unlock()
}

func (l *logSink) Write(b []byte) (int, error) {
	l.mu.Lock()
	w := l.over
	l.mu.Unlock()
	if w != nil {
		n, err := w.Write(b)
		if !errors.Is(err, errDisplayDone) {
			return n, err
		}
		// The bar ended between the lookup and the write: the line goes
		// to stderr instead of being lost.
	}
	l.baseMu.Lock()
	defer l.baseMu.Unlock()
	return l.base.Write(b)
}

// errDisplayDone marks a display that no longer takes lines.
var errDisplayDone = errors.New("display done")
