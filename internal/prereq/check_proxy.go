package prereq

import "strings"

// The proxy checks only warn: each describes a setting that makes the
// agent's own calls fail, which the reviewer should fix by hand.
const (
	CheckNoProxyIMDS CheckID = "no-proxy-imds"
	CheckProxyScheme CheckID = "proxy-scheme"
)

// Proxy notes, exported so tests and views can recognise them.
const (
	NoteNoProxyIMDS = "no_proxy does not include 169.254.169.254: the agent's calls to the instance metadata service go through the proxy and can fail"
	NoteHTTPSProxy  = "the proxy URL uses https://: if the proxy itself speaks plain HTTP, TLS to it breaks; use an http:// proxy URL"
)

var noProxyIMDSCheck = Check{
	ID:        CheckNoProxyIMDS,
	Ensures:   "behind a proxy (the running agent's, or one its service override sets for its next restart), no_proxy exempts the instance metadata service (169.254.169.254), whose answers the agent needs",
	NotFixed:  "a warning only: the agent's proxy settings are the owner's configuration",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts:     []string{"proxied", "no_proxy_has_imds", "proxy_pending", "pending_proxy_source", "pending_no_proxy_has_imds"},
	Eval: func(f Facts, _ *Rules) CheckResult {
		return proxyWarning(f, func(f Facts) bool { return f.Bool("no_proxy_has_imds") }, func(f Facts) bool { return f.Bool("pending_no_proxy_has_imds") },
			NoteNoProxyIMDS, "no_proxy exempts the instance metadata service")
	},
	OnFail: Warn,
}

var proxySchemeCheck = Check{
	ID:        CheckProxyScheme,
	Ensures:   "the proxy URL the agent uses (now, or after its next restart) is http://, the scheme a plain HTTP proxy speaks",
	NotFixed:  "a warning only: the agent's proxy settings are the owner's configuration",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts:     []string{"proxied", "proxy_scheme", "proxy_pending", "pending_proxy_source", "pending_proxy_scheme"},
	Eval: func(f Facts, _ *Rules) CheckResult {
		return proxyWarning(f, func(f Facts) bool { return !strings.EqualFold(f.Get("proxy_scheme"), "https") },
			func(f Facts) bool { return !strings.EqualFold(f.Get("pending_proxy_scheme"), "https") },
			NoteHTTPSProxy, "the proxy URL uses http://")
	},
	OnFail: Warn,
}

// proxyWarning makes one proxy setting's check on the running agent's
// proxy, then on the one its service override sets for its next restart:
// a setting that breaks the agent's calls breaks them from that restart on.
func proxyWarning(f Facts, liveOK, pendingOK func(Facts) bool, note, passed string) CheckResult {
	live, pending := f.Bool("proxied"), f.Bool("proxy_pending")
	switch {
	case !live && !pending:
		return CheckResult{Status: StatusNA, Reason: "not behind a proxy"}
	case live && !liveOK(f):
		return CheckResult{Status: StatusFail, Reason: note}
	case pending && !pendingOK(f):
		return CheckResult{Status: StatusFail, Reason: "the proxy in the agent's " + overrideWords(f.Get("pending_proxy_source")) +
			", which it takes at its next restart: " + note}
	}
	return CheckResult{Status: StatusPass, Reason: passed}
}
