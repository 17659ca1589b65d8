package probe

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParse checks that Parse never panics and that whatever it accepts is
// safe to carry into a plan: no URL or credential in any field, no control
// characters, only the known schemes.
func FuzzParse(f *testing.F) {
	f.Add(goodLine)
	f.Add(pendingLine)
	f.Add("noise\n" + goodLine + "\n----------ERROR-------\nboom")
	f.Add(`{"schema":2,"proxy_scheme":"https://a:b@c"}`)
	f.Fuzz(func(t *testing.T, output string) {
		r, err := Parse(output)
		if err != nil {
			return
		}
		if r.Schema != ReportSchema {
			t.Fatalf("accepted schema %d", r.Schema)
		}
		for _, s := range []string{r.ProxyScheme, r.PendingProxyScheme} {
			switch s {
			case "", "http", "https":
			default:
				t.Fatalf("accepted proxy scheme %q", s)
			}
		}
		for _, v := range []string{r.ProxySource, r.ProxyScheme, r.Python, r.PythonPath, r.PythonVersion, r.PythonError,
			r.PackageManagers, r.PackageManager, r.PackageModule, r.RequestsVersion, r.Pip, r.Downloader, r.Payload, r.PayloadCode,
			r.PendingProxySource, r.PendingProxyScheme, r.PayloadAfterRestart, r.PayloadAfterRestartCode} {
			if strings.Contains(v, "://") || strings.Contains(v, "@") {
				t.Fatalf("accepted a URL-like value %q", v)
			}
			if strings.ContainsFunc(v, unicode.IsControl) {
				t.Fatalf("accepted a control character in %q", v)
			}
		}
		if r.RequestsVersion != "" && !requestsVersionPattern.MatchString(r.RequestsVersion) {
			t.Fatalf("accepted requests_version %q", r.RequestsVersion)
		}
	})
}
