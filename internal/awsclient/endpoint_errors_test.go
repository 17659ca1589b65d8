package awsclient

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// Issue #15 item 7: errors of the way to AWS name the likely mistake, and a
// dead endpoint fails fast instead of after ten silent attempts.

func observedClient(t *testing.T, endpoint string, maxAttempts int) (*ssm.Client, *observer.ObservedLogs) {
	t.Helper()
	isolate(t)
	core, logs := observer.New(zap.DebugLevel)
	api, _, err := Client(context.Background(), Config{
		Region: "us-east-1", EndpointURL: endpoint, MaxAttempts: maxAttempts, MaxBackoff: time.Millisecond, Logger: zap.New(core),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return api, logs
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func describe(api *ssm.Client) error {
	_, err := api.DescribeInstanceInformation(context.Background(), &ssm.DescribeInstanceInformationInput{})
	return err
}

// Before, a refused connection was retried ten times with backoff (6 to
// 16 s measured), silently at the default log level.
func TestDeadEndpointFailsAfterTwoQuickRetries(t *testing.T) {
	api, logs := observedClient(t, closedPort(t), 0)
	err := describe(api)
	var re *RefusedError
	if !errors.As(err, &re) || re.Attempts != maxRefusedRetries+1 {
		t.Fatalf("error %v, want a RefusedError after %d attempts", err, maxRefusedRetries+1)
	}
	if n := logs.FilterMessage("connection refused; retrying").FilterLevelExact(zap.WarnLevel).Len(); n != maxRefusedRetries {
		t.Errorf("%d retries logged at warn, want %d", n, maxRefusedRetries)
	}
	if got := Explain(err); !strings.Contains(got, "nothing is listening there (connection refused 3 times); is the simulator running?") {
		t.Errorf("Explain = %q", got)
	}
}

// Once the endpoint has answered, a refused connection is a blip in a long
// run: it gets the standard retries, each logged at warn.
func TestRefusedAfterAnAnswerGetsStandardRetries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, `{"InstanceInformationList":[]}`)
	}))
	api, logs := observedClient(t, srv.URL, 5)
	if err := describe(api); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	err := describe(api)
	var re *RefusedError
	var me *retry.MaxAttemptsError
	if errors.As(err, &re) || !errors.As(err, &me) || me.Attempt != 5 {
		t.Fatalf("error %v, want the standard 5 attempts", err)
	}
	if n := logs.FilterMessage("call failed; retrying").FilterLevelExact(zap.WarnLevel).Len(); n != 4 {
		t.Errorf("%d retries logged at warn, want 4", n)
	}
}

// An https:// URL to a plain-HTTP endpoint is a wrong URL: one attempt,
// and the fix in words. Before: ten attempts, 11 s, and no advice.
func TestHTTPSToPlainHTTPEndpoint(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	api, _ := observedClient(t, strings.Replace(srv.URL, "http://", "https://", 1), 0)
	err := describe(api)
	if !IsPlainHTTPOverTLS(err) {
		t.Fatalf("error %v", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1 (no retry)", n)
	}
	want := srv.URL
	if got := Explain(err); got != strings.Replace(want, "http://", "https://", 1)+" answered in plain HTTP, not HTTPS: use --endpoint-url "+want {
		t.Errorf("Explain = %q", got)
	}
}

// An endpoint that answers a web page is not SSM.
func TestEndpointAnsweringHTML(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html><body>It works!</body></html>")
	}))
	t.Cleanup(srv.Close)
	api, _ := observedClient(t, srv.URL, 0)
	err := describe(api)
	if got := Explain(err); !strings.Contains(got, "answered an HTML page, not the SSM API (HTTP 200): is --endpoint-url") {
		t.Errorf("Explain = %q (error %v)", got, err)
	}
}

// A region with no endpoint: the name does not resolve. The error is
// built as net/http builds it, since the tests have no DNS to ask.
func TestUnknownRegion(t *testing.T) {
	err := &url.Error{Op: "Post", URL: "https://ssm.nowhere-1.amazonaws.com/", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: "ssm.nowhere-1.amazonaws.com", IsNotFound: true}}}
	got := Explain(err)
	if !strings.HasPrefix(got, `no SSM endpoint answers for region "nowhere-1"`) || !strings.Contains(got, "check --region") {
		t.Errorf("Explain = %q", got)
	}
	// Another host that does not resolve is a network matter.
	err.URL = "https://vpce.internal.example/"
	if got := Explain(err); !strings.HasPrefix(got, "cannot reach https://vpce.internal.example: check the network") {
		t.Errorf("Explain = %q", got)
	}
}
