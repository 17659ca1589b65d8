package scripttest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/ssmsim/host"
	"github.com/patchready/patchready/internal/ssmsim/nodeshell"
)

// The proxy every proxied case uses. It carries credentials, which must
// never appear in anything a script prints.
const (
	proxyURL      = "http://patchuser:s3cr3tpw@proxy.corp.example:3128"
	proxyPassword = "s3cr3tpw"
	// otherProxyURL is a second proxy, written in a service override since
	// the agent started with the first.
	otherProxyURL      = "http://otheruser:0th3rpw@proxy2.corp.example:8080"
	otherProxyPassword = "0th3rpw"
)

func proxied(source string) *host.Proxy {
	return &host.Proxy{URL: proxyURL, NoProxy: "169.254.169.254,localhost", Source: source}
}

// scriptCase is one node: what the probe must say, and, when fix is set,
// what the fix document must do and what the probe says afterwards.
type scriptCase struct {
	name  string
	spec  host.Spec
	probe fields
	// checks, when set, are the outcomes the prerequisite checks must
	// give the probe's report (plan's own evaluation, default rules).
	checks map[prereq.CheckID]prereq.Status
	// fix is the actions parameter; "" runs no fix.
	fix   string
	steps map[string]bool // step name → ok
	// stepDetail, when set, must appear in the detail of the named step.
	stepDetail map[string]string
	after      fields
	fixCode    int
	// min is the minRequests parameter; its default when empty.
	min string
	// exact, when set, is the whole probe report line.
	exact string
}

// al2Headline is the whole report the probe prints on the headline node:
// its proxy is only in a systemd override the running agent has not read,
// so the patch run goes direct, where the bucket does not answer; through
// the override's proxy, loaded at the agent's next restart, it does.
const al2Headline = `{"schema":3,"proxied":false,"proxy_source":"","proxy_scheme":"","no_proxy_has_imds":false,` +
	`"proxy_pending":true,"pending_proxy_source":"systemd-override","pending_proxy_scheme":"http","pending_no_proxy_has_imds":true,` +
	`"which":true,"package_managers":"yum","package_manager":"yum","python":"python2.7","python_path":"/usr/bin/python2.7",` +
	`"python_version":"2.7.18","python_error":"","package_module":"ok","requests_version":"2.6.0","pip":"missing",` +
	`"downloader":"curl","payload":"unreachable","payload_code":"curl:28","payload_after_restart":"reachable","payload_after_restart_code":"403",` +
	`"workdir_noexec":false,"var_free_mb":6144}`

var cases = []scriptCase{
	{
		name: "amazon linux 1",
		spec: host.Spec{Preset: host.AmazonLinux1},
		probe: fields{"package_managers": "yum", "package_manager": "yum", "python": "python2.7", "python_path": "/usr/bin/python2.7",
			"python_version": "2.7.18", "package_module": "ok", "requests_version": "2.6.0", "pip": "ok", "downloader": "curl",
			"payload": "reachable", "payload_code": "403", "proxied": false, "which": true},
		fix: "requests", steps: map[string]bool{"requests": true},
		after: fields{"python": "python2.7", "requests_version": "2.27.1", "package_module": "ok"},
	},
	{
		// The running agent has no proxy: the patch run goes direct and
		// cannot download its payload (exit 156). The override's proxy
		// reaches it, once the agent restarts. The fix's pip goes through
		// the override's proxy, the one the owner configured for the way
		// out; its read-back still describes the patch run's way.
		name: "amazon linux 1 proxy only in upstart override, payload only through it",
		spec: host.Spec{Preset: host.AmazonLinux1, Proxy: proxied("upstart-override"), Payload: host.Proxied, PyPI: host.Proxied},
		probe: fields{"proxied": false, "proxy_source": "", "proxy_scheme": "", "no_proxy_has_imds": false,
			"proxy_pending": true, "pending_proxy_source": "upstart-override", "pending_proxy_scheme": "http", "pending_no_proxy_has_imds": true,
			"payload": "unreachable", "payload_code": "curl:28", "payload_after_restart": "reachable", "payload_after_restart_code": "403"},
		checks: map[prereq.CheckID]prereq.Status{prereq.CheckPayload: prereq.StatusFail, prereq.CheckProxyPending: prereq.StatusPass,
			prereq.CheckRequests: prereq.StatusFail},
		fix: "requests", steps: map[string]bool{"requests": true},
		after: fields{"requests_version": "2.27.1", "proxied": false, "proxy_pending": true, "payload": "unreachable", "payload_after_restart": "reachable"},
	},
	{
		// The headline: the patch run uses python2.7 (it imports yum), not
		// python3, so it is python2.7's requests that must be upgraded,
		// and the proxy it is behind once the agent restarts counts.
		name: "amazon linux 2 python2 and python3, proxy only in a systemd override",
		spec: host.Spec{Preset: host.AmazonLinux2, Proxy: proxied("systemd-override"), Payload: host.Proxied, PyPI: host.Proxied, Repos: host.Proxied},
		probe: fields{"proxied": false, "proxy_pending": true, "pending_proxy_source": "systemd-override", "python": "python2.7", "python_path": "/usr/bin/python2.7",
			"requests_version": "2.6.0", "pip": "missing", "package_module": "ok", "payload": "unreachable", "payload_after_restart": "reachable"},
		checks: map[prereq.CheckID]prereq.Status{prereq.CheckPayload: prereq.StatusFail, prereq.CheckRequests: prereq.StatusFail},
		fix:    "requests", steps: map[string]bool{"requests": true},
		stepDetail: map[string]string{"requests": "installed python2-pip, requests 2.6.0 to 2.27.1 with /usr/bin/python2.7 -m pip"},
		after:      fields{"python": "python2.7", "requests_version": "2.27.1", "pip": "ok", "package_module": "ok", "proxy_pending": true},
		exact:      al2Headline,
	},
	{
		// The agent was restarted since the override was written: the
		// override's proxy is the running agent's, nothing is pending.
		name: "amazon linux 2 systemd override loaded by the running agent",
		spec: host.Spec{Preset: host.AmazonLinux2, Proxy: proxied("process"), OverrideProxy: proxied("systemd-override"),
			Payload: host.Proxied, PyPI: host.Proxied, Repos: host.Proxied},
		probe: fields{"proxied": true, "proxy_source": "process", "proxy_scheme": "http", "no_proxy_has_imds": true,
			"proxy_pending": false, "pending_proxy_source": "", "payload": "reachable", "payload_code": "403",
			"payload_after_restart": "", "payload_after_restart_code": ""},
		checks: map[prereq.CheckID]prereq.Status{prereq.CheckPayload: prereq.StatusPass, prereq.CheckProxyPending: prereq.StatusNA,
			prereq.CheckRequests: prereq.StatusFail},
	},
	{
		// The running agent's proxy works; the one written in the override
		// since, which the agent takes at its next restart, answers no one.
		name: "amazon linux 2 running agent's proxy works, the override's differs and is down",
		spec: host.Spec{Preset: host.AmazonLinux2, Proxy: proxied("process"),
			OverrideProxy: &host.Proxy{URL: otherProxyURL, NoProxy: "localhost", Source: "systemd-override", Down: true},
			Payload:       host.Proxied, PyPI: host.Proxied, Repos: host.Proxied},
		probe: fields{"proxied": true, "proxy_source": "process", "no_proxy_has_imds": true,
			"proxy_pending": true, "pending_proxy_source": "systemd-override", "pending_proxy_scheme": "http", "pending_no_proxy_has_imds": false,
			"payload": "reachable", "payload_code": "403", "payload_after_restart": "unreachable", "payload_after_restart_code": "curl:7"},
		checks: map[prereq.CheckID]prereq.Status{prereq.CheckPayload: prereq.StatusPass, prereq.CheckProxyPending: prereq.StatusFail,
			prereq.CheckNoProxyIMDS: prereq.StatusFail},
	},
	{
		// Direct works today; the override's proxy is down, so the patch
		// run fails from the agent's next restart on.
		name: "rhel 9 direct path, a dead proxy in the systemd override",
		spec: host.Spec{Preset: host.RHEL9, Proxy: &host.Proxy{URL: otherProxyURL, NoProxy: "169.254.169.254", Source: "systemd-override", Down: true}},
		probe: fields{"proxied": false, "proxy_pending": true, "payload": "reachable", "payload_code": "403",
			"payload_after_restart": "unreachable", "payload_after_restart_code": "curl:7"},
		checks: map[prereq.CheckID]prereq.Status{prereq.CheckPayload: prereq.StatusPass, prereq.CheckProxyPending: prereq.StatusFail,
			prereq.CheckRequests: prereq.StatusNA},
	},
	{
		name:   "amazon linux 2 payload blocked without the proxy it needs",
		spec:   host.Spec{Preset: host.AmazonLinux2, Payload: host.Proxied, BlockedBy: "timeout"},
		probe:  fields{"proxied": false, "proxy_pending": false, "payload": "unreachable", "payload_code": "curl:28", "payload_after_restart": ""},
		checks: map[prereq.CheckID]prereq.Status{prereq.CheckPayload: prereq.StatusFail, prereq.CheckProxyPending: prereq.StatusNA},
	},
	{
		name:  "amazon linux 2 pip not installable",
		spec:  host.Spec{Preset: host.AmazonLinux2, Unoffered: []string{"python2-pip"}},
		probe: fields{"python": "python2.7", "pip": "missing"},
		fix:   "requests", steps: map[string]bool{"requests": false}, fixCode: 1,
		stepDetail: map[string]string{"requests": "pip is missing for /usr/bin/python2.7 and yum could not install python27-pip python2-pip python-pip"},
		after:      fields{"requests_version": "2.6.0", "pip": "missing"},
	},
	{
		name: "amazon linux 2 yum module gone",
		spec: host.Spec{Preset: host.AmazonLinux2, Modules: map[string]map[string]string{"python2.7": {"yum": ""}}},
		probe: fields{"package_manager": "yum", "python": "",
			"python_error": "Unable to import yum module, please check version compatibility between Yum and Python", "package_module": "na"},
		fix: "python", steps: map[string]bool{"python": false}, fixCode: 1,
		stepDetail: map[string]string{"python": "Unable to import yum module"},
		after:      fields{"python": ""},
	},
	{
		name:  "amazon linux 2 pip upgrade breaks yum",
		spec:  host.Spec{Preset: host.AmazonLinux2, PipBreaksYum: true},
		probe: fields{"python": "python2.7", "package_module": "ok"},
		fix:   "requests", steps: map[string]bool{"requests": false}, fixCode: 1,
		stepDetail: map[string]string{"requests": "but yum no longer works"},
		after:      fields{"python": "", "python_error": "Unable to import yum module, please check version compatibility between Yum and Python"},
	},
	{
		name: "amazon linux 2 without which",
		spec: host.Spec{Preset: host.AmazonLinux2, Without: []string{"which"}},
		probe: fields{"which": false, "package_managers": "", "python": "", "downloader": "", "payload": "untested",
			"python_error": "An unsupported package manager and python version combination was found."},
		fix: "python", steps: map[string]bool{"python": true},
		stepDetail: map[string]string{"python": "installed which with yum"},
		after:      fields{"which": true, "python": "python2.7", "package_managers": "yum", "payload": "reachable"},
	},
	{
		name: "amazon linux 2023 no curl no wget",
		spec: host.Spec{Preset: host.AmazonLinux2023, Without: []string{"curl"}},
		probe: fields{"package_managers": "yum,dnf", "package_manager": "dnf", "python": "python3", "python_version": "3.9.16",
			"package_module": "ok", "requests_version": "2.25.1", "pip": "ok", "downloader": "", "payload": "untested", "payload_code": ""},
		fix: "curl", steps: map[string]bool{"curl": true},
		after: fields{"downloader": "curl", "payload": "reachable", "payload_code": "403"},
	},
	{
		name:   "amazon linux 2023 proxy in the agent process",
		spec:   host.Spec{Preset: host.AmazonLinux2023, Proxy: proxied("process"), Payload: host.Proxied},
		probe:  fields{"proxied": true, "proxy_source": "process", "proxy_pending": false, "payload": "reachable"},
		checks: map[prereq.CheckID]prereq.Status{prereq.CheckPayload: prereq.StatusPass, prereq.CheckRequests: prereq.StatusPass},
	},
	{
		name: "rhel 7 pip only in epel",
		spec: host.Spec{Preset: host.RHEL7},
		probe: fields{"package_manager": "yum", "python": "python2.7", "python_version": "2.7.5", "requests_version": "2.6.0",
			"pip": "missing", "downloader": "curl"},
		fix: "requests", steps: map[string]bool{"requests": false}, fixCode: 1,
		after: fields{"requests_version": "2.6.0"},
	},
	{
		name: "rhel 8 with python3",
		spec: host.Spec{Preset: host.RHEL8},
		probe: fields{"package_managers": "yum,dnf", "package_manager": "dnf", "python": "python3", "python_version": "3.6.8",
			"package_module": "ok", "requests_version": "2.20.0", "pip": "ok"},
	},
	{
		name: "rhel 8 minimal without python3",
		spec: host.Spec{Preset: host.RHEL8, Without: []string{"python3"}},
		probe: fields{"package_manager": "", "python": "", "package_module": "na", "requests_version": "", "pip": "missing",
			"python_error": "An unsupported package manager and python version combination was found. Dnf requires Python2 or Python3 to be installed."},
		fix: "python,requests", steps: map[string]bool{"python": true, "requests": true},
		stepDetail: map[string]string{"python": "installed python3 with dnf", "requests": "requests 2.20.0 already at least 2.18.4 for /usr/bin/python3"},
		after:      fields{"package_manager": "dnf", "python": "python3", "package_module": "ok", "requests_version": "2.20.0"},
	},
	{
		name: "rhel 9",
		spec: host.Spec{Preset: host.RHEL9},
		probe: fields{"package_manager": "dnf", "python": "python3", "python_version": "3.9.18", "package_module": "ok",
			"requests_version": "2.25.1", "pip": "missing"},
		fix: "requests", steps: map[string]bool{"requests": true},
		after: fields{"requests_version": "2.25.1", "pip": "missing"},
	},
	{
		name:  "rhel 9 requests older than asked, pip installable",
		spec:  host.Spec{Preset: host.RHEL9},
		min:   "2.28.0",
		probe: fields{"python": "python3", "requests_version": "2.25.1", "pip": "missing"},
		fix:   "requests", steps: map[string]bool{"requests": true},
		stepDetail: map[string]string{"requests": "installed python3-pip, requests 2.25.1 to 2.32.3 with /usr/bin/python3 -m pip"},
		after:      fields{"requests_version": "2.32.3", "pip": "ok"},
	},
	{
		name: "ubuntu 22.04",
		spec: host.Spec{Preset: host.Ubuntu2204},
		probe: fields{"package_managers": "apt", "package_manager": "apt", "python": "python3", "python_path": "/usr/bin/python3",
			"python_version": "3.10.12", "package_module": "ok", "requests_version": "2.25.1", "pip": "missing", "downloader": "curl", "payload": "reachable"},
	},
	{
		name: "ubuntu 22.04 without python3",
		spec: host.Spec{Preset: host.Ubuntu2204, Without: []string{"python3"}},
		probe: fields{"package_managers": "apt", "package_manager": "", "python": "",
			"python_error": "An unsupported package manager and python version combination was found. Apt requires Python3 to be installed."},
		fix: "python", steps: map[string]bool{"python": true},
		stepDetail: map[string]string{"python": "installed python3 python3-apt with apt-get"},
		after:      fields{"package_manager": "apt", "python": "python3", "package_module": "ok", "requests_version": ""},
	},
	{
		name:  "ubuntu 24.04 without python3-apt",
		spec:  host.Spec{Preset: host.Ubuntu2404, Without: []string{"python3-apt"}},
		probe: fields{"package_manager": "apt", "python": "python3", "python_version": "3.12.3", "package_module": "missing", "requests_version": "2.31.0"},
		fix:   "python", steps: map[string]bool{"python": true},
		after: fields{"package_module": "ok"},
	},
	{
		name:  "ubuntu 24.04 without python3, repositories unreachable",
		spec:  host.Spec{Preset: host.Ubuntu2404, Without: []string{"python3"}, Repos: host.Blocked},
		probe: fields{"python": ""},
		fix:   "python", steps: map[string]bool{"python": false}, fixCode: 1,
		stepDetail: map[string]string{"python": "apt-get could not install python3 python3-apt"},
		after:      fields{"python": ""},
	},
	{
		name:  "ubuntu 22.04 payload blocked, refused",
		spec:  host.Spec{Preset: host.Ubuntu2204, Payload: host.Blocked, BlockedBy: "refused"},
		probe: fields{"payload": "unreachable", "payload_code": "curl:7"},
	},
	{
		name: "debian 12",
		spec: host.Spec{Preset: host.Debian12},
		probe: fields{"package_manager": "apt", "python": "python3", "python_version": "3.11.2", "package_module": "ok",
			"requests_version": "2.28.1"},
	},
	{
		name: "sles 15",
		spec: host.Spec{Preset: host.SLES15},
		probe: fields{"package_managers": "zypper", "package_manager": "zypper", "python": "python3", "python_version": "3.6.15",
			"package_module": "na", "requests_version": "2.24.0", "pip": "missing"},
	},
	{
		name:  "sles 15 wget only, payload blocked by dns",
		spec:  host.Spec{Preset: host.SLES15, Without: []string{"curl"}, Payload: host.Blocked, BlockedBy: "dns"},
		probe: fields{"downloader": "wget", "payload": "unreachable", "payload_code": "wget:4"},
		fix:   "curl", steps: map[string]bool{"curl": true},
		after: fields{"downloader": "curl", "payload": "unreachable", "payload_code": "curl:6"},
	},
	{
		name:  "sles 15 wget only, payload reachable",
		spec:  host.Spec{Preset: host.SLES15, Without: []string{"curl"}},
		probe: fields{"downloader": "wget", "payload": "reachable", "payload_code": "403"},
	},
	{
		name:  "rocky 9 var low and workdir noexec by its mount table",
		spec:  host.Spec{Preset: host.Rocky9, VarFreeMB: 180, WorkdirNoexec: true},
		probe: fields{"var_free_mb": 180, "workdir_noexec": true, "python": "python3"},
	},
	{
		name: "alma 8 proxy with https scheme and no metadata exemption",
		spec: host.Spec{Preset: host.Alma8, Proxy: &host.Proxy{URL: "https://patchuser:s3cr3tpw@proxy.corp.example:3128", NoProxy: "localhost", Source: "systemd-override"}, Payload: host.Proxied},
		probe: fields{"proxied": false, "proxy_pending": true, "pending_proxy_scheme": "https", "pending_no_proxy_has_imds": false,
			"payload": "unreachable", "payload_after_restart": "reachable"},
		checks: map[prereq.CheckID]prereq.Status{prereq.CheckProxyScheme: prereq.StatusFail, prereq.CheckNoProxyIMDS: prereq.StatusFail},
	},
}

func TestScripts(t *testing.T) {
	needBwrap(t)
	probe := probeScript(t)
	for _, c := range cases {
		for _, shell := range shells {
			t.Run(c.name+"/"+shell, func(t *testing.T) {
				t.Parallel()
				n := newNode(t, c.spec)
				res := n.run(t, probe, runOpts{shell: shell})
				noSecrets(t, res)
				if res.code != 0 || len(lines(res.stdout)) != 1 {
					t.Fatalf("probe exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
				}
				if shell == shells[0] {
					sameInSimulator(t, n.h, probe, res)
				}
				rep, got := probeReport(t, res.stdout)
				checkFields(t, "probe", got, c.probe)
				checkChecks(t, n.h, rep, c.checks)
				if rep.ProxyPending && shell == shells[0] {
					sameAfterRestart(t, n.h, probe, rep)
				}
				// The simulator's Go summary of the node agrees with the
				// script on the interpreter the patch run uses.
				if cmd, _, _ := n.h.PatchPython(); cmd != got["python"] {
					t.Errorf("host.PatchPython() = %q, the probe says %q", cmd, got["python"])
				}
				if c.exact != "" && strings.TrimSpace(res.stdout) != c.exact {
					t.Errorf("probe printed\n%s\nwant\n%s", res.stdout, c.exact)
				}
				if c.fix == "" {
					return
				}
				res = n.run(t, fixScript(t, c.fix, c.min), runOpts{shell: shell})
				noSecrets(t, res)
				if shell == shells[0] {
					sameInSimulator(t, n.h, fixScript(t, c.fix, c.min), res)
				}
				out := lines(res.stdout)
				if res.code != c.fixCode || len(out) != 2 {
					t.Fatalf("fix exit %d (want %d), stdout %q, stderr %q", res.code, c.fixCode, res.stdout, res.stderr)
				}
				checkFix(t, out[0], c)
				_, after := probeReport(t, out[1])
				checkFields(t, "after fix", after, c.after)
			})
		}
	}
}

func checkFix(t *testing.T, line string, c scriptCase) {
	t.Helper()
	var rep documents.FixReport
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("fix report %q: %v", line, err)
	}
	if rep.Schema != documents.FixReportSchema || rep.Kind != "fix" {
		t.Errorf("fix report schema %d kind %q", rep.Schema, rep.Kind)
	}
	if len(rep.Steps) != len(c.steps) {
		t.Fatalf("fix ran %d steps, want %d: %s", len(rep.Steps), len(c.steps), line)
	}
	for _, s := range rep.Steps {
		want, ok := c.steps[s.Name]
		if !ok || s.OK != want {
			t.Errorf("step %s ok=%v (%s), want %v", s.Name, s.OK, s.Detail, want)
		}
		if d := c.stepDetail[s.Name]; d != "" && !strings.Contains(s.Detail, d) {
			t.Errorf("step %s detail %q, want it to contain %q", s.Name, s.Detail, d)
		}
	}
}

// sameInSimulator runs the script as the simulator does (nodeshell, on
// the host's tree in memory) and wants the very output and exit status
// the real shell gave.
func sameInSimulator(t *testing.T, h *host.Host, script string, real result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := nodeshell.Run(ctx, nodeshell.Options{Tree: h.Tree(), Script: script, Env: h.CommandEnv(testRegion, testInstance)})
	if err != nil {
		t.Fatal(err)
	}
	if sim.Stdout != real.stdout || sim.Code != real.code {
		t.Errorf("the simulator's run differs from the real one:\nsimulator exit %d\n%s\nstderr %s\nreal exit %d\n%s", sim.Code, sim.Stdout, sim.Stderr, real.code, real.stdout)
	}
}

// checkChecks evaluates a probe report as plan does (default rules), on a
// node of h's platform (the agent reports /etc/os-release's NAME and
// VERSION_ID) whose agent meets the floor, and wants the given outcomes.
func checkChecks(t *testing.T, h *host.Host, rep documents.ProbeReport, want map[prereq.CheckID]prereq.Status) {
	t.Helper()
	if len(want) == 0 {
		return
	}
	n := fleet.Node{InstanceID: testInstance, PingStatus: fleet.PingOnline, AgentVersion: "3.3.1142.0", IsLatestVersion: true,
		PlatformType: fleet.PlatformLinux, PlatformName: h.OS.Name, PlatformVersion: h.OS.VersionID,
		Probe: &fleet.ProbeFacts{Status: fleet.ProbeOK, ProbeReport: rep}}
	ev := prereq.EvaluateNode(n, prereq.Default())
	for id, st := range want {
		if got, ok := ev.Check(id); !ok || got.Status != st {
			t.Errorf("check %s = %s (%s), want %s", id, got.Status, got.Reason, st)
		}
	}
}

// sameAfterRestart holds the probe's test through the override's proxy to
// what the node shows once its agent has restarted and loaded it: the
// probe then run (in the restarted agent's environment, as the patch run
// is) finds the payload as the first one said it would, and nothing
// pending.
func sameAfterRestart(t *testing.T, h *host.Host, probe string, before documents.ProbeReport) {
	t.Helper()
	after := h.Restarted()
	if after == h {
		t.Fatal("a pending override, but restarting the agent changes nothing")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := nodeshell.Run(ctx, nodeshell.Options{Tree: after.Tree(), Script: probe, Env: after.CommandEnv(testRegion, testInstance)})
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := probeReport(t, res.Stdout)
	if rep.ProxyPending || rep.Payload != before.PayloadAfterRestart || rep.PayloadCode != before.PayloadAfterRestartCode ||
		rep.ProxyScheme != before.PendingProxyScheme || rep.NoProxyHasIMDS != before.PendingNoProxyHasIMDS {
		t.Errorf("after the restart the probe says pending=%v payload %s (%s) scheme %q imds %v; before it, it said %s (%s) scheme %q imds %v",
			rep.ProxyPending, rep.Payload, rep.PayloadCode, rep.ProxyScheme, rep.NoProxyHasIMDS,
			before.PayloadAfterRestart, before.PayloadAfterRestartCode, before.PendingProxyScheme, before.PendingNoProxyHasIMDS)
	}
}

// noSecrets fails when a run printed the proxy's credentials or URL.
func noSecrets(t *testing.T, res result) {
	t.Helper()
	for _, s := range []string{proxyPassword, "patchuser", "proxy.corp.example", otherProxyPassword, "otheruser", "proxy2.corp.example"} {
		if strings.Contains(res.stdout, s) || strings.Contains(res.stderr, s) {
			t.Errorf("output carries %q:\nstdout %s\nstderr %s", s, res.stdout, res.stderr)
		}
	}
}
