package prereq

import (
	"reflect"
	"strings"
	"testing"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
)

func al2(agent string, probe *fleet.ProbeFacts) fleet.Node {
	return fleet.Node{
		InstanceID: "i-0123456789abcdef0", PingStatus: fleet.PingOnline,
		AgentVersion: agent, IsLatestVersion: true,
		PlatformType: fleet.PlatformLinux, PlatformName: "Amazon Linux", PlatformVersion: "2",
		Probe: probe,
	}
}

// healthyAL2 is the report of an Amazon Linux 2 node whose patch run works:
// yum with python2.7, curl, the payload bucket answering.
func healthyAL2() documents.ProbeReport {
	return documents.ProbeReport{
		Schema: documents.ProbeReportSchema, Which: true, PackageManagers: "yum", PackageManager: "yum",
		Python: "python2.7", PythonPath: "/usr/bin/python2.7", PythonVersion: "2.7.18", PackageModule: documents.ModuleOK,
		RequestsVersion: "2.6.0", Pip: documents.PipMissing, Downloader: "curl",
		Payload: documents.PayloadReachable, PayloadCode: "403", VarFreeMB: 4000,
	}
}

func probe(edit ...func(*documents.ProbeReport)) *fleet.ProbeFacts {
	r := healthyAL2()
	for _, e := range edit {
		e(&r)
	}
	return &fleet.ProbeFacts{Status: fleet.ProbeOK, ProbeReport: r}
}

func result(t testing.TB, ev Evaluation, id CheckID) CheckResult {
	t.Helper()
	c, ok := ev.Check(id)
	if !ok {
		t.Fatalf("check %s not run", id)
	}
	return c
}

func TestCheckAgentVersion(t *testing.T) {
	p := Default()
	tests := []struct {
		name, agent string
		want        Status
	}{
		{"just below floor", "2.0.833.9", StatusFail},
		{"at floor", "2.0.834.0", StatusPass},
		{"just above floor", "2.0.834.1", StatusPass},
		{"major 3", "3.3.1142.0", StatusPass},
		{"three parts", "3.3.1142", StatusPass},
		{"old", "1.2.3.4", StatusFail},
		{"empty", "", StatusUnknown},
		{"one part", "3", StatusUnknown},
		{"two parts", "3.1", StatusUnknown},
		{"five parts", "2.0.834.0.1", StatusUnknown},
		{"prerelease", "2.0.834.0-beta", StatusUnknown},
		{"v prefix", "v3.3.1142.0", StatusUnknown},
		{"garbage", "garbage", StatusUnknown},
		{"seven digit part", "3.3.1142000.0", StatusUnknown},
		{"space", " 3.3.1142.0", StatusUnknown},
		{"newline", "3.3.1142.0\n", StatusUnknown},
		{"10 MB", strings.Repeat("9", 10<<20), StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := result(t, EvaluateNode(al2(tt.agent, nil), p), CheckAgentVersion)
			if got.Status != tt.want {
				t.Fatalf("agent %.40q: %s (%s), want %s", tt.agent, got.Status, got.Reason, tt.want)
			}
			if len(got.Reason) > 300 {
				t.Fatalf("reason is %d bytes; a huge version must not be echoed", len(got.Reason))
			}
		})
	}
}

func TestCheckAgentVersionRaisedFloor(t *testing.T) {
	p, err := Default().WithMinAgentVersion("3.3.1142.0")
	if err != nil {
		t.Fatal(err)
	}
	if got := result(t, EvaluateNode(al2("3.2.582.0", nil), p), CheckAgentVersion); got.Status != StatusFail {
		t.Fatalf("3.2.582.0 against a raised floor: %s", got.Status)
	}
}

func TestCheckOnline(t *testing.T) {
	for _, tt := range []struct {
		ping string
		want Status
	}{{"Online", StatusPass}, {"ConnectionLost", StatusFail}, {"Inactive", StatusFail}, {"", StatusFail}, {"\x1b[31mOnline", StatusFail}} {
		n := al2("3.3.1142.0", nil)
		n.PingStatus = tt.ping
		got := result(t, EvaluateNode(n, Default()), CheckOnline)
		if got.Status != tt.want {
			t.Fatalf("ping %q: %s", tt.ping, got.Status)
		}
		if strings.Contains(got.Reason, "\x1b") {
			t.Fatalf("reason echoes a control character unquoted: %q", got.Reason)
		}
	}
}

// TestPatchRunChecks holds each patch-run check to what AWS-RunPatchBaseline
// would do on the node the probe described.
func TestPatchRunChecks(t *testing.T) {
	proxied := func(r *documents.ProbeReport) {
		r.Proxied, r.ProxySource, r.ProxyScheme, r.NoProxyHasIMDS = true, "process", "http", true
	}
	ubuntu := func(n *fleet.Node) { n.PlatformName, n.PlatformVersion = "Ubuntu", "22.04" }
	aptNoPython := func(r *documents.ProbeReport) {
		*r = documents.ProbeReport{Schema: documents.ProbeReportSchema, Which: true, PackageManagers: "apt",
			PythonError:   "An unsupported package manager and python version combination was found. Apt requires Python3 to be installed.",
			PackageModule: documents.ModuleNA, Downloader: "curl", Payload: documents.PayloadReachable, PayloadCode: "403", VarFreeMB: 9000}
	}
	tests := []struct {
		name     string
		node     func(*fleet.Node)
		report   []func(*documents.ProbeReport)
		rules    string
		check    CheckID
		want     Status
		fixable  bool
		inReason string
	}{
		// The headline case: AL2 behind a proxy, python3 has no requests
		// but the patch run uses python2.7, whose requests is 2.6.0.
		{name: "al2 proxied old requests in python2.7", report: []func(*documents.ProbeReport){proxied},
			check: CheckRequests, want: StatusFail, fixable: true, inReason: "requests 2.6.0 in python2.7"},
		{name: "al2 proxied current requests", report: []func(*documents.ProbeReport){proxied, func(r *documents.ProbeReport) { r.RequestsVersion = "2.32.3" }},
			check: CheckRequests, want: StatusPass},
		{name: "al2 proxied no requests", report: []func(*documents.ProbeReport){proxied, func(r *documents.ProbeReport) { r.RequestsVersion = "" }},
			check: CheckRequests, want: StatusFail, fixable: true, inReason: "python2.7, the patch run's interpreter, cannot import requests"},
		{name: "al2 direct old requests", check: CheckRequests, want: StatusPass, inReason: "not behind a proxy"},
		{name: "requests unreadable", report: []func(*documents.ProbeReport){proxied, func(r *documents.ProbeReport) { r.RequestsVersion = "abc!" }},
			check: CheckRequests, want: StatusUnknown},
		{name: "requests only on amazon linux", node: ubuntu, report: []func(*documents.ProbeReport){proxied}, check: CheckRequests, want: StatusNA},

		{name: "al2 python ok", check: CheckPatchPython, want: StatusPass, inReason: "python2.7 (Python 2.7.18) through yum"},
		{name: "no which", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) { r.Which, r.Python, r.PackageManager = false, "", "" }},
			check: CheckPatchPython, want: StatusFail, fixable: true, inReason: "`which` is not installed"},
		{name: "yum cannot be imported", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) {
			r.Python, r.PackageManager, r.PythonError = "", "", "Unable to import yum module, please check version compatibility between Yum and Python"
		}}, check: CheckPatchPython, want: StatusFail, fixable: false, inReason: "Unable to import yum module"},
		{name: "ubuntu without python3", node: ubuntu, report: []func(*documents.ProbeReport){aptNoPython},
			check: CheckPatchPython, want: StatusFail, fixable: true, inReason: "Apt requires Python3"},
		{name: "ubuntu without python3-apt", node: ubuntu, report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) {
			r.PackageManagers, r.PackageManager, r.Python, r.PythonVersion, r.PackageModule = "apt", "apt", "python3", "3.10.12", documents.ModuleMissing
		}}, check: CheckPatchPython, want: StatusFail, fixable: true, inReason: "cannot import apt (package python3-apt)"},
		{name: "python 3.13 under aws-current", node: ubuntu, rules: "aws-current", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) {
			r.PackageManagers, r.PackageManager, r.Python, r.PythonVersion = "apt", "apt", "python3", "3.13.1"
		}}, check: CheckPatchPython, want: StatusFail, fixable: false, inReason: "newer than the Python 2.6–3.12"},
		{name: "python 3.13 under seed", node: ubuntu, report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) {
			r.PackageManagers, r.PackageManager, r.Python, r.PythonVersion = "apt", "apt", "python3", "3.13.1"
		}}, check: CheckPatchPython, want: StatusPass},
		{name: "python 2 on debian under aws-current", rules: "aws-current", node: func(n *fleet.Node) { n.PlatformName, n.PlatformVersion = "Debian GNU/Linux", "12" },
			report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) { r.PackageManagers, r.PackageManager = "apt,dnf", "dnf" }},
			check:  CheckPatchPython, want: StatusFail, fixable: true, inReason: "needs Python 3 on Debian GNU/Linux"},
		{name: "python too old", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) { r.PythonVersion = "2.4.3" }},
			check: CheckPatchPython, want: StatusFail, fixable: false, inReason: "older than the Python 2.6"},

		{name: "curl", check: CheckDownloader, want: StatusPass},
		{name: "no curl or wget", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) {
			r.Downloader, r.Payload, r.PayloadCode = "", documents.PayloadUntested, ""
		}},
			check: CheckDownloader, want: StatusFail, fixable: true, inReason: "Unable to download payload"},
		{name: "payload untested without downloader", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) {
			r.Downloader, r.Payload, r.PayloadCode = "", documents.PayloadUntested, ""
		}},
			check: CheckPayload, want: StatusSkipped, inReason: "after install-curl"},
		{name: "payload blocked", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) { r.Payload, r.PayloadCode = documents.PayloadUnreachable, "curl:28" }},
			check: CheckPayload, want: StatusFail, inReason: "curl exit 28: timed out"},
		{name: "payload through proxy", report: []func(*documents.ProbeReport){proxied}, check: CheckPayload, want: StatusPass, inReason: "through the running agent's proxy (HTTP 403)"},
		{name: "payload no region", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) { r.Payload, r.PayloadCode = documents.PayloadUntested, "" }},
			check: CheckPayload, want: StatusUnknown, inReason: "AWS_SSM_REGION_NAME"},
		{name: "noexec", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) { r.WorkdirNoexec = true }},
			check: CheckWorkdirExec, want: StatusFail, inReason: "exit 126"},
		{name: "var low", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) { r.VarFreeMB = 120 }},
			check: CheckVarSpace, want: StatusFail, inReason: "less than 500 MiB"},
		{name: "var unknown", report: []func(*documents.ProbeReport){func(r *documents.ProbeReport) { r.VarFreeMB = -1 }}, check: CheckVarSpace, want: StatusUnknown},
		{name: "no_proxy without imds", report: []func(*documents.ProbeReport){proxied, func(r *documents.ProbeReport) { r.NoProxyHasIMDS = false }},
			check: CheckNoProxyIMDS, want: StatusFail, inReason: "169.254.169.254"},
		{name: "https proxy", report: []func(*documents.ProbeReport){proxied, func(r *documents.ProbeReport) { r.ProxyScheme = "https" }},
			check: CheckProxyScheme, want: StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := al2("3.3.1142.0", probe(tt.report...))
			if tt.node != nil {
				tt.node(&n)
			}
			rules := Default()
			if tt.rules != "" {
				rules, _ = Builtin(tt.rules)
			}
			got := result(t, EvaluateNode(n, rules), tt.check)
			if got.Status != tt.want {
				t.Fatalf("%s = %s (%s), want %s", tt.check, got.Status, got.Reason, tt.want)
			}
			if tt.inReason != "" && !strings.Contains(got.Reason, tt.inReason) {
				t.Fatalf("reason %q does not say %q", got.Reason, tt.inReason)
			}
			c, _ := Lookup(tt.check)
			if k, _ := c.Consequence(got); tt.want == StatusFail && c.OnFail == Fix && (k == Fix) != tt.fixable {
				t.Fatalf("consequence %v, want fixable=%v (unfixable=%v)", k, tt.fixable, got.Unfixable)
			}
		})
	}
}

// TestProbeCheckSaysWhyOnce checks that a node without a readable report
// has the probe check say why, and every patch-run check skipped.
func TestProbeCheckSaysWhyOnce(t *testing.T) {
	for _, tt := range []struct {
		name  string
		probe *fleet.ProbeFacts
		want  Status
	}{
		{"failed", &fleet.ProbeFacts{Status: fleet.ProbeFailed, Reason: "probe not delivered"}, StatusFail},
		{"turned off", &fleet.ProbeFacts{Status: fleet.ProbeSkipped}, StatusSkipped},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := EvaluateNode(al2("3.3.1142.0", tt.probe), Default())
			if got := result(t, ev, CheckProbe); got.Status != tt.want {
				t.Fatalf("probe check = %s", got.Status)
			}
			for _, id := range []CheckID{CheckPatchPython, CheckRequests, CheckDownloader, CheckPayload, CheckWorkdirExec, CheckVarSpace} {
				if got := result(t, ev, id); got.Status != StatusSkipped {
					t.Fatalf("%s = %s, want skipped", id, got.Status)
				}
			}
		})
	}
	win := al2("3.3.1142.0", nil)
	win.PlatformType = fleet.PlatformWindows
	if got := result(t, EvaluateNode(win, Default()), CheckPatchPython); got.Status != StatusNA {
		t.Fatalf("patch-python on Windows = %s, want na", got.Status)
	}
}

func TestEvaluateRunsEveryCheckInOrder(t *testing.T) {
	ev := EvaluateNode(al2("3.3.1142.0", probe()), Default())
	if len(ev.Checks) != len(Checks()) {
		t.Fatalf("%d results for %d checks", len(ev.Checks), len(Checks()))
	}
	for i, c := range Checks() {
		if ev.Checks[i].Check != c.ID || ev.Checks[i].Reason == "" {
			t.Fatalf("result %d = %+v, want check %s with a reason", i, ev.Checks[i], c.ID)
		}
	}
}

// corpus is a spread of nodes over every fact that a check reads.
func corpus() []fleet.Node {
	var nodes []fleet.Node
	probes := []*fleet.ProbeFacts{
		nil,
		probe(),
		probe(func(r *documents.ProbeReport) { r.Proxied, r.ProxyScheme = true, "https" }),
		probe(func(r *documents.ProbeReport) { r.Proxied, r.NoProxyHasIMDS, r.RequestsVersion = true, true, "2.31.0" }),
		probe(func(r *documents.ProbeReport) { r.Proxied, r.RequestsVersion = true, "" }),
		probe(func(r *documents.ProbeReport) { r.Python, r.PythonError = "", "Unable to import yum module" }),
		probe(func(r *documents.ProbeReport) { r.Which = false }),
		probe(func(r *documents.ProbeReport) { r.Downloader, r.Payload = "", documents.PayloadUntested }),
		probe(func(r *documents.ProbeReport) { r.Payload, r.PayloadCode = documents.PayloadUnreachable, "curl:7" }),
		probe(overrideOnly(documents.PayloadReachable)),
		probe(overrideOnly(documents.PayloadUnreachable)),
		probe(overrideOnly(documents.PayloadUntested), func(r *documents.ProbeReport) { r.Downloader = "" }),
		probe(func(r *documents.ProbeReport) { r.Proxied, r.ProxySource, r.ProxyScheme = true, "process", "http" },
			overrideOnly(documents.PayloadUnreachable), func(r *documents.ProbeReport) {
				r.Payload, r.PayloadCode, r.PendingProxyScheme, r.PendingNoProxyHasIMDS = documents.PayloadReachable, "403", "https", false
			}),
		probe(func(r *documents.ProbeReport) { r.WorkdirNoexec, r.VarFreeMB = true, 10 }),
		probe(func(r *documents.ProbeReport) {
			r.PackageManager, r.PythonVersion, r.PackageModule = "apt", "3.13.0", documents.ModuleMissing
		}),
		{Status: fleet.ProbeFailed, Reason: "timed out"},
		{Status: fleet.ProbeSkipped},
	}
	for _, ping := range []string{fleet.PingOnline, fleet.PingConnectionLost, ""} {
		for _, agent := range []string{"2.0.700.0", "3.3.1142.0", "garbage", ""} {
			for _, os := range [][3]string{{fleet.PlatformLinux, "Amazon Linux", "2"}, {fleet.PlatformLinux, "Ubuntu", "22.04"},
				{fleet.PlatformLinux, "Ubuntu", "x.y"}, {fleet.PlatformWindows, "Microsoft Windows Server 2022 Datacenter", "10.0.20348"}} {
				for _, pr := range probes {
					for _, latest := range []bool{true, false} {
						nodes = append(nodes, fleet.Node{
							InstanceID: "i-" + ping + agent + os[1], PingStatus: ping, AgentVersion: agent, IsLatestVersion: latest,
							PlatformType: os[0], PlatformName: os[1], PlatformVersion: os[2], Probe: pr,
						})
					}
				}
			}
		}
	}
	return nodes
}

// TestEvaluateMemoMatchesEachNode checks that nodes evaluated together,
// sharing memoized results, get exactly what each would get alone, under
// both built-in rule sets. Every check runs on every node of the corpus,
// so a check reading a fact it did not declare panics here.
func TestEvaluateMemoMatchesEachNode(t *testing.T) {
	nodes := corpus()
	for _, name := range RuleSets() {
		r, _ := Builtin(name)
		got := Evaluate(nodes, r)
		for i, n := range nodes {
			if want := EvaluateNode(n, r); !reflect.DeepEqual(got[i], want) {
				t.Fatalf("%s: node %d (%+v):\n together %+v\n alone    %+v", name, i, n, got[i], want)
			}
		}
	}
}

func TestRegistry(t *testing.T) {
	for _, c := range Checks() {
		if (c.OnFail == Block || c.OnUnknown == Block) && c.Heading == "" {
			t.Errorf("check %s can block but has no heading for the plan's group", c.ID)
		}
		if c.OnFail == Fix && (c.Fix == nil || c.Fix.Doing == "") {
			t.Errorf("check %s fixes but its action says nothing", c.ID)
		}
	}
	acts := Actions()
	if len(acts) == 0 || acts[0].Kind != UpdateAgent {
		t.Fatalf("actions %+v: update-agent must come first", acts)
	}
	for _, a := range acts[1:] {
		if a.FixStep == "" {
			t.Errorf("action %s is neither update-agent nor a fix step", a.Kind)
		}
	}
	deciding := DecidingFacts()
	for _, noteOnly := range []string{"var_free_mb", "is_latest_version", "no_proxy_has_imds", "proxy_scheme", "pending_no_proxy_has_imds", "pending_proxy_scheme"} {
		for _, f := range deciding {
			if f == noteOnly {
				t.Errorf("fact %s only feeds notes but is in the fingerprint", f)
			}
		}
	}
	for _, must := range []string{"agent_version", "ping_status", "python", "requests_version", "downloader", "payload", "workdir_noexec",
		"proxy_pending", "payload_after_restart"} {
		found := false
		for _, f := range deciding {
			found = found || f == must
		}
		if !found {
			t.Errorf("fact %s decides actions but is not in the fingerprint", must)
		}
	}
}

func TestUndeclaredFactPanics(t *testing.T) {
	c := Check{ID: "bad", Facts: []string{"ping_status"}, Eval: func(f Facts, _ *Rules) CheckResult {
		return CheckResult{Status: StatusPass, Reason: f.Get("agent_version")}
	}}
	defer func() {
		if recover() == nil {
			t.Fatal("reading an undeclared fact did not panic")
		}
	}()
	n := al2("3.3.1142.0", nil)
	c.run(&n, &Rules{})
}

// A noexec work directory stops the probe itself (exit 126): the node is
// blocked by workdir-exec, under its own heading, not by a generic probe
// failure.
func TestNoexecStopsTheProbe(t *testing.T) {
	ev := EvaluateNode(al2("3.3.1142.0", &fleet.ProbeFacts{Status: fleet.ProbeFailed, Reason: fleet.ReasonWorkdirNoexec}), Default())
	if got := result(t, ev, CheckWorkdirExec); got.Status != StatusFail || !strings.Contains(got.Reason, "mounted noexec") {
		t.Errorf("workdir-exec = %s (%s), want fail", got.Status, got.Reason)
	}
	if got := result(t, ev, CheckProbe); got.Status != StatusNA {
		t.Errorf("probe = %s (%s), want na: workdir-exec says it", got.Status, got.Reason)
	}
	if got := result(t, EvaluateNode(al2("3.3.1142.0", &fleet.ProbeFacts{Status: fleet.ProbeFailed, Reason: "timed out"}), Default()), CheckWorkdirExec); got.Status != StatusSkipped {
		t.Errorf("workdir-exec after another probe failure = %s, want skipped", got.Status)
	}
}
