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
	Ensures:   "behind a proxy, no_proxy exempts the instance metadata service (169.254.169.254), whose answers the agent needs",
	NotFixed:  "a warning only: the agent's proxy settings are the owner's configuration",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts:     []string{"proxied", "no_proxy_has_imds"},
	Eval: func(f Facts, _ *Rules) CheckResult {
		switch {
		case !f.Bool("proxied"):
			return CheckResult{Status: StatusNA, Reason: "not behind a proxy"}
		case !f.Bool("no_proxy_has_imds"):
			return CheckResult{Status: StatusFail, Reason: NoteNoProxyIMDS}
		}
		return CheckResult{Status: StatusPass, Reason: "no_proxy exempts the instance metadata service"}
	},
	OnFail: Warn,
}

var proxySchemeCheck = Check{
	ID:        CheckProxyScheme,
	Ensures:   "the proxy URL the agent uses is http://, the scheme a plain HTTP proxy speaks",
	NotFixed:  "a warning only: the agent's proxy settings are the owner's configuration",
	AppliesTo: Applicability{PlatformTypes: []string{"Linux"}, Probe: true},
	Facts:     []string{"proxied", "proxy_scheme"},
	Eval: func(f Facts, _ *Rules) CheckResult {
		switch {
		case !f.Bool("proxied"):
			return CheckResult{Status: StatusNA, Reason: "not behind a proxy"}
		case strings.EqualFold(f.Get("proxy_scheme"), "https"):
			return CheckResult{Status: StatusFail, Reason: NoteHTTPSProxy}
		}
		return CheckResult{Status: StatusPass, Reason: "the proxy URL uses http://"}
	},
	OnFail: Warn,
}
