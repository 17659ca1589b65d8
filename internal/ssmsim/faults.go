package ssmsim

import (
	"sync"
	"time"

	"github.com/patchready/patchready/internal/clock"
)

// Faults are the global faults of the simulated API. All are off by default.
type Faults struct {
	// RatePerSecond limits each operation to this many calls per second of
	// simulated time, in each account and region apart, as AWS's limits
	// are (a token bucket per account, region and operation, burst Burst);
	// calls over the limit get the service's throttling error
	// (ThrottlingException, Throttling, RequestLimitExceeded, ...). Zero
	// means unlimited.
	RatePerSecond float64 `json:"rate_per_second,omitempty" yaml:"rate_per_second,omitempty"`
	// Burst is the token bucket's size. Zero means max(1, RatePerSecond).
	Burst int `json:"burst,omitempty" yaml:"burst,omitempty"`
	// OperationRates overrides RatePerSecond for named operations (SSM's
	// by their bare names, other services' as "ec2:DescribeInstances").
	OperationRates map[string]float64 `json:"operation_rates,omitempty" yaml:"operation_rates,omitempty"`
	// AccountRates overrides RatePerSecond for every operation of the
	// named accounts (an account that shares its limits with other tools).
	// OperationRates wins where both name a rate.
	AccountRates map[string]float64 `json:"account_rates,omitempty" yaml:"account_rates,omitempty"`
	// ThrottleRate throttles this fraction of calls at random, on top of
	// the rate limit: a storm that no pacing avoids.
	ThrottleRate float64 `json:"throttle_rate,omitempty" yaml:"throttle_rate,omitempty"`
	// ServerErrorRate answers this fraction of calls with a 500.
	ServerErrorRate float64 `json:"server_error_rate,omitempty" yaml:"server_error_rate,omitempty"`
	// Latency is added to every call (real time scaled by the clock),
	// plus up to LatencyJitter more.
	Latency       time.Duration `json:"latency,omitempty" yaml:"latency,omitempty"`
	LatencyJitter time.Duration `json:"latency_jitter,omitempty" yaml:"latency_jitter,omitempty"`
	// EmptyPageRate makes this fraction of list pages come back empty while
	// still carrying a NextToken, as AWS sometimes does.
	EmptyPageRate float64 `json:"empty_page_rate,omitempty" yaml:"empty_page_rate,omitempty"`
}

// limiter is a token bucket per account, region and operation on the
// simulator's clock, plus the random throttle storm.
type limiter struct {
	mu      sync.Mutex
	f       Faults
	clock   clock.Clock
	buckets map[bucketKey]*bucket
	rnd     func() float64
}

type bucketKey struct{ account, region, op string }

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(f Faults, c clock.Clock) *limiter {
	return &limiter{f: f, clock: c, buckets: map[bucketKey]*bucket{}}
}

func (l *limiter) rate(account, op string) float64 {
	if r, ok := l.f.OperationRates[op]; ok {
		return r
	}
	if r, ok := l.f.AccountRates[account]; ok {
		return r
	}
	return l.f.RatePerSecond
}

// allow takes a token for op in account and region, or reports that the
// call is throttled.
func (l *limiter) allow(account, region, op string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f.ThrottleRate > 0 && l.rnd != nil && l.rnd() < l.f.ThrottleRate {
		return false
	}
	rate := l.rate(account, op)
	if rate <= 0 {
		return true
	}
	burst := float64(l.f.Burst)
	if burst <= 0 {
		burst = max(1, rate)
	}
	now := l.clock.Now()
	k := bucketKey{account, region, op}
	b, ok := l.buckets[k]
	if !ok {
		b = &bucket{tokens: burst, last: now}
		l.buckets[k] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
