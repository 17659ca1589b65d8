package htmlpage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patchready/patchready/internal/browsertest"
	"github.com/patchready/patchready/internal/report"
)

func TestDevScreenshot(t *testing.T) {
	m := mixedFixture(t)
	pg := report.Build(m.plan, report.Options{Runs: []report.Run{m.run}})
	path, b := writePage(t, pg, htmlpageOptions())
	t.Logf("%s: %d bytes", path, len(b))
	br := browsertest.New(t, time.Minute)
	if err := chromedp.Do(br.Ctx, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatal(err)
	}
	for i, y := range []int{0, 900, 1800, 2700} {
		if _, err := chromedp.Run(br.Ctx, chromedp.Evaluate[any](fmt.Sprintf("window.scrollTo(0,%d)", y))); err != nil {
			t.Fatal(err)
		}
		br.Screenshot(t, fmt.Sprintf("dev-%d", i), false)
	}
	t.Log(br.String())
}
