package cli

import (
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/converge"
)

// progress shows a watch's progress on stderr: a live bar on a terminal,
// a log line per poll round otherwise (CI logs must not fill with \r).
type progress struct {
	ios  *IOStreams
	log  *zap.Logger
	live bool
	last converge.Progress
}

func newProgress(ios *IOStreams, log *zap.Logger) *progress {
	return &progress{ios: ios, log: log, live: ios.IsTerminal}
}

func (p *progress) update(pr converge.Progress) {
	p.last = pr
	if !p.live {
		p.log.Info("progress",
			zap.Int("verified", pr.Verified), zap.Int("failed", pr.Failed),
			zap.Int("updating_agent", pr.Pending), zap.Int("fixing", pr.Running),
			zap.Int("total", pr.Total), zap.Duration("elapsed", pr.Elapsed.Round(time.Second)))
		return
	}
	const width = 30
	done := pr.Verified + pr.Failed
	filled := 0
	if pr.Total > 0 {
		filled = done * width / pr.Total
	}
	fmt.Fprintf(p.ios.ErrOut, "\r[%s%s] %d/%d settled  %d verified  %d failed  %d updating agent  %d fixing  %s ",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, pr.Total, pr.Verified, pr.Failed, pr.Pending, pr.Running, pr.Elapsed.Round(time.Second))
}

func (p *progress) done() {
	if p.live && p.last.Total > 0 {
		fmt.Fprintln(p.ios.ErrOut)
	}
}
