package heal

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sort"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
)

// Cycle results, the values of patchready_cycles_total{result}.
const (
	ResultCompliant    = "compliant"     // every node the cycle touched read back compliant, none skipped
	ResultNotCompliant = "not-compliant" // some node failed, timed out or is backing off
	ResultError        = "error"         // the cycle could not plan or apply
	ResultInterrupted  = "interrupted"   // stopped by the first SIGINT/SIGTERM
	ResultTargetFailed = "target-failed" // a target of a heal across accounts and regions could not be planned or applied
)

// Metrics are heal's Prometheus metrics, on a registry of their own so
// that nothing else in the process (or a library's init) can add to or
// clash with what patchready exports.
//
// A nil *Metrics is valid and records nothing: metrics are off by default.
type Metrics struct {
	reg           *prometheus.Registry
	nodes         *prometheus.GaugeVec
	backingOff    prometheus.Gauge
	remediations  *prometheus.CounterVec
	cycles        *prometheus.CounterVec
	cycleDuration prometheus.Histogram
	lastSuccess   prometheus.Gauge
	notifications *prometheus.CounterVec

	running atomic.Bool
	ready   atomic.Bool
}

// NewMetrics returns heal's metrics. calls, when not nil, is read at every
// scrape for the API call and throttle counters (the session's
// awsclient.CallCounter.Snapshot), so they are never stale.
func NewMetrics(calls func() map[string]awsclient.Counts) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		nodes: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "patchready_nodes",
			Help: "Selected nodes by verdict in the last cycle's plan (compliant, fix, blocked; unmanaged: EC2 instances SSM does not manage).",
		}, []string{"verdict"}),
		backingOff: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "patchready_nodes_backing_off",
			Help: "Nodes that need a fix but were left alone in the last cycle because they failed before.",
		}),
		remediations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "patchready_remediations_total",
			Help: "Node remediations by action and by where the node ended (verified, failed, timed-out, not-started).",
		}, []string{"action", "result"}),
		cycles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "patchready_cycles_total",
			Help: "Heal cycles by result (compliant, not-compliant, error, interrupted).",
		}, []string{"result"}),
		cycleDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "patchready_cycle_duration_seconds",
			Help:    "How long a heal cycle took, plan to last read-back.",
			Buckets: []float64{10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200},
		}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "patchready_last_success_timestamp_seconds",
			Help: "Unix time at which the last heal cycle that ran to its end (whatever the fleet's state) finished.",
		}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "patchready_notifications_total",
			Help: "Notifications of a changed outcome by channel (webhook, sns) and result (sent, failed).",
		}, []string{"channel", "result"}),
	}
	// Every label value exists from the start, so that dashboards and
	// alerts (rate(), absent()) see zeros rather than missing series.
	for _, v := range []plan.Verdict{plan.Compliant, plan.Fix, plan.Blocked, plan.Unmanaged} {
		m.nodes.WithLabelValues(v.String())
	}
	for _, a := range prereq.Actions() {
		for _, s := range []converge.State{converge.StateVerified, converge.StateFailed, converge.StateTimedOut, converge.StateNotStarted, converge.StateInterrupted} {
			m.remediations.WithLabelValues(a.Kind.String(), string(s))
		}
	}
	for _, r := range []string{ResultCompliant, ResultNotCompliant, ResultError, ResultInterrupted, ResultTargetFailed} {
		m.cycles.WithLabelValues(r)
	}
	for _, ch := range []string{"webhook", "sns"} {
		for _, r := range []string{"sent", "failed"} {
			m.notifications.WithLabelValues(ch, r)
		}
	}
	m.reg.MustRegister(m.nodes, m.backingOff, m.remediations, m.cycles, m.cycleDuration, m.lastSuccess, m.notifications)
	if calls != nil {
		m.reg.MustRegister(apiCollector{snapshot: calls})
	}
	return m
}

// Handler serves /metrics, /healthz (200 while the loop runs) and /readyz
// (200 once a cycle has run to its end).
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		serveProbe(w, m.running.Load(), "heal loop running\n", "heal loop not running\n")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		serveProbe(w, m.ready.Load(), "a heal cycle has completed\n", "no heal cycle has completed yet\n")
	})
	return mux
}

func serveProbe(w http.ResponseWriter, ok bool, yes, no string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(no))
		return
	}
	_, _ = w.Write([]byte(yes))
}

func (m *Metrics) setRunning(v bool) {
	if m != nil {
		m.running.Store(v)
	}
}

// observe records one finished cycle. full is the cycle's plan before
// backoff; it is nil when planning failed.
func (m *Metrics) observe(r CycleResult, full *plan.Plan) {
	if m == nil {
		return
	}
	if full != nil {
		m.nodes.WithLabelValues(plan.Compliant.String()).Set(float64(full.Summary.Compliant))
		m.nodes.WithLabelValues(plan.Fix.String()).Set(float64(full.Summary.Fix))
		m.nodes.WithLabelValues(plan.Blocked.String()).Set(float64(full.Summary.Blocked))
		m.nodes.WithLabelValues(plan.Unmanaged.String()).Set(float64(full.Summary.Unmanaged))
		m.backingOff.Set(float64(len(r.Skipped)))
		actions := map[string][]prereq.ActionKind{}
		for _, np := range full.Nodes {
			actions[np.Node.InstanceID] = np.Actions
		}
		for _, o := range r.Report.Outcomes {
			for _, a := range actions[o.InstanceID] {
				m.remediations.WithLabelValues(a.String(), string(o.State)).Inc()
			}
		}
	}
	m.cycles.WithLabelValues(r.Result).Inc()
	m.cycleDuration.Observe(r.Duration.Seconds())
	if r.Result == ResultCompliant || r.Result == ResultNotCompliant {
		m.lastSuccess.Set(float64(r.Finished.UnixNano()) / 1e9)
		m.ready.Store(true)
	}
}

// apiCollector exports the session's call counter at scrape time. A
// collector rather than counters updated after each cycle, so that a
// scrape during a long cycle shows the calls (and throttling) happening.
type apiCollector struct {
	snapshot func() map[string]awsclient.Counts
}

var (
	apiCallsDesc = prometheus.NewDesc("patchready_api_calls_total",
		"SSM API calls made, by operation (each call may take several attempts).", []string{"operation"}, nil)
	apiThrottlesDesc = prometheus.NewDesc("patchready_api_throttles_total",
		"SSM API attempts refused for rate (ThrottlingException), by operation.", []string{"operation"}, nil)
)

func (c apiCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- apiCallsDesc
	ch <- apiThrottlesDesc
}

func (c apiCollector) Collect(ch chan<- prometheus.Metric) {
	snap := c.snapshot()
	ops := make([]string, 0, len(snap))
	for op := range snap {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		n := snap[op]
		ch <- prometheus.MustNewConstMetric(apiCallsDesc, prometheus.CounterValue, float64(n.Calls), op)
		ch <- prometheus.MustNewConstMetric(apiThrottlesDesc, prometheus.CounterValue, float64(n.Throttles), op)
	}
}

// ServeMetrics serves h on ln until ctx is done, then shuts the server
// down. The listener is the caller's so that a test (or --metrics-addr
// 127.0.0.1:0) can learn the port before the loop starts.
func ServeMetrics(ctx context.Context, ln net.Listener, h http.Handler, log *zap.Logger) error {
	if log == nil {
		log = zap.NewNop()
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("serving metrics", zap.String("addr", ln.Addr().String()))
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		<-done // Shutdown has let in-flight scrapes finish
		return nil
	}
	return err
}
