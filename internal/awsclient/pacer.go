package awsclient

import (
	"context"
	"sync"
	"time"
)

// Pacing constants. They are deliberately plain: cut to 70% of the rate that
// met a throttle, grow 2% every 100ms without one (about 20% a second), and
// never pace slower than five calls a second: a storm of random throttles
// (which no pacing avoids) must not slow a run to a crawl; the retryer's
// backoff still protects a service that truly allows less.
const (
	paceCut      = 0.7
	paceGrow     = 1.02
	paceGrowStep = 100 * time.Millisecond
	paceMinRate  = 5.0
	paceWindow   = time.Second
	// paceMinSpan keeps the first measurement of a run (a few calls within
	// microseconds) from claiming an absurd rate.
	paceMinSpan = 20 * time.Millisecond
)

// pacer spaces the attempts of one operation. It starts unpaced; the first
// throttle turns pacing on at 70% of the rate attempts were being sent at,
// and every later throttle cuts again. Without throttles the rate grows back
// until the service pushes back, so throughput stays near what AWS allows
// (additive-increase/multiplicative-decrease, as TCP does).
type pacer struct {
	now func() time.Time

	mu      sync.Mutex
	enabled bool
	rate    float64   // attempts per second, when enabled
	next    time.Time // earliest start of the next attempt
	lastCut time.Time // when the rate was last cut
	grown   time.Time // when the rate last grew
	first   time.Time // first attempt ever, for the measured rate
	sent    []time.Time
}

func newPacer(now func() time.Time) *pacer { return &pacer{now: now} }

// wait blocks until the next attempt may start and returns its start time.
func (p *pacer) wait(ctx context.Context) (time.Time, error) {
	p.mu.Lock()
	now := p.now()
	at := now
	if p.enabled {
		at = maxTime(now, p.next)
		p.next = at.Add(time.Duration(float64(time.Second) / p.rate))
	}
	if p.first.IsZero() {
		p.first = at
	}
	p.record(at)
	p.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return at, ctx.Err()
		case <-t.C:
		}
	}
	return at, nil
}

// observe records the outcome of an attempt started at sentAt.
func (p *pacer) observe(sentAt time.Time, throttled bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if throttled {
		// Attempts sent before the last cut were paced at the old rate:
		// their throttles say nothing about the new one. Without this
		// check, one burst of concurrent throttles would cut many times.
		if sentAt.Before(p.lastCut) {
			return
		}
		base := p.measured(now)
		if p.enabled {
			base = min(base, p.rate)
		}
		p.rate = max(paceMinRate, base*paceCut)
		p.enabled = true
		p.lastCut, p.grown = now, now
		return
	}
	if p.enabled && now.Sub(p.grown) >= paceGrowStep {
		steps := int(now.Sub(p.grown) / paceGrowStep)
		for range min(steps, 50) {
			p.rate *= paceGrow
		}
		p.grown = now
	}
}

// record keeps the start times of the last paceWindow of attempts.
func (p *pacer) record(at time.Time) {
	cut := 0
	for cut < len(p.sent) && at.Sub(p.sent[cut]) > paceWindow {
		cut++
	}
	p.sent = append(p.sent[cut:], at)
}

// measured is the rate attempts were sent at over the last window.
func (p *pacer) measured(now time.Time) float64 {
	span := min(paceWindow, now.Sub(p.first))
	span = max(span, paceMinSpan)
	return float64(len(p.sent)) / span.Seconds()
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
