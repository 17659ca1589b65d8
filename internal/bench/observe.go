package bench

import (
	"context"
	"net/http"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go/middleware"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/ssmsim"
)

// answerLog records, per operation, the simulated time of every answered
// (HTTP 200) call, from which the sustained rate under a limit is read.
// It wraps the simulator's handler rather than the client, so it sees what
// the server accepted, not what the client attempted.
type answerLog struct {
	clk  clock.Clock
	next http.Handler

	mu sync.Mutex
	at map[string][]time.Time
}

func (l *answerLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := r.Header.Get("X-Amz-Target")
	if i := len("AmazonSSM."); len(op) > i {
		op = op[i:]
	}
	sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
	l.next.ServeHTTP(sw, r)
	if sw.code != http.StatusOK {
		return
	}
	now := l.clk.Now()
	l.mu.Lock()
	l.at[op] = append(l.at[op], now)
	l.mu.Unlock()
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// busyRate is the rate of op's answers over its busy periods: runs of
// answers no more than gap apart, holding at least minCalls answers.
// Idle stretches (waiting for the fleet) are left out, so the figure is how
// fast patchready went when it had work for the operation. The first burst
// answers of each period are left out too: a gap longer than burst/rate
// refills the token bucket, and those answers are free, not paced.
func (l *answerLog) busyRate(op string, gap time.Duration, minCalls, burst int) float64 {
	l.mu.Lock()
	ts := append([]time.Time(nil), l.at[op]...)
	l.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	var calls int
	var span time.Duration
	start := 0
	flush := func(end int) {
		if n := end - start; n >= minCalls {
			// n answers span n-1 intervals.
			calls += max(0, n-1-burst)
			span += ts[end-1].Sub(ts[start])
		}
	}
	for i := 1; i < len(ts); i++ {
		if ts[i].Sub(ts[i-1]) > gap {
			flush(i)
			start = i
		}
	}
	flush(len(ts))
	if span <= 0 {
		return 0
	}
	return float64(calls) / span.Seconds()
}

// memSampler keeps the highest HeapInuse and Sys seen, reading them every
// 10 ms. ReadMemStats stops the world briefly; at 100 Hz that costs well
// under 1% of a run.
type memSampler struct {
	stop chan struct{}
	done chan struct{}
	heap uint64
	sys  uint64
}

func startMemSampler() *memSampler {
	m := &memSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.stop:
				m.sample()
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memSampler) sample() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.heap = max(m.heap, s.HeapInuse)
	m.sys = max(m.sys, s.Sys)
}

// Stop ends sampling and returns the peaks.
func (m *memSampler) Stop() (heapInuse, sys uint64) {
	close(m.stop)
	<-m.done
	return m.heap, m.sys
}

// cpuTime is the process's user plus system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS is the process's resident-set high-water mark. Linux reports
// ru_maxrss in KiB.
func maxRSS() uint64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return uint64(ru.Maxrss) * 1024
}

// updateWatcher notes, in simulated time, when each targeted node's new
// agent version first became visible through the API: when
// DescribeInstanceInformation would first show the node Online with a
// version other than its old one (the simulator shows the new version only
// once the restarted agent pings again). The simulator records no such
// time, so it is read by polling; the resolution is one polling interval in
// simulated time.
type updateWatcher struct {
	sim    *ssmsim.Server
	region string
	clk    *clock.Scaled

	mu        sync.Mutex
	before    map[string]string // pending nodes and their agent before
	updatedAt map[string]time.Time
	interval  time.Duration // real time between reads
	stop      chan struct{}
	done      chan struct{}
}

func startUpdateWatcher(sim *ssmsim.Server, region string, clk *clock.Scaled, before map[string]string) *updateWatcher {
	// Reading every pending node holds the simulator's lock; space the
	// reads out with the fleet size so a 100k-node run is not slowed by
	// its own measurement.
	interval := 5*time.Millisecond + time.Duration(len(before)/2000)*time.Millisecond
	u := &updateWatcher{
		sim: sim, region: region, clk: clk, before: before,
		updatedAt: make(map[string]time.Time, len(before)), interval: interval,
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go func() {
		defer close(u.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			u.read()
			select {
			case <-u.stop:
				return
			case <-t.C:
			}
		}
	}()
	return u
}

func (u *updateWatcher) read() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.before) == 0 {
		return
	}
	u.sim.WithRegion(u.region, func(r *ssmsim.Region) {
		now := u.clk.Now()
		for id, v := range u.before {
			if agent, ping, ok := r.Reported(id); ok && agent != v && ping == "Online" {
				u.updatedAt[id] = now
				delete(u.before, id)
			}
		}
	})
}

// Stop ends watching and returns each updated node's update time and the
// resolution in simulated time.
func (u *updateWatcher) Stop() (map[string]time.Time, time.Duration) {
	close(u.stop)
	<-u.done
	return u.updatedAt, time.Duration(float64(u.interval) * u.clk.Scale())
}

// failCounter counts calls that ended, after every retry, with a throttle
// or a server error: the failures the pacing is meant to prevent. Client
// errors such as "document does not exist" are part of normal look-ups and
// are not counted.
type failCounter struct {
	mu     sync.Mutex
	failed int
}

func (f *failCounter) Options(o *ssm.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("patchreadyBenchFailures", func(
			ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
		) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if err != nil && (awsclient.IsThrottled(err) || isServerError(err)) {
				f.mu.Lock()
				f.failed++
				f.mu.Unlock()
			}
			return out, md, err
		}), middleware.Before)
	})
}

func (f *failCounter) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}
