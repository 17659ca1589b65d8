package htmlpage_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/patchready/patchready/internal/browsertest"
	"github.com/patchready/patchready/internal/report"
	"github.com/patchready/patchready/internal/report/htmlpage"
)

var readmeScreenshot = flag.Bool("readme-screenshot", false, "rewrite screenshot.png, the README's picture of the report")

// The page prints: under print media the controls are gone and the
// charts stay, and Chromium makes a PDF of it (kept as an artifact).
func TestReportPrints(t *testing.T) {
	m := mixedFixture(t)
	path, _ := writePage(t, report.Build(m.plan, report.Options{Runs: []report.Run{m.run}}), htmlpage.Options{})
	tb, _ := openReport(t, path)
	if _, err := chromedp.Call(tb.br.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	hidden := evalIn[[]string](tb, `['#controls', '.pager'].map(s => getComputedStyle(document.querySelector(s)).display)`)
	if hidden[0] != "none" || hidden[1] != "none" {
		t.Errorf("under print media the table controls show (display %v)", hidden)
	}
	if n := evalIn[int](tb, `document.querySelectorAll('svg.chart').length`); n < 5 {
		t.Errorf("%d charts under print media", n)
	}
	pdf, err := chromedp.Run(tb.br.Ctx, chromedp.PrintToPDF(chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10_000 {
		t.Fatalf("not a PDF of the report: %d bytes", len(pdf))
	}
	out := filepath.Join(browsertest.ArtifactDir(t), "report-mixed.pdf")
	if err := os.WriteFile(out, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("PDF: %s (%d KiB)", out, len(pdf)>>10)
	if errs := tb.br.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}

// TestREADMEScreenshot rewrites screenshot.png with -readme-screenshot:
// the top of the mixed report, 1100 pixels wide.
func TestREADMEScreenshot(t *testing.T) {
	if !*readmeScreenshot {
		t.Skip("run with -readme-screenshot to rewrite screenshot.png")
	}
	m := mixedFixture(t)
	path, _ := writePage(t, report.Build(m.plan, report.Options{Runs: []report.Run{m.run}}), htmlpage.Options{})
	tb, _ := openReport(t, path)
	tb.do(chromedp.EmulateViewport(1100, 900))
	// A smaller zoom shows the summary and the first charts in one picture.
	evalIn[bool](tb, `(() => { document.body.style.zoom = '0.72'; return true; })()`)
	png, err := chromedp.Run(tb.br.Ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("screenshot.png", png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot.png: %d KiB", len(png)>>10)
}
