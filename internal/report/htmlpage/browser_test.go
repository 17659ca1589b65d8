package htmlpage_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patchready/patchready/internal/browsertest"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/report"
	"github.com/patchready/patchready/internal/report/htmlpage"
)

// tab is a browser tab on one report page.
type tab struct {
	t  *testing.T
	br *browsertest.Browser
}

// openReport serves the report file on 127.0.0.1 and loads it.
func openReport(t *testing.T, path string) (*tab, string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, path)
	}))
	t.Cleanup(srv.Close)
	tb := &tab{t: t, br: browsertest.New(t, 90*time.Second)}
	tb.do(chromedp.Navigate(srv.URL+"/report.html"), chromedp.WaitReady(chromedp.CSS("body[data-ready]")))
	return tb, srv.URL
}

// on returns the tab reporting to t (a subtest).
func (tb *tab) on(t *testing.T) *tab { return &tab{t: t, br: tb.br} }

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.br.Ctx, steps...); err != nil {
		tb.t.Fatalf("browser: %v (%s)", err, tb.br)
	}
}

func evalIn[T any](tb *tab, js string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.br.Ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitCount waits until the table's count line says what want matches.
func (tb *tab) waitCount(want string) {
	tb.t.Helper()
	js := fmt.Sprintf(`document.getElementById('count').textContent.startsWith(%q)`, want)
	if _, err := chromedp.Run(tb.br.Ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		got := evalIn[string](tb, `document.getElementById('count').textContent`)
		tb.t.Fatalf("count line is %q, want it to start with %q", got, want)
	}
}

// rowIDs are the instance IDs of the table's rows on the current page.
func (tb *tab) rowIDs() []string {
	return evalIn[[]string](tb, `[...document.querySelectorAll('#rows tr.node td:first-child code')].map(e => e.textContent)`)
}

// column is the text of the i-th cell of every row on the current page.
func (tb *tab) column(i int) []string {
	return evalIn[[]string](tb, fmt.Sprintf(`[...document.querySelectorAll('#rows tr.node')].map(r => r.cells[%d].textContent)`, i))
}

func (tb *tab) selectValue(id, value string) {
	tb.t.Helper()
	evalIn[bool](tb, fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event('change')); return s.value === %q; })()`, id, value, value))
}

var countIn = regexp.MustCompile(`([\d,]+) (\S+)(?: \([^)]*\))?$`)

// chartCounts reads the verdict chart's segments ("22 compliant (61%)")
// as the browser shows them.
func (tb *tab) chartCounts(id string) map[string]int {
	out := map[string]int{}
	for _, s := range evalIn[[]string](tb, fmt.Sprintf(`[...document.querySelectorAll('#%s g > title')].map(e => e.textContent)`, id)) {
		m := countIn.FindStringSubmatch(s)
		if m == nil {
			tb.t.Fatalf("chart %s segment title %q has no count", id, s)
		}
		n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		out[m[2]] += n
	}
	return out
}

func summaryCounts(p plan.Plan) map[string]int {
	return map[string]int{
		plan.Compliant.String(): p.Summary.Compliant,
		plan.Fix.String():       p.Summary.Fix,
		plan.Blocked.String():   p.Summary.Blocked,
	}
}

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func TestReportInBrowser(t *testing.T) {
	m := mixedFixture(t)
	p := m.plan
	if p.Summary.Compliant == 0 || p.Summary.Fix == 0 || p.Summary.Blocked == 0 || len(m.run.Failures) == 0 {
		t.Fatalf("the fixture must hold every verdict and a failed node: %+v, %d failures", p.Summary, len(m.run.Failures))
	}
	path, _ := writePage(t, report.Build(p, report.Options{Runs: []report.Run{m.run}}), htmlpage.Options{})
	tb, base := openReport(t, path)

	t.Run("charts count what the plan's summary counts", func(t *testing.T) {
		tb := tb.on(t)
		want := nonZero(summaryCounts(p))
		if got := tb.chartCounts("c-verdicts"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("verdict chart shows %v, the plan's summary says %v", got, want)
		}
		cards := evalIn[map[string]string](tb, `Object.fromEntries([...document.querySelectorAll('button.card')].map(c => [c.dataset.verdict, c.querySelector('.card-n').textContent]))`)
		for v, n := range summaryCounts(p) {
			if cards[v] != strconv.Itoa(n) {
				t.Errorf("card %s shows %q, want %d", v, cards[v], n)
			}
		}
		// Every bar of the platform chart is split by verdict: its
		// segments add up to the summary too.
		if got := tb.chartCounts("c-platforms"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("platform chart adds up to %v, want %v", got, want)
		}
	})

	t.Run("the node table has every node in ID order", func(t *testing.T) {
		tb := tb.on(t)
		tb.waitCount(fmt.Sprintf("Showing 1–%d of %d nodes", len(p.Nodes), len(p.Nodes)))
		got := tb.rowIDs()
		if len(got) != len(p.Nodes) {
			t.Fatalf("table has %d rows, plan has %d nodes", len(got), len(p.Nodes))
		}
		for i, np := range p.Nodes {
			if got[i] != np.Node.InstanceID {
				t.Fatalf("row %d is %s, want %s", i, got[i], np.Node.InstanceID)
			}
		}
	})

	t.Run("filtering by verdict", func(t *testing.T) {
		tb := tb.on(t)
		tb.do(chromedp.Click(chromedp.CSS(`button.card[data-verdict="blocked"]`)))
		tb.waitCount(fmt.Sprintf("Showing 1–%d of %d nodes (filtered from %d)", p.Summary.Blocked, p.Summary.Blocked, len(p.Nodes)))
		for _, v := range tb.column(3) {
			if !strings.Contains(v, "blocked") {
				t.Errorf("a row of the blocked filter shows verdict %q", v)
			}
		}
		if h := evalIn[string](tb, `location.hash`); h != "#verdict=blocked" {
			t.Errorf("the filter is not kept in the URL: hash %q", h)
		}
		tb.do(chromedp.Click(chromedp.ID("reset")))
		tb.waitCount(fmt.Sprintf("Showing 1–%d of %d nodes", len(p.Nodes), len(p.Nodes)))
	})

	t.Run("search", func(t *testing.T) {
		tb := tb.on(t)
		var want []string
		for _, np := range p.Nodes {
			if strings.Contains(strings.ToLower(report.PlatformLabel(np)), "windows") ||
				strings.Contains(strings.ToLower(np.Node.ComputerName), "windows") ||
				strings.Contains(strings.ToLower(strings.Join(np.Reasons, " ")+strings.Join(np.Notes, " ")), "windows") {
				want = append(want, np.Node.InstanceID)
			}
		}
		tb.do(chromedp.SendKeys(chromedp.ID("q"), "Windows"))
		tb.waitCount(fmt.Sprintf("Showing 1–%d of %d nodes (filtered", len(want), len(want)))
		if got := tb.rowIDs(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("search Windows shows %v, want %v", got, want)
		}
		tb.do(chromedp.Click(chromedp.ID("reset")))
	})

	t.Run("filtering by run outcome and by blocking check", func(t *testing.T) {
		tb := tb.on(t)
		tb.selectValue("f-outcome", "failed")
		var want []string
		for _, f := range m.run.Failures {
			want = append(want, f.InstanceID)
		}
		tb.waitCount(fmt.Sprintf("Showing 1–%d of %d nodes", len(want), len(want)))
		if got := tb.rowIDs(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("outcome failed shows %v, want %v", got, want)
		}
		tb.do(chromedp.Click(chromedp.ID("reset")))
		cause := report.Build(p, report.Options{}).Causes[0]
		tb.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`button.link[data-blocked=%q]`, cause.Check))))
		tb.waitCount(fmt.Sprintf("Showing 1–%d of %d nodes", cause.Nodes, cause.Nodes))
		tb.do(chromedp.Click(chromedp.ID("reset")))
	})

	t.Run("sorting by agent version", func(t *testing.T) {
		tb := tb.on(t)
		tb.do(chromedp.Click(chromedp.CSS(`button[data-sort="agent"]`)))
		got := tb.column(2)
		var prev report.AgentVersion
		seen := false
		for _, cell := range got {
			v, ok := report.ParseAgentVersion(strings.Fields(cell)[0])
			if !ok {
				continue
			}
			if seen && v.Compare(prev) < 0 {
				t.Fatalf("agent column not in version order: %q", got)
			}
			prev, seen = v, true
		}
		tb.do(chromedp.Click(chromedp.CSS(`button[data-sort="id"]`)))
	})

	t.Run("a row opens its details", func(t *testing.T) {
		tb := tb.on(t)
		tb.do(chromedp.Click(chromedp.CSS(`#rows tr.node`)))
		text := evalIn[string](tb, `document.querySelector('#rows tr.detail').textContent`)
		first := p.Nodes[0]
		for _, c := range first.Checks {
			if !strings.Contains(text, c.Reason) {
				t.Errorf("details of %s lack check %s's reason %q: %q", first.Node.InstanceID, c.Check, c.Reason, text)
			}
		}
	})

	tb.br.Screenshot(t, "report-mixed-viewport", false)
	tb.br.Screenshot(t, "report-mixed-full", true)

	if errs := tb.br.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
	for _, u := range tb.br.Requests() {
		if !strings.HasPrefix(u, base+"/report.html") {
			t.Errorf("the report requested %s: a report must load nothing", u)
		}
	}
}
