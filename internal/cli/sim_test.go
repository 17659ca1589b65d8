package cli

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// simOutput is a buffer the serving goroutine and the test share.
type simOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *simOutput) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *simOutput) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSimServeServesUntilCancelled(t *testing.T) {
	out := &simOutput{}
	ios := &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: out}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- simServeRun(ctx, &SimServeOptions{IO: ios, Region: "us-east-1", Addr: "127.0.0.1:0", Size: 25, Seed: 1, TimeScale: 1})
	}()
	re := regexp.MustCompile(`endpoint:\s+(http://127\.0\.0\.1:\d+)`)
	var url string
	for i := 0; i < 200 && url == ""; i++ {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if url == "" {
		t.Fatalf("no endpoint printed: %q", out.String())
	}
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "AmazonSSM.DescribeInstanceInformation")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"25 nodes", "region us-east-1", "AWS_ACCESS_KEY_ID=test", "--endpoint-url " + url} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	if !strings.Contains(out.String(), "simulator stopped after 1 API calls") {
		t.Errorf("no summary: %q", out.String())
	}
}

func TestSimServeRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		o    SimServeOptions
		want string
	}{
		{"fleet and size", SimServeOptions{FleetFile: "f.yaml", Size: 3, TimeScale: 1}, "give one"},
		{"scale", SimServeOptions{TimeScale: 0}, "--time-scale"},
		{"error rate", SimServeOptions{TimeScale: 1, ErrorRate: 2}, "--error-rate"},
		{"missing fleet file", SimServeOptions{TimeScale: 1, FleetFile: "/nonexistent/fleet.yaml", Addr: "127.0.0.1:0"}, "open fleet file"},
		{"regions", SimServeOptions{TimeScale: 1, Regions: 11}, "--regions"},
		{"single account sized", SimServeOptions{TimeScale: 1, SingleAccount: true, Accounts: 3}, "--single-account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios := &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
			o := tt.o
			o.IO = ios
			err := o.CheckAndSetDefaults()
			if err == nil {
				err = simServeRun(context.Background(), &o)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
