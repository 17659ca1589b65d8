package heal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/patchready/patchready/internal/browsertest"
	"github.com/patchready/patchready/internal/heal"
	"github.com/patchready/patchready/internal/notify"
	"github.com/patchready/patchready/internal/ssmsim"
)

// hook is a webhook receiver on 127.0.0.1 that counts messages.
type hook struct {
	mu   sync.Mutex
	msgs []string
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.msgs = append(h.msgs, string(b))
	h.mu.Unlock()
}

func (h *hook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.msgs)
}

// The live dashboard against a running heal on the simulator: the page
// shows the latest cycle, its numbers are the cycle's, it reloads itself
// when the next cycle ends, and a webhook hears of the first cycle's
// failure and not of the unchanged second cycle.
func TestDashboardFollowsHealInBrowser(t *testing.T) {
	offline := ubuntu(90, oldAgent)
	offline.PingStatus = "ConnectionLost"
	broken := ubuntu(91, oldAgent)
	broken.Faults = ssmsim.NodeFaults{UpdateFails: true}
	e := newEnv(t, ubuntu(1, oldAgent), ubuntu(2, oldAgent), ubuntu(3, newAgent), ubuntu(4, newAgent), offline, broken)

	recv := &hook{}
	hookLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hookSrv := &http.Server{Handler: recv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hookSrv.Serve(hookLn) }()
	t.Cleanup(func() { _ = hookSrv.Close() })

	metrics := heal.NewMetrics(e.calls.Snapshot)
	dash := heal.NewDashboard(time.Second, nil)
	ln, err := net.Listen("tcp", heal.ListenAddr(":0"))
	if err != nil {
		t.Fatal(err)
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); host != "127.0.0.1" {
		t.Fatalf("the dashboard listens on %s, want 127.0.0.1 when no host is given", host)
	}
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- heal.ServeMetrics(sctx, ln, dash.Handler(metrics.Handler()), nil) }()
	t.Cleanup(func() { stop(); <-served })
	base := "http://" + ln.Addr().String()

	if code, body := get(t, base+"/"); code != 200 || !strings.Contains(body, "No heal cycle has finished yet") {
		t.Fatalf("before the first cycle / = %d:\n%.300s", code, body)
	}
	if _, body := get(t, base+heal.StatusPath); !strings.HasPrefix(body, `{"cycle":null`) {
		t.Fatalf("before the first cycle %s = %s", heal.StatusPath, body)
	}

	drain := make(chan struct{})
	results := make(chan heal.CycleResult)
	proceed := make(chan struct{})
	opts := e.options()
	opts.Drain, opts.Metrics, opts.Dashboard = drain, metrics, dash
	opts.Notifier = &notify.Notifier{Senders: []notify.Sender{&notify.Webhook{URL: "http://" + hookLn.Addr().String() + "/hook"}}}
	opts.OnCycle = func(r heal.CycleResult) { results <- r; <-proceed }
	loopDone := make(chan error, 1)
	go func() { _, err := heal.Run(context.Background(), e.api, opts); loopDone <- err }()
	defer func() {
		close(drain)
		close(proceed)
		for range results {
		}
	}()
	go func() { <-loopDone; close(results) }()

	r1 := <-results
	if r1.Summary.Blocked != 1 || r1.Report.Counts["failed"] != 1 {
		t.Fatalf("first cycle: %+v, counts %v; want 1 blocked and 1 failed", r1.Summary, r1.Report.Counts)
	}
	br := browsertest.New(t, 90*time.Second)
	if err := chromedp.Do(br.Ctx, chromedp.Navigate(base+"/"), chromedp.WaitReady(chromedp.CSS("body[data-ready]"))); err != nil {
		t.Fatalf("open dashboard: %v (%s)", err, br)
	}
	run := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(br.Ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	if got := run(`document.body.dataset.runId`); got != r1.RunID {
		t.Fatalf("dashboard shows run %s, want %s", got, r1.RunID)
	}
	cards := run(`JSON.stringify(Object.fromEntries([...document.querySelectorAll('button.card')].map(c => [c.dataset.verdict, +c.querySelector('.card-n').textContent])))`)
	if want := fmt.Sprintf(`{"compliant":%d,"fix":%d,"blocked":%d,"unmanaged":%d}`, r1.Summary.Compliant, r1.Summary.Fix, r1.Summary.Blocked, r1.Summary.Unmanaged); cards != want {
		t.Errorf("cards %s, the cycle's summary %s", cards, want)
	}
	if got := run(`String(document.querySelectorAll('#rows tr.node').length)`); got != strconv.Itoa(r1.Summary.Nodes) {
		t.Errorf("table rows %s, want %d", got, r1.Summary.Nodes)
	}
	if got := run(`document.querySelector('#cycle').textContent`); !strings.Contains(got, r1.Result) {
		t.Errorf("the cycle panel does not say %s: %q", r1.Result, got)
	}
	// Filter by run outcome: the failed node.
	run(`(() => { const s = document.getElementById('f-outcome'); s.value = 'failed'; s.dispatchEvent(new Event('change')); return ''; })()`)
	if got := run(`[...document.querySelectorAll('#rows tr.node code')].map(e => e.textContent).join()`); got != broken.ID {
		t.Errorf("outcome filter failed shows %q, want %s", got, broken.ID)
	}
	run(`(() => { document.getElementById('reset').click(); return ''; })()`)
	br.Screenshot(t, "dashboard-cycle1", true)

	var st heal.Status
	if _, body := get(t, base+heal.StatusPath); json.Unmarshal([]byte(body), &st) != nil || st.Cycle == nil || st.Cycle.RunID != r1.RunID || st.Cycles != 1 {
		t.Fatalf("%s after cycle 1: %s", heal.StatusPath, body)
	}
	if n := recv.count(); n != 1 {
		t.Fatalf("webhook messages after a cycle with a new failure: %d, want 1", n)
	}

	proceed <- struct{}{}
	r2 := <-results
	// The page notices the new cycle by itself and reloads.
	// A poll across the reload fails while the page navigates, so the
	// test asks again until the deadline.
	check := fmt.Sprintf(`document.body.dataset.runId === %q && document.body.dataset.ready !== undefined`, r2.RunID)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ok, err := chromedp.Run(br.Ctx, chromedp.Evaluate[bool](check))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dashboard did not move to cycle %s: %v", r2.RunID, err)
		}
	}
	cards = run(`JSON.stringify(Object.fromEntries([...document.querySelectorAll('button.card')].map(c => [c.dataset.verdict, +c.querySelector('.card-n').textContent])))`)
	if want := fmt.Sprintf(`{"compliant":%d,"fix":%d,"blocked":%d,"unmanaged":%d}`, r2.Summary.Compliant, r2.Summary.Fix, r2.Summary.Blocked, r2.Summary.Unmanaged); cards != want {
		t.Errorf("after reload: cards %s, the cycle's summary %s", cards, want)
	}
	br.Screenshot(t, "dashboard-cycle2", false)
	if n := recv.count(); n != 1 {
		t.Errorf("an unchanged second cycle sent a message: %d in all", n)
	}
	_, scrape := get(t, base+"/metrics")
	if v := metric(t, scrape, `patchready_notifications_total{channel="webhook",result="sent"}`); v != 1 {
		t.Errorf("notifications sent metric = %v, want 1", v)
	}
	if errs := br.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
	for _, u := range br.Requests() {
		if !strings.HasPrefix(u, base+"/") {
			t.Errorf("the dashboard requested %s", u)
		}
	}
}
