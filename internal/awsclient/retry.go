package awsclient

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// NewRetryer returns the retry policy for SSM clients, as a provider for
// aws.Config.Retryer. maxAttempts ≤ 0 and maxBackoff ≤ 0 take the defaults.
//
// Why adaptive mode, one per operation, without a retry quota:
//
//   - The SDK's adaptive mode (retry.NewAdaptiveMode) is its implementation of
//     client-side rate limiting for throttling: on the first throttle it
//     starts a token bucket at a fraction of the measured send rate (CUBIC),
//     then probes upwards again while calls succeed. That is the behaviour we
//     want (throughput near the allowed rate, few throttles) and it is
//     maintained by AWS, so we do not write our own pacer.
//   - AWS throttles each API separately, but one AdaptiveMode paces every
//     call made through it. A DescribeInstanceInformation storm would then
//     slow SendCommand too. So the retryer keeps one AdaptiveMode per
//     operation name, which it reads from the attempt's context.
//   - The standard mode's retry quota (500 tokens, 5 per throttled retry)
//     is built to fail fast during an outage; for a fleet run under steady
//     throttling it turns throttles into hard failures after ~100 retries.
//     We disable it with ratelimit.None: the adaptive bucket and the
//     attempt limit already bound the load we put on the service.
func NewRetryer(maxAttempts int, maxBackoff time.Duration) func() aws.Retryer {
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	if maxBackoff <= 0 {
		maxBackoff = DefaultMaxBackoff
	}
	// One shared retryer for every client built from the config, so that
	// several clients of one run share their view of the allowed rate.
	r := &perOperationRetryer{maxAttempts: maxAttempts, maxBackoff: maxBackoff, modes: map[string]*retry.AdaptiveMode{}}
	r.base = r.newMode()
	return func() aws.Retryer { return r }
}

// perOperationRetryer dispatches attempt pacing to one AdaptiveMode per
// operation. Everything except pacing is identical across operations, so it
// is answered by base.
type perOperationRetryer struct {
	maxAttempts int
	maxBackoff  time.Duration
	base        *retry.AdaptiveMode

	mu    sync.Mutex
	modes map[string]*retry.AdaptiveMode
}

var _ aws.RetryerV2 = (*perOperationRetryer)(nil)

func (r *perOperationRetryer) newMode() *retry.AdaptiveMode {
	return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = r.maxAttempts
			so.MaxBackoff = r.maxBackoff
			so.RateLimiter = ratelimit.None
		})
	})
}

func (r *perOperationRetryer) mode(ctx context.Context) *retry.AdaptiveMode {
	op := middleware.GetOperationName(ctx)
	if op == "" {
		return r.base
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.modes[op]
	if !ok {
		m = r.newMode()
		r.modes[op] = m
	}
	return m
}

func (r *perOperationRetryer) IsErrorRetryable(err error) bool { return r.base.IsErrorRetryable(err) }

func (r *perOperationRetryer) MaxAttempts() int { return r.base.MaxAttempts() }

func (r *perOperationRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	return r.base.RetryDelay(attempt, err)
}

func (r *perOperationRetryer) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	return r.mode(ctx).GetRetryToken(ctx, opErr)
}

// GetInitialToken is the deprecated V1 hook; the SDK calls GetAttemptToken.
func (r *perOperationRetryer) GetInitialToken() func(error) error {
	return func(error) error { return nil }
}

func (r *perOperationRetryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	return r.mode(ctx).GetAttemptToken(ctx)
}
