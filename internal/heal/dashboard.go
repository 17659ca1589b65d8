package heal

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/report"
	"github.com/patchready/patchready/internal/report/htmlpage"
)

// StatusPath is where the dashboard serves the latest cycle as JSON.
const StatusPath = "/api/status"

// Dashboard serves the readiness report of heal's latest cycle on the
// metrics server: / is the report, refreshing itself when a new cycle is
// reported, and /api/status is the cycle as JSON. Both show what the plan
// and the journal hold, and nothing secret: plans carry no proxy URL and
// heal takes no credential from its flags.
//
// A nil *Dashboard is valid and shows nothing.
type Dashboard struct {
	// Poll is how often the page asks /api/status for a new cycle (30 s
	// when zero).
	Poll   time.Duration
	Logger *zap.Logger

	mu     sync.RWMutex
	page   []byte
	status []byte
	cycles int
	plan   *plan.Plan // the last plan seen, shown when a cycle could not plan
}

// Status is the JSON of /api/status.
type Status struct {
	// Cycle is the latest cycle; null before the first one ends.
	Cycle *CycleResult `json:"cycle"`
	// Cycles counts the cycles this process has run.
	Cycles int `json:"cycles"`
	// Verdicts counts the latest plan's nodes by verdict.
	Verdicts []report.Count `json:"verdicts,omitempty"`
	// BlockedCauses rank what blocks nodes, with advice.
	BlockedCauses []report.Cause `json:"blocked_causes,omitempty"`
}

// NewDashboard returns a dashboard that shows a waiting page until the
// first cycle ends.
func NewDashboard(poll time.Duration, log *zap.Logger) *Dashboard {
	if log == nil {
		log = zap.NewNop()
	}
	d := &Dashboard{Poll: poll, Logger: log}
	d.render(nil)
	return d
}

// Observe renders the report of a finished cycle. The page is made once
// per cycle, not per request.
func (d *Dashboard) Observe(r CycleResult) {
	if d == nil {
		return
	}
	d.render(&r)
}

func (d *Dashboard) render(r *CycleResult) {
	d.mu.Lock()
	defer d.mu.Unlock()
	live := &htmlpage.Live{StatusURL: StatusPath, Poll: d.Poll}
	st := Status{Cycle: r}
	p := d.plan
	var runs []report.Run
	if r != nil {
		d.cycles++
		st.Cycles = d.cycles
		live.RunID = r.RunID
		live.Cycle = cycleInfo(*r)
		if r.Plan != nil {
			p = r.Plan
			d.plan = r.Plan
		}
		if r.JournalPath != "" {
			run, err := report.ReadRunFile(r.JournalPath)
			if err != nil {
				d.Logger.Warn("dashboard: cycle journal unreadable; the page shows the plan only", zap.String("run_id", r.RunID), zap.Error(err))
			} else {
				// The journal's plan leaves out backing-off nodes, so
				// its fingerprint differs from the full plan's by design.
				run.Fingerprint = ""
				runs = append(runs, run)
			}
		}
	} else {
		live.Waiting = true
	}
	var pg report.Page
	if p != nil {
		pg = report.Build(*p, report.Options{Runs: runs})
		st.Verdicts, st.BlockedCauses = pg.Verdicts, pg.Causes
	} else {
		pg = report.Build(plan.Plan{}, report.Options{})
	}
	var b bytes.Buffer
	if err := htmlpage.Write(&b, pg, htmlpage.Options{Live: live}); err != nil {
		d.Logger.Error("dashboard: page not rendered", zap.Error(err))
		return
	}
	js, err := json.Marshal(st)
	if err != nil {
		d.Logger.Error("dashboard: status not encoded", zap.Error(err))
		return
	}
	d.page, d.status = b.Bytes(), js
}

func cycleInfo(r CycleResult) *htmlpage.Cycle {
	c := &htmlpage.Cycle{RunID: r.RunID, Result: r.Result, Started: r.Started, Finished: r.Finished,
		Targets: r.Targets, Verified: r.Report.Counts[converge.StateVerified], Error: r.Error}
	for _, s := range r.Skipped {
		c.BackingOff = append(c.BackingOff, htmlpage.BackingOff{InstanceID: s.InstanceID, Failures: s.Failures, RetryAfter: s.RetryAfter, Reason: s.Reason})
	}
	return c
}

// Handler serves / and /api/status, and passes every other path to next
// (the metrics, /healthz and /readyz).
func (d *Dashboard) Handler(next http.Handler) http.Handler {
	if d == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		var ctype string
		switch r.URL.Path {
		case "/":
			d.mu.RLock()
			body, ctype = d.page, "text/html; charset=utf-8"
			d.mu.RUnlock()
		case StatusPath:
			d.mu.RLock()
			body, ctype = d.status, "application/json"
			d.mu.RUnlock()
		default:
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		_, _ = w.Write(body)
	})
}

// ListenAddr is the address --metrics-addr listens on: one without a host
// (":9090") binds to 127.0.0.1 only, so that the dashboard is not exposed
// by accident; expose it on purpose with an explicit host (0.0.0.0:9090),
// behind a proxy that authenticates.
func ListenAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}
