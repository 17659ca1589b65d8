package htmlpage_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patchready/patchready/internal/browsertest"
	"github.com/patchready/patchready/internal/report"
	"github.com/patchready/patchready/internal/report/htmlpage"
)

// countingWriter counts what is written through it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkReport100k writes the report of a 100,000-node plan (the
// target: at most 15 MB) and reports its size.
//
//	go test ./internal/report/htmlpage -run '^$' -bench Report100k -benchtime 3x
func BenchmarkReport100k(b *testing.B) {
	p := generatedPlan(100_000)
	var size int64
	for b.Loop() {
		var cw countingWriter
		if err := htmlpage.Write(&cw, report.Build(p, report.Options{}), htmlpage.Options{}); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.ReportMetric(float64(size)/1e6, "MB/report")
	b.ReportMetric(float64(size)/100_000, "bytes/node")
}

// BenchmarkBrowser100k loads the report of a 100,000-node plan in
// headless Chromium, as a file and from a 127.0.0.1 server, and reports
// when the page was interactive (its script had filled the first page of
// the table, in milliseconds since navigation started; the target is
// under 2 s),
// then how long a verdict filter and a sort by agent version take.
//
//	go test ./internal/report/htmlpage -run '^$' -bench Browser100k -benchtime 3x
func BenchmarkBrowser100k(b *testing.B) {
	p := generatedPlan(100_000)
	path, page := writePage(b, report.Build(p, report.Options{}), htmlpage.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, path) }))
	defer srv.Close()
	br := browsertest.New(b, 5*time.Minute)
	var ready, fileReady, filter, sort, search float64
	for b.Loop() {
		// As a file, the way an attached report is opened.
		if err := chromedp.Do(br.Ctx, chromedp.Navigate("file://"+path), chromedp.WaitReady(chromedp.CSS("body[data-ready]"))); err != nil {
			b.Fatal(err)
		}
		f, err := chromedp.Run(br.Ctx, chromedp.Evaluate[string](`document.body.dataset.ready`))
		if err != nil {
			b.Fatal(err)
		}
		ms, _ := strconv.ParseFloat(f, 64)
		fileReady += ms
		// Over HTTP, as the dashboard is.
		if err := chromedp.Do(br.Ctx, chromedp.Navigate(srv.URL+"/report.html"), chromedp.WaitReady(chromedp.CSS("body[data-ready]"))); err != nil {
			b.Fatal(err)
		}
		r, err := chromedp.Run(br.Ctx, chromedp.Evaluate[string](`document.body.dataset.ready`))
		if err != nil {
			b.Fatal(err)
		}
		ms, _ = strconv.ParseFloat(r, 64)
		nav, _ := chromedp.Run(br.Ctx, chromedp.Evaluate[map[string]float64](`(() => { const n = performance.getEntriesByType('navigation')[0]; return {responseEnd: n.responseEnd, domInteractive: n.domInteractive, dcl: n.domContentLoadedEventStart, script: +document.body.dataset.scriptMs}; })()`))
		b.Logf("navigation %v ready %v", nav, r)
		ready += ms
		filter += timed(b, br, `const s = document.getElementById('f-verdict'); s.value = 'blocked'; s.dispatchEvent(new Event('change'));`)
		sort += timed(b, br, `document.getElementById('reset').click(); document.querySelector('button[data-sort="agent"]').click();`)
		start := time.Now()
		timed(b, br, `document.getElementById('reset').click();`)
		if err := chromedp.Do(br.Ctx, chromedp.SendKeys(chromedp.ID("q"), "ubuntu")); err != nil {
			b.Fatal(err)
		}
		if _, err := chromedp.Run(br.Ctx, chromedp.Poll[bool](`document.getElementById('count').textContent.includes('filtered')`,
			chromedp.WithPollingInterval(5*time.Millisecond))); err != nil {
			b.Fatal(err)
		}
		search += float64(time.Since(start).Microseconds()) / 1000
	}
	n := float64(b.N)
	b.ReportMetric(float64(len(page))/1e6, "MB/report")
	b.ReportMetric(ready/n, "ms-interactive-http")
	b.ReportMetric(fileReady/n, "ms-interactive-file")
	b.ReportMetric(filter/n, "ms-filter")
	b.ReportMetric(sort/n, "ms-sort")
	b.ReportMetric(search/n, "ms-search-typed")
	if errs := br.Errors(); len(errs) > 0 {
		b.Errorf("console errors: %q", errs)
	}
}

// timed runs js in the page and returns how long it took there, in ms:
// the filters and the sort work synchronously, so this is their cost.
func timed(b *testing.B, br *browsertest.Browser, js string) float64 {
	ms, err := chromedp.Run(br.Ctx, chromedp.Evaluate[float64](`(() => { const t0 = performance.now(); `+js+` return performance.now() - t0; })()`))
	if err != nil {
		b.Fatal(err)
	}
	return ms
}
