package htmlpage_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/probe"
	"github.com/patchready/patchready/internal/report"
	"github.com/patchready/patchready/internal/report/htmlpage"
	"github.com/patchready/patchready/internal/ssmsim"
)

// mixed is the simulator's sample fleet (three dozen nodes with every kind
// of problem) planned and applied by the real engine over HTTP, as the
// demo does: a plan with every verdict and a run with verified and failed
// nodes, made once per test binary.
type mixed struct {
	plan    plan.Plan
	run     report.Run
	journal string
}

var (
	mixedOnce sync.Once
	mixedVal  mixed
	mixedErr  string
)

func mixedFixture(t *testing.T) mixed {
	t.Helper()
	mixedOnce.Do(func() { mixedVal, mixedErr = makeMixed(t) })
	if mixedErr != "" {
		t.Fatal(mixedErr)
	}
	return mixedVal
}

func makeMixed(t *testing.T) (mixed, string) {
	ctx := context.Background()
	clk := clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 1000)
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: 1, Fleets: map[string]ssmsim.Fleet{"*": ssmsim.SampleFleet()}})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	api, _, err := awsclient.Client(ctx, awsclient.Config{
		Region: "us-east-1", EndpointURL: srv.URL, MaxBackoff: 50 * time.Millisecond,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if err != nil {
		return mixed{}, "SDK client: " + err.Error()
	}
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	p, err := engine.MakePlan(ctx, api, engine.PlanInput{
		Rules: prereq.Default(), Strategy: plan.DefaultStrategy, Probe: true, Region: "us-east-1",
		Account: "111122223333", ToolVersion: "test", RunID: "plan-run", Clock: clk, Logger: log,
		// The probe's bound is generous in fleet time: the simulator runs the
		// real scripts, and on a loaded machine their real CPU time is
		// minutes of a fast fleet clock.
		ProbeOptions: probe.Options{PollInterval: 2 * time.Second, MaxPollInterval: 10 * time.Second, Timeout: 2 * time.Hour},
	})
	if err != nil {
		return mixed{}, "plan: " + err.Error()
	}
	dir := t.TempDir()
	res, err := engine.Apply(ctx, api, engine.ApplyInput{
		Plan: p, RunID: "20260302T090000Z-a1b2c3", StateDir: dir, Fresh: true,
		MaxConcurrency: "50%", MaxErrors: "100%",
		Clock: clk, PollInterval: 10 * time.Second, MaxPollInterval: 30 * time.Second,
		Timeout: 45 * time.Minute, OfflineGrace: 5 * time.Minute,
		Logger: log,
	})
	if err != nil {
		return mixed{}, "apply: " + err.Error()
	}
	run, err := report.ReadRunFile(res.JournalPath)
	if err != nil {
		return mixed{}, err.Error()
	}
	return mixed{plan: p, run: run, journal: res.JournalPath}, ""
}

// fleetNodes turns a simulated fleet into the nodes a plan would see,
// with a probe report on Online Linux nodes, without going through the
// simulator: fast enough for 100,000 nodes. The report is a plausible one
// (curl, the payload bucket answering, the node's Python) so that the page
// shows the verdicts a real plan of such a fleet has.
func fleetNodes(fl ssmsim.Fleet) []fleet.Node {
	out := make([]fleet.Node, len(fl.Nodes))
	for i, s := range fl.Nodes {
		n := fleet.Node{
			InstanceID: s.ID, ComputerName: s.ComputerName, PingStatus: s.PingStatus, AgentVersion: s.AgentVersion,
			PlatformType: s.PlatformType, PlatformName: s.PlatformName, PlatformVersion: s.PlatformVersion,
		}
		if n.PingStatus == "" {
			n.PingStatus = fleet.PingOnline
		}
		if n.PlatformType == fleet.PlatformLinux && n.PingStatus == fleet.PingOnline {
			pf := &fleet.ProbeFacts{Status: fleet.ProbeOK, ProbeReport: documents.ProbeReport{
				Schema: documents.ProbeReportSchema, Which: true, PackageManagers: "yum", PackageManager: "yum",
				Python: "python3", PythonPath: s.Python, PythonVersion: "3.9.16", PackageModule: documents.ModuleOK,
				RequestsVersion: s.Requests, Pip: documents.PipOK, Downloader: "curl",
				Payload: documents.PayloadReachable, PayloadCode: "403", VarFreeMB: 4000,
			}}
			if s.Python == "" {
				pf.Python, pf.PythonVersion = "", ""
				pf.PythonError = "An unsupported package manager and python version combination was found. Yum requires Python2 to be installed."
			}
			if s.Proxy.URL != "" {
				u, _ := url.Parse(s.Proxy.URL)
				pf.Proxied, pf.ProxySource, pf.ProxyScheme = true, s.Proxy.Source, u.Scheme
				pf.NoProxyHasIMDS = strings.Contains(s.Proxy.NoProxy, "169.254.169.254")
			}
			n.Probe = pf
		}
		out[i] = n
	}
	return out
}

// generatedPlan is a plan of n generated nodes.
func generatedPlan(n int) plan.Plan {
	return plan.Build(fleetNodes(ssmsim.Generate(n, 7)), nil, plan.Options{
		ToolVersion: "test", CreatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Region: "eu-west-1", Account: "111122223333", Rules: prereq.Default(), ProbeRan: true,
	})
}

// writePage renders pg and writes it to a file of the test's own.
func writePage(t testing.TB, pg report.Page, opts htmlpage.Options) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := htmlpage.Write(&b, pg, opts); err != nil {
		t.Fatalf("write page: %v", err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, b.Bytes()
}

func htmlpageOptions() htmlpage.Options { return htmlpage.Options{} }
