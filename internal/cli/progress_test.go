package cli

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/converge"
)

// ansi matches the escape sequences a terminal display writes.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// On a terminal, log lines printed while the bar is drawn come out whole,
// above the bar, never on the bar's line. Before, both wrote to stderr on
// their own and a log line landed in the middle of the bar (`\r[###...]
// 2/4 settled ...2026-...INFO node settled`).
func TestProgressPrintsLogLinesAboveTheBar(t *testing.T) {
	errOut := &lockedBuffer{}
	ios := &IOStreams{Out: &lockedBuffer{}, ErrOut: errOut, StderrTTY: true, noColor: true}
	log, err := newLogger(&GlobalOptions{LogLevel: "info", LogFormat: "console"}, ios)
	if err != nil {
		t.Fatal(err)
	}
	p := newProgress(ios, log)
	for i := 0; i <= 4; i++ {
		p.update(converge.Progress{Total: 4, Verified: i, Elapsed: time.Duration(i) * time.Second})
		if i > 0 {
			log.Info("node settled", zap.Int("n", i))
		}
		// Let the display redraw between lines, as it does in a run.
		time.Sleep(250 * time.Millisecond)
	}
	p.done()
	log.Info("after the bar")

	out := ansi.ReplaceAllString(errOut.String(), "")
	var logLines int
	for _, line := range strings.Split(strings.ReplaceAll(out, "\r", "\n"), "\n") {
		hasLog, hasBar := strings.Contains(line, "node settled"), strings.Contains(line, "settled  ")
		if hasLog && hasBar {
			t.Errorf("a log line and the bar share a line: %q", line)
		}
		if hasLog {
			logLines++
			if !regexp.MustCompile(`^\S+\tINFO\tnode settled\t\{"n": [1-4]\}$`).MatchString(line) {
				t.Errorf("log line not whole: %q", line)
			}
		}
	}
	if logLines != 4 {
		t.Errorf("%d log lines shown, want 4:\n%s", logLines, out)
	}
	if !strings.Contains(out, "4/4 settled  4 verified") || !strings.Contains(out, "after the bar") {
		t.Errorf("the bar's last state or the line after it is missing:\n%s", out)
	}
	if strings.Index(out, "node settled\t{\"n\": 4}") > strings.LastIndex(out, "4/4 settled") {
		t.Errorf("the last log line is below the bar's final state:\n%s", out)
	}
}

// Off a terminal there is no bar and no escape sequence: a log line per
// poll round, and no colour.
func TestProgressOffATerminalLogs(t *testing.T) {
	errOut := &lockedBuffer{}
	ios := &IOStreams{Out: &lockedBuffer{}, ErrOut: errOut}
	log, err := newLogger(&GlobalOptions{LogLevel: "info", LogFormat: "console"}, ios)
	if err != nil {
		t.Fatal(err)
	}
	p := newProgress(ios, log)
	p.update(converge.Progress{Total: 4, Verified: 1})
	p.done()
	if out := errOut.String(); !strings.Contains(out, "INFO\tprogress\t{\"verified\": 1") || strings.Contains(out, "\x1b") || strings.Contains(out, "\r") {
		t.Errorf("stderr off a terminal:\n%q", out)
	}
}

// Log colour is for a terminal that allows it: never when stderr is
// redirected, never with --no-color or NO_COLOR. Before, logs carried ANSI
// colour into files and pipes unless --no-color was given.
func TestLogColourOnlyOnATerminal(t *testing.T) {
	for _, c := range []struct {
		name           string
		tty, noColor   bool
		wantColourCode bool
	}{
		{"redirected", false, false, false},
		{"terminal", true, false, true},
		{"terminal with --no-color", true, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			errOut := &lockedBuffer{}
			ios := &IOStreams{ErrOut: errOut, StderrTTY: c.tty, noColor: c.noColor}
			log, err := newLogger(&GlobalOptions{LogLevel: "info", LogFormat: "console"}, ios)
			if err != nil {
				t.Fatal(err)
			}
			log.Info("hello")
			if got := strings.Contains(errOut.String(), "\x1b["); got != c.wantColourCode {
				t.Errorf("colour %v, want %v: %q", got, c.wantColourCode, errOut.String())
			}
		})
	}
}
