package awsclient

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	"go.uber.org/zap"
)

// NewRetryer returns the retry policy for SSM clients, as a provider for
// aws.Config.Retryer. maxAttempts ≤ 0 and maxBackoff ≤ 0 take the defaults.
//
// The policy is the SDK's standard retryer (retry.NewStandard: which errors
// are retryable, exponential backoff with jitter, capped at maxBackoff) with
// two changes, chosen so that under throttling no call fails and throughput
// stays near the allowed rate:
//
//   - The retry quota is off (ratelimit.None). The standard quota (500
//     tokens, 5 per throttled retry) is built to fail fast in an outage;
//     under steady throttling it turns throttles into hard failures after
//     about 100 retries, which a fleet run reaches in seconds.
//   - Attempts are paced per operation by pacer (AIMD on the send rate).
//     We tried the SDK's retry.NewAdaptiveMode first: it measures the send
//     rate in half-second buckets starting from zero, so the first throttle
//     of a run drops it to 0.5 calls/s, and its CUBIC recovery takes
//     seconds. Against a server allowing 100 calls/s, 200 calls took 7.5s
//     with it instead of about 2s. AWS also throttles each API on its own,
//     while one AdaptiveMode paces every call through it; pacer is kept
//     per operation name, read from the attempt's context.
func NewRetryer(maxAttempts int, maxBackoff time.Duration) func() aws.Retryer {
	return newRetryer(maxAttempts, maxBackoff, nil)
}

// newRetryer is NewRetryer with a logger for the retries that are not
// expected (a throttle is: it is paced and logged at debug by the SDK).
func newRetryer(maxAttempts int, maxBackoff time.Duration, log *zap.Logger) func() aws.Retryer {
	if log == nil {
		log = zap.NewNop()
	}
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	if maxBackoff <= 0 {
		maxBackoff = DefaultMaxBackoff
	}
	// One retryer for every client built from the config, so that clients
	// of one run share their view of the allowed rate.
	r := &pacedRetryer{
		Standard: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.MaxBackoff = maxBackoff
			o.RateLimiter = ratelimit.None
		}),
		pacers: map[string]*pacer{},
		log:    log,
	}
	return func() aws.Retryer { return r }
}

// pacedRetryer is the standard retryer with a pacer per operation in front
// of every attempt.
type pacedRetryer struct {
	*retry.Standard

	mu     sync.Mutex
	pacers map[string]*pacer

	log *zap.Logger
	// reached turns true once the endpoint has answered anything: from
	// then on a refused connection is a blip, not a dead endpoint.
	reached atomic.Bool
}

var _ aws.RetryerV2 = (*pacedRetryer)(nil)

func (r *pacedRetryer) pacer(ctx context.Context) *pacer {
	op := middleware.GetOperationName(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.pacers[op]
	if !ok {
		p = newPacer(time.Now)
		r.pacers[op] = p
	}
	return p
}

// GetAttemptToken waits for the operation's pacer, then lets the attempt
// run; the returned release reports the attempt's outcome to the pacer.
func (r *pacedRetryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	p := r.pacer(ctx)
	sentAt, err := p.wait(ctx)
	if err != nil {
		return nil, err
	}
	release, err := r.Standard.GetAttemptToken(ctx)
	if err != nil {
		return nil, err
	}
	return func(opErr error) error {
		p.observe(sentAt, opErr != nil && IsThrottled(opErr))
		if opErr == nil || !isDialError(opErr) {
			r.reached.Store(true)
		}
		return release(opErr)
	}, nil
}

// IsErrorRetryable is the standard classification, except that an https://
// endpoint answering plain HTTP is a wrong URL, which no retry mends.
func (r *pacedRetryer) IsErrorRetryable(err error) bool {
	if IsPlainHTTPOverTLS(err) {
		return false
	}
	return r.Standard.IsErrorRetryable(err)
}

// RetryDelay gives up on a dead endpoint after maxRefusedRetries quick
// retries (see RefusedError), and logs every retry that is not a throttle
// at warn: a slow run should say why.
func (r *pacedRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	if IsConnectionRefused(err) && !r.reached.Load() {
		if attempt > maxRefusedRetries {
			return 0, &RefusedError{Attempts: attempt, Err: err}
		}
		d := refusedDelay << (attempt - 1)
		r.log.Warn("connection refused; retrying", zap.Int("attempt", attempt), zap.Duration("delay", d), zap.Error(err))
		return d, nil
	}
	d, derr := r.Standard.RetryDelay(attempt, err)
	if derr == nil && !IsThrottled(err) {
		r.log.Warn("call failed; retrying", zap.Int("attempt", attempt), zap.Duration("delay", d), zap.Error(err))
	}
	return d, derr
}
