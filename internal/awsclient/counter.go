package awsclient

import (
	"context"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go/middleware"
)

// Counts are the calls made for one operation.
type Counts struct {
	// Calls is the number of operation calls (each may take several attempts).
	Calls int `json:"calls"`
	// Retries is the number of attempts beyond the first.
	Retries int `json:"retries"`
	// Throttles is the number of attempts AWS refused for rate.
	Throttles int `json:"throttles"`
}

// CallCounter counts, per operation (SSM, EC2 and IAM), the calls, retries and throttles a
// client meets: the figures metrics and benchmarks report. It is safe for
// concurrent use. Install it with NewSSM(cfg, endpoint, counter.Options).
type CallCounter struct {
	mu     sync.Mutex
	counts map[string]*Counts
}

// NewCallCounter returns an empty counter.
func NewCallCounter() *CallCounter { return &CallCounter{counts: map[string]*Counts{}} }

// Options installs the counter on an SSM client (an ssm.Options function).
func (c *CallCounter) Options(o *ssm.Options) {
	o.APIOptions = append(o.APIOptions, c.register)
}

// EC2Options installs the counter on an EC2 client.
func (c *CallCounter) EC2Options(o *ec2.Options) { o.APIOptions = append(o.APIOptions, c.register) }

// IAMOptions installs the counter on an IAM client.
func (c *CallCounter) IAMOptions(o *iam.Options) { o.APIOptions = append(o.APIOptions, c.register) }

// Snapshot returns a copy of the counts by operation name.
func (c *CallCounter) Snapshot() map[string]Counts {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]Counts, len(c.counts))
	for op, n := range maps.All(c.counts) {
		out[op] = *n
	}
	return out
}

// Total returns the counts summed over every operation.
func (c *CallCounter) Total() Counts {
	var t Counts
	for _, n := range c.Snapshot() {
		t.Calls += n.Calls
		t.Retries += n.Retries
		t.Throttles += n.Throttles
	}
	return t
}

func (c *CallCounter) add(op string, fn func(*Counts)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.counts[op]
	if !ok {
		n = &Counts{}
		c.counts[op] = n
	}
	fn(n)
}

// attemptKey marks, per call, whether an attempt has already been seen, so
// that every attempt after the first counts as a retry.
type attemptKey struct{}

// register adds two middlewares: one in Initialize (once per call) and one in
// Finalize right after the SDK's retry middleware (once per attempt).
func (c *CallCounter) register(stack *middleware.Stack) error {
	call := middleware.InitializeMiddlewareFunc("patchreadyCountCall", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		c.add(middleware.GetOperationName(ctx), func(n *Counts) { n.Calls++ })
		return next.HandleInitialize(middleware.WithStackValue(ctx, attemptKey{}, new(int)), in)
	})
	attempt := middleware.FinalizeMiddlewareFunc("patchreadyCountAttempt", func(
		ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler,
	) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		seen, _ := middleware.GetStackValue(ctx, attemptKey{}).(*int)
		throttled := err != nil && IsThrottled(err)
		c.add(middleware.GetOperationName(ctx), func(n *Counts) {
			if seen != nil {
				if *seen > 0 {
					n.Retries++
				}
				*seen++
			}
			if throttled {
				n.Throttles++
			}
		})
		return out, md, err
	})
	if err := stack.Initialize.Add(call, middleware.Before); err != nil {
		return err
	}
	if err := stack.Finalize.Insert(attempt, "Retry", middleware.After); err != nil {
		// No retry middleware (a custom stack): count at the end instead.
		return stack.Finalize.Add(attempt, middleware.After)
	}
	return nil
}
