package awsclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/sync/errgroup"
)

// throttlingServer answers every SSM call with an empty result, except that
// it throttles while refuse says so.
func throttlingServer(t *testing.T, refuse func(op string) bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if refuse(op) {
			w.Header().Set("X-Amzn-ErrorType", "ThrottlingException")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
			return
		}
		_, _ = io.WriteString(w, `{"InstanceInformationList":[]}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func testClient(t *testing.T, url string, maxBackoff time.Duration, optFns ...func(*ssm.Options)) *ssm.Client {
	t.Helper()
	isolate(t)
	cfg, err := Load(context.Background(), Config{
		Region: "us-east-1", MaxBackoff: maxBackoff,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return NewSSM(cfg, url, optFns...)
}

func TestRetriesThroughThrottlingAndCounts(t *testing.T) {
	var n atomic.Int32
	srv := throttlingServer(t, func(string) bool { return n.Add(1) <= 4 })
	counter := NewCallCounter()
	api := testClient(t, srv.URL, 10*time.Millisecond, counter.Options)

	if _, err := api.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{}); err != nil {
		t.Fatalf("call failed after 4 throttles: %v", err)
	}
	got := counter.Snapshot()["DescribeInstanceInformation"]
	want := Counts{Calls: 1, Retries: 4, Throttles: 4}
	if got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	srv := throttlingServer(t, func(string) bool { return true })
	counter := NewCallCounter()
	api := testClient(t, srv.URL, time.Millisecond, counter.Options)
	_, err := api.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{})
	if !IsThrottled(err) {
		t.Fatalf("want a throttling error, got %v", err)
	}
	if got := counter.Snapshot()["DescribeInstanceInformation"]; got.Calls != 1 || got.Retries != DefaultMaxAttempts-1 {
		t.Errorf("counts = %+v, want 1 call and %d retries", got, DefaultMaxAttempts-1)
	}
	if !strings.Contains(Explain(err), "DescribeInstanceInformation") {
		t.Errorf("Explain = %q", Explain(err))
	}
}

// TestSustainedThrottlingNoCallFails runs many concurrent calls against a
// server that allows a fixed rate. The standard retryer's retry quota would
// turn this into failures; the adaptive, quota-free policy must not.
func TestSustainedThrottlingNoCallFails(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about two seconds")
	}
	const rate = 100.0 // calls per second
	var mu sync.Mutex
	tokens, last := 5.0, time.Now()
	srv := throttlingServer(t, func(string) bool {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		tokens = min(5, tokens+now.Sub(last).Seconds()*rate)
		last = now
		if tokens < 1 {
			return true
		}
		tokens--
		return false
	})
	counter := NewCallCounter()
	api := testClient(t, srv.URL, 200*time.Millisecond, counter.Options)
	start := time.Now()
	var g errgroup.Group
	for range 8 {
		g.Go(func() error {
			for range 25 {
				if _, err := api.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("a call failed under throttling: %v", err)
	}
	c := counter.Snapshot()["DescribeInstanceInformation"]
	elapsed := time.Since(start)
	t.Logf("200 calls in %v (ideal %v): %d retries, %d throttles", elapsed.Round(time.Millisecond),
		time.Duration(200/rate*float64(time.Second)), c.Retries, c.Throttles)
	if c.Calls != 200 {
		t.Errorf("calls = %d, want 200", c.Calls)
	}
}

func TestRetryerPacesEachOperationApart(t *testing.T) {
	r := NewRetryer(0, 0)().(*pacedRetryer)
	a := r.pacer(middleware.WithOperationName(context.Background(), "SendCommand"))
	b := r.pacer(middleware.WithOperationName(context.Background(), "ListCommandInvocations"))
	a2 := r.pacer(middleware.WithOperationName(context.Background(), "SendCommand"))
	if a == b || a != a2 {
		t.Error("want one pacer per operation")
	}
	if r.MaxAttempts() != DefaultMaxAttempts {
		t.Errorf("MaxAttempts = %d", r.MaxAttempts())
	}
}

func TestExplainUnreachableSimulator(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	api := testClient(t, url, time.Millisecond)
	_, err := api.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{})
	if err == nil {
		t.Fatal("want an error")
	}
	want := "cannot reach " + url + ": nothing is listening there (connection refused 3 times); is the simulator running?"
	if got := Explain(err); got != want {
		t.Errorf("Explain = %q\nwant      %q", got, want)
	}
}

func TestEndpointFromEnvironment(t *testing.T) {
	var hits atomic.Int32
	srv := throttlingServer(t, func(string) bool { hits.Add(1); return false })
	isolate(t)
	t.Setenv("AWS_ENDPOINT_URL_SSM", srv.URL)
	cfg, err := Load(context.Background(), Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}
	api := NewSSM(cfg, "") // no override: the SDK reads the environment
	if _, err := api.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{}); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 {
		t.Errorf("AWS_ENDPOINT_URL_SSM not honoured: %d calls reached it", hits.Load())
	}
}
