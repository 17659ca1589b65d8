package cli

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/converge"
)

// progress shows a watch's progress on stderr: on a terminal one live bar
// with the log lines printed above it, otherwise a log line per poll round
// (CI logs must not fill with redraws).
//
// The bar is github.com/vbauerster/mpb/v8: its container is an io.Writer
// that prints lines above the running bars, so the logger's output is
// routed through it while the bar is drawn (IOStreams.LogWriter) and log
// lines and bar never overwrite each other. schollz/progressbar, the other
// candidate, draws one bar and leaves interleaving other output to the
// caller (clear, print, redraw), which is the race being removed here.
type progress struct {
	ios  *IOStreams
	log  *zap.Logger
	live bool

	// last is read by the bar's decorator on mpb's render goroutine. It
	// is atomic, not under mu: mu is held while calling into mpb, which
	// waits for that goroutine, so a decorator taking mu could deadlock.
	last atomic.Pointer[converge.Progress]

	mu  sync.Mutex // guards p and bar
	p   *mpb.Progress
	bar *mpb.Bar
}

func newProgress(ios *IOStreams, log *zap.Logger) *progress {
	return &progress{ios: ios, log: log, live: ios.StderrTTY}
}

func (p *progress) update(pr converge.Progress) {
	if !p.live {
		p.log.Info("progress",
			zap.Int("verified", pr.Verified), zap.Int("failed", pr.Failed),
			zap.Int("updating_agent", pr.Pending), zap.Int("fixing", pr.Running),
			zap.Int("total", pr.Total), zap.Duration("elapsed", pr.Elapsed.Round(time.Second)))
		return
	}
	p.last.Store(&pr)
	p.mu.Lock()
	if p.p == nil {
		p.start(pr.Total)
	}
	bar := p.bar
	p.mu.Unlock()
	bar.SetTotal(int64(pr.Total), false)
	bar.SetCurrent(int64(pr.Verified + pr.Failed))
}

// start draws the bar and sends log lines above it. The caller holds mu.
func (p *progress) start(total int) {
	// The decision that stderr is a terminal is the streams'; ForceTTY
	// and WithAutoRefresh make mpb follow it (it would otherwise look for
	// an *os.File and draw nothing).
	p.p = mpb.New(mpb.WithOutput(p.ios.ErrOut), mpb.ForceTTY(), mpb.WithAutoRefresh(), mpb.WithWidth(30), mpb.WithRefreshRate(200*time.Millisecond))
	p.bar = p.p.New(int64(max(total, 1)),
		mpb.BarStyle().Lbound("[").Filler("#").Tip("#").Padding(".").Rbound("]"),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			pr := *p.last.Load()
			return fmt.Sprintf(" %d/%d settled  %d verified  %d failed  %d updating agent  %d fixing  %s",
				pr.Verified+pr.Failed, pr.Total, pr.Verified, pr.Failed, pr.Pending, pr.Running, pr.Elapsed.Round(time.Second))
		})))
	p.ios.LogWriter().(*logSink).above(displayWriter{p.p})
}

// done draws the bar a last time, removes it from the log path and waits
// for the display to finish.
func (p *progress) done() {
	p.mu.Lock()
	display, bar := p.p, p.bar
	p.mu.Unlock()
	if display == nil {
		return
	}
	p.ios.LogWriter().(*logSink).above(nil)
	if total := int64(p.last.Load().Total); bar.Current() >= total {
		bar.SetTotal(total, true)
	} else {
		// Interrupted or failed: the bar stays, showing where it stopped.
		bar.Abort(false)
	}
	display.Wait()
}

// displayWriter turns mpb's "used after Wait" error into errDisplayDone,
// so that logSink sends the line to stderr instead.
type displayWriter struct{ p *mpb.Progress }

func (d displayWriter) Write(b []byte) (int, error) {
	n, err := d.p.Write(b)
	var done mpb.ErrDone[*mpb.Progress]
	if errors.As(err, &done) {
		return n, errDisplayDone
	}
	return n, err
}
