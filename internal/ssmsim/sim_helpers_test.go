package ssmsim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/patchready/patchready/internal/clock"
)

// t0 is the simulated start of every test that uses a manual clock.
var simT0 = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// start runs a simulator over HTTP on 127.0.0.1 and returns it with a real
// SDK client pointed at it. Retries back off by a millisecond only, so
// fault tests stay fast; maxAttempts 0 keeps the SDK's default of 3.
func startSim(t testing.TB, opts Options, maxAttempts int) (*Server, *ssm.Client) {
	t.Helper()
	s := New(opts)
	return s, sdkClient(t, startHTTP(t, s), "us-east-1", maxAttempts)
}

// startHTTP serves s on 127.0.0.1 until the test ends and returns its URL.
func startHTTP(t testing.TB, s *Server) string {
	t.Helper()
	ts := httptest.NewServer(s) // listens on 127.0.0.1
	t.Cleanup(ts.Close)
	return ts.URL
}

func sdkClient(t testing.TB, url, region string, maxAttempts int) *ssm.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				if maxAttempts > 0 {
					o.MaxAttempts = maxAttempts
				}
				o.RateLimiter = ratelimit.None
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
			})
		}),
	)
	if err != nil {
		t.Fatalf("load SDK config: %v", err)
	}
	return ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.BaseEndpoint = aws.String(url) })
}

// manual returns options with a manual clock at t0 and the given fleet in
// every region.
func manualOpts(f Fleet) (Options, *clock.Manual) {
	c := clock.NewManual(simT0)
	return Options{Clock: c, Seed: 7, Fleets: map[string]Fleet{"*": f}}, c
}

// testNode returns an online Amazon Linux 2 node with index i.
func linuxNode(i int) Node {
	return Node{ID: fmt.Sprintf("i-%017x", i+1), PlatformType: "Linux", PlatformName: "Amazon Linux", PlatformVersion: "2",
		AgentVersion: "3.1.1004.0", ComputerName: fmt.Sprintf("host-%d", i), Python: "/usr/bin/python3", Pip: "/usr/bin/pip3", Requests: "2.25.1"}
}

func fleetOf(n int) Fleet {
	f := Fleet{Nodes: make([]Node, n)}
	for i := range f.Nodes {
		f.Nodes[i] = linuxNode(i)
	}
	return f
}

// errorCode returns the AWS error code of err, or "" when it has none.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func testCtx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// countingHTTP counts the HTTP requests an SDK client sends, retries
// included, so that tests can hold the server's counters to them.
type countingHTTP struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
	n atomic.Int64
}

func (c *countingHTTP) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.inner.Do(r)
}
