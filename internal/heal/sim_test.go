package heal_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/heal"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/ssmsim"
)

// The simulated fleet runs 5,000 times faster than real time: a heal
// interval of 30 minutes takes 0.36 s, an agent update (90 s) 18 ms.
const (
	timeScale = 5000
	interval  = 30 * time.Minute
	region    = "us-east-1"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// env is a simulator on 127.0.0.1 and a real SDK client on the same
// scaled clock.
type env struct {
	sim   *ssmsim.Server
	api   *ssm.Client
	clk   *clock.Scaled
	calls *awsclient.CallCounter
	dir   string
}

func newEnv(t *testing.T, nodes ...ssmsim.Node) *env {
	t.Helper()
	clk := clock.NewScaled(t0, timeScale)
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: 1, Fleets: map[string]ssmsim.Fleet{"*": {Nodes: nodes}}})
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	calls := awsclient.NewCallCounter()
	api, _, err := awsclient.Client(context.Background(), awsclient.Config{
		Region: region, EndpointURL: ts.URL, MaxBackoff: 5 * time.Millisecond,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, calls.Options)
	if err != nil {
		t.Fatal(err)
	}
	return &env{sim: sim, api: api, clk: clk, calls: calls, dir: t.TempDir()}
}

// options are heal options for this env; the caller sets Once, OnCycle...
func (e *env) options() heal.Options {
	return heal.Options{
		Plan:         heal.PlanTemplate{Rules: prereq.Default(), Region: region, ToolVersion: "test"},
		PollInterval: 10 * time.Second, MaxPollInterval: 30 * time.Second, Timeout: 2 * time.Hour,
		StateDir: e.dir, Interval: interval, Clock: e.clk,
	}
}

// ubuntu returns an online, supported node with the given agent version.
func ubuntu(i int, agent string) ssmsim.Node {
	return ssmsim.Node{ID: fmt.Sprintf("i-%017x", i), PlatformType: "Linux", PlatformName: "Ubuntu", PlatformVersion: "22.04",
		AgentVersion: agent, ComputerName: fmt.Sprintf("host-%d", i), Python: "/usr/bin/python3", Requests: "2.25.1"}
}

const (
	oldAgent = "2.0.700.0"
	newAgent = ssmsim.DefaultLatestAgentVersion
)

func (e *env) agent(t *testing.T, id string) string {
	t.Helper()
	var v string
	e.sim.WithRegion(region, func(r *ssmsim.Region) {
		n, ok := r.Node(id)
		if !ok {
			t.Fatalf("node %s not in the simulator", id)
		}
		v = n.AgentVersion
	})
	return v
}

// serveMetrics serves m on 127.0.0.1:0 and returns its base URL.
func serveMetrics(t *testing.T, m *heal.Metrics) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- heal.ServeMetrics(ctx, ln, m.Handler(), nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("metrics server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// metric returns the value of the sample named exactly series (name and
// labels as the text format prints them) in a /metrics scrape.
func metric(t *testing.T, scrape, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(scrape, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", series, err)
			}
			return f
		}
	}
	t.Fatalf("metric %s not in the scrape:\n%s", series, scrape)
	return 0
}
