package prereq

import (
	"strings"
	"testing"

	"github.com/patchready/patchready/documents"
)

// overrideOnly edits a report into a node whose proxy is set only in its
// systemd override, which the running agent has not loaded: the probe's
// own test (the patch run's way today) went direct and found the bucket
// unreachable; the test through the override's proxy found after.
func overrideOnly(after string) func(*documents.ProbeReport) {
	return func(r *documents.ProbeReport) {
		r.Proxied, r.ProxySource, r.ProxyScheme, r.NoProxyHasIMDS = false, "", "", false
		r.ProxyPending, r.PendingProxySource, r.PendingProxyScheme, r.PendingNoProxyHasIMDS = true, "systemd-override", "http", true
		r.Payload, r.PayloadCode = documents.PayloadUnreachable, "curl:28"
		r.PayloadAfterRestart, r.PayloadAfterRestartCode = after, ""
		switch after {
		case documents.PayloadReachable:
			r.PayloadAfterRestartCode = "403"
		case documents.PayloadUnreachable:
			r.PayloadAfterRestartCode = "curl:7"
		}
	}
}

// TestProxyOverrideNotLoaded holds the checks to the way the patch run
// goes: in the running agent's environment, and after the agent's next
// restart, the way the service's override says.
func TestProxyOverrideNotLoaded(t *testing.T) {
	const (
		current = "3.1.1004.0" // meets the floor: nothing in the plan restarts the agent
		old     = "2.0.790.0"  // below the floor: the plan's agent update restarts it
	)
	direct := func(r *documents.ProbeReport) { r.Payload, r.PayloadCode = documents.PayloadReachable, "403" }
	liveProxy := func(r *documents.ProbeReport) { r.Proxied, r.ProxySource, r.ProxyScheme = true, "process", "http" }
	newRequests := func(r *documents.ProbeReport) { r.RequestsVersion = "2.27.1" }
	type outcome struct {
		status Status
		text   string // a fragment of the reason
	}
	tests := []struct {
		name    string
		agent   string
		report  []func(*documents.ProbeReport)
		want    map[CheckID]outcome
		verdict Consequence // the worst consequence among the checks: Block, Fix or Ignore
	}{
		{
			// 0011 of the sample fleet: the patch run goes direct and
			// fails with exit 156; the override's proxy would work once
			// loaded, and would then need requests 2.18.4.
			name: "override only, direct path blocked", agent: current,
			report: []func(*documents.ProbeReport){overrideOnly(documents.PayloadReachable)},
			want: map[CheckID]outcome{
				CheckPayload:      {StatusFail, "does not answer directly (curl exit 28: timed out): the patch run would fail with \"Unable to download payload\" (exit 156); " + ReasonOverrideNotLoaded + ": restart the agent (systemctl daemon-reload && systemctl restart amazon-ssm-agent) to load the proxy in its systemd override, then plan again"},
				CheckProxyPending: {StatusPass, "at its next restart (an agent update, a reboot); the payload bucket answers through it (HTTP 403)"},
				CheckRequests:     {StatusFail, "behind the proxy in its systemd override once the agent restarts with requests 2.6.0"},
			},
			verdict: Block,
		},
		{
			// The plan's agent update restarts the agent before anything
			// else runs: today's direct path is never the patch run's.
			name: "override only, agent update planned", agent: old,
			report: []func(*documents.ProbeReport){overrideOnly(documents.PayloadReachable)},
			want: map[CheckID]outcome{
				CheckPayload:      {StatusNA, "proxy-pending's to decide"},
				CheckProxyPending: {StatusPass, "when the agent update restarts it"},
				CheckRequests:     {StatusFail, "once the agent restarts"},
			},
			verdict: Fix,
		},
		{
			name: "override only, agent update planned, the override's proxy fails", agent: old,
			report: []func(*documents.ProbeReport){overrideOnly(documents.PayloadUnreachable), newRequests},
			want: map[CheckID]outcome{
				CheckPayload:      {StatusNA, ""},
				CheckProxyPending: {StatusFail, "when the agent update restarts it, and the payload bucket does not answer through it (curl exit 7: connection refused)"},
			},
			verdict: Block,
		},
		{
			// Works today, breaks at the next restart (a reboot after
			// patching, AWS's own agent update): blocked, not verified.
			name: "direct works, the override's proxy fails", agent: current,
			report: []func(*documents.ProbeReport){overrideOnly(documents.PayloadUnreachable), direct, newRequests},
			want: map[CheckID]outcome{
				CheckPayload:      {StatusPass, "answers directly"},
				CheckProxyPending: {StatusFail, "from then on the patch run would fail"},
				CheckRequests:     {StatusPass, "once the agent restarts with requests 2.27.1"},
			},
			verdict: Block,
		},
		{
			name: "live proxy and a different one in the override, both answer", agent: current,
			report: []func(*documents.ProbeReport){overrideOnly(documents.PayloadReachable), direct, liveProxy, newRequests},
			want: map[CheckID]outcome{
				CheckPayload:      {StatusPass, "through the running agent's proxy"},
				CheckProxyPending: {StatusPass, ""},
				CheckRequests:     {StatusPass, "behind a proxy with requests 2.27.1"},
			},
			verdict: Ignore,
		},
		{
			name: "live proxy fails, the override's differs", agent: current,
			report: []func(*documents.ProbeReport){overrideOnly(documents.PayloadReachable), liveProxy, newRequests},
			want: map[CheckID]outcome{
				CheckPayload: {StatusFail, "through the running agent's proxy (curl exit 28: timed out): the patch run would fail with \"Unable to download payload\" (exit 156); the different proxy in its systemd override is not loaded until the agent restarts: restart the agent"},
			},
			verdict: Block,
		},
		{
			name: "no curl: both tests wait for the read-back after install-curl", agent: current,
			report: []func(*documents.ProbeReport){overrideOnly(documents.PayloadUntested), newRequests, func(r *documents.ProbeReport) {
				r.Downloader, r.Payload, r.PayloadCode = "", documents.PayloadUntested, ""
			}},
			want: map[CheckID]outcome{
				CheckPayload:      {StatusSkipped, "after install-curl"},
				CheckProxyPending: {StatusSkipped, "after install-curl"},
			},
			verdict: Fix,
		},
		{
			name: "no override", agent: current, report: []func(*documents.ProbeReport){newRequests},
			want: map[CheckID]outcome{
				CheckProxyPending: {StatusNA, "no proxy in the agent's service override"},
				CheckRequests:     {StatusPass, "not behind a proxy, now or after the agent's next restart"},
			},
			verdict: Ignore,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := EvaluateNode(al2(tt.agent, probe(tt.report...)), Default())
			for id, w := range tt.want {
				got := result(t, ev, id)
				if got.Status != w.status || !strings.Contains(got.Reason, w.text) {
					t.Errorf("%s = %s %q, want %s with %q", id, got.Status, got.Reason, w.status, w.text)
				}
			}
			worst := Ignore
			for _, r := range ev.Checks {
				c, _ := Lookup(r.Check)
				switch k, _ := c.Consequence(r); {
				case k == Block:
					worst = Block
				case k == Fix && worst != Block:
					worst = Fix
				}
			}
			if worst != tt.verdict {
				t.Errorf("worst consequence %v, want %v: %+v", worst, tt.verdict, ev.Checks)
			}
		})
	}
}

// TestProxyWarningsCoverTheOverride: the proxy warnings speak of the proxy
// the agent takes at its next restart too, since its settings break the
// agent's calls from then on.
func TestProxyWarningsCoverTheOverride(t *testing.T) {
	ev := EvaluateNode(al2("3.1.1004.0", probe(overrideOnly(documents.PayloadReachable), func(r *documents.ProbeReport) {
		r.PendingProxyScheme, r.PendingNoProxyHasIMDS = "https", false
	})), Default())
	for id, want := range map[CheckID]string{
		CheckProxyScheme: "the proxy in the agent's systemd override, which it takes at its next restart: " + NoteHTTPSProxy,
		CheckNoProxyIMDS: "the proxy in the agent's systemd override, which it takes at its next restart: " + NoteNoProxyIMDS,
	} {
		if got := result(t, ev, id); got.Status != StatusFail || got.Reason != want {
			t.Errorf("%s = %s %q, want fail %q", id, got.Status, got.Reason, want)
		}
	}
	if got := result(t, EvaluateNode(al2("3.1.1004.0", probe()), Default()), CheckProxyScheme); got.Status != StatusNA {
		t.Errorf("proxy-scheme without any proxy = %s, want na", got.Status)
	}
}
