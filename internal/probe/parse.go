package probe

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/patchready/patchready/documents"
)

// Limits on what Parse accepts. The probe prints one line of about 600
// bytes; anything much larger is not the probe's report.
const (
	maxReportLine = 4 << 10
	maxPathLen    = 1024
	// ReportSchema is the report schema this package understands.
	ReportSchema = documents.ProbeReportSchema
)

var (
	// versionPattern accepts release versions ("2.18.4", "2.7.18") with an
	// optional pre-release or local suffix ("2.32.0rc1", "2.6.0+amzn1").
	versionPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,3}([a-z0-9.+-]*)$`)
	// requestsVersionPattern is kept under its old name for the fuzz test.
	requestsVersionPattern = versionPattern
	// managersPattern is a comma-separated list of package managers.
	managersPattern = regexp.MustCompile(`^((apt|yum|dnf|zypper)(,(apt|yum|dnf|zypper)){0,3})?$`)
	// pythonPattern is the command names the patch run looks up.
	pythonPattern = regexp.MustCompile(`^(|python|python3|python2|python2\.[67]|python2[67])$`)
	// payloadCodePattern is an HTTP status or a tool and its exit code.
	payloadCodePattern = regexp.MustCompile(`^(|[0-9]{3}|(curl|wget):[0-9]{1,3})$`)
	// errorTextPattern is the patch run's own error sentences: words and
	// punctuation, no URL-ish characters.
	errorTextPattern = regexp.MustCompile(`^[A-Za-z0-9 ,.()'=_-]{0,400}$`)
)

// ErrNoReport means the output holds no line that is a probe report.
var ErrNoReport = errors.New("no probe report in output")

// ErrOldSchema means the node ran a probe document older than this
// patchready: the account's document is stale. Parse wraps it with the
// schema the node printed.
var ErrOldSchema = errors.New("the node ran an older probe document; let patchready update patchready-Probe (it does so on plan unless the document is pinned)")

// Parse finds the probe's report in a step's output and checks it. The
// output may hold other lines (warnings from the shell, an appended stderr
// section): the report is the last line that is a JSON object with a
// "schema" key. That line must then pass every check; an earlier line is
// never taken instead, because the last report describes the node as it is.
func Parse(output string) (documents.ProbeReport, error) {
	lines := strings.Split(output, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if len(line) > maxReportLine || !strings.HasPrefix(line, "{") || !strings.HasSuffix(line, "}") {
			continue
		}
		var head struct {
			Schema *int   `json:"schema"`
			Kind   string `json:"kind"`
		}
		if json.Unmarshal([]byte(line), &head) != nil || head.Schema == nil || head.Kind != "" {
			// Lines with a kind are other documents' reports (the fix
			// report precedes the read-back probe report).
			continue
		}
		switch n := *head.Schema; {
		case n == ReportSchema:
		case n >= 1 && n < ReportSchema:
			// Schema 2 tested the payload through the first proxy it
			// found, the override's included, which is not the patch
			// run's way while the agent has not restarted: its word is
			// not taken.
			return documents.ProbeReport{}, fmt.Errorf("report schema %d: %w", n, ErrOldSchema)
		default:
			return documents.ProbeReport{}, fmt.Errorf("probe report schema %d: want %d", n, ReportSchema)
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		var r documents.ProbeReport
		if err := dec.Decode(&r); err != nil {
			return documents.ProbeReport{}, errors.New("probe report: not the expected shape")
		}
		if err := check(r); err != nil {
			return documents.ProbeReport{}, fmt.Errorf("probe report: %w", err)
		}
		return r, nil
	}
	return documents.ProbeReport{}, ErrNoReport
}

// check rejects values the probe cannot have printed. Error messages never
// quote the rejected value: it may be exactly the secret we refuse to
// carry. The proxy scheme is the field a careless copy of the document would
// fill with the URL; a URL may carry user:password, so anything but a bare
// scheme is refused.
func check(r documents.ProbeReport) error {
	for _, f := range []struct{ name, v string }{{"proxy_scheme", r.ProxyScheme}, {"pending_proxy_scheme", r.PendingProxyScheme}} {
		switch f.v {
		case "", "http", "https":
		default:
			return fmt.Errorf("%s is not http or https", f.name)
		}
	}
	switch {
	case r.ProxySource != "" && r.ProxySource != "process":
		return errors.New("proxy_source is not a source name")
	case r.Proxied != (r.ProxySource != "") || r.Proxied != (r.ProxyScheme != ""):
		return errors.New("proxied, proxy_source and proxy_scheme disagree")
	}
	if err := checkPending(r); err != nil {
		return err
	}
	if !managersPattern.MatchString(r.PackageManagers) {
		return errors.New("package_managers is not a list of apt, yum, dnf, zypper")
	}
	switch r.PackageManager {
	case "", "apt", "yum", "dnf", "zypper":
	default:
		return errors.New("package_manager is not apt, yum, dnf or zypper")
	}
	if !pythonPattern.MatchString(r.Python) {
		return errors.New("python is not a command the patch run looks up")
	}
	for _, v := range []struct{ name, v string }{{"python_version", r.PythonVersion}, {"requests_version", r.RequestsVersion}} {
		if v.v != "" && !versionPattern.MatchString(v.v) {
			return fmt.Errorf("%s is not a version", v.name)
		}
	}
	if !errorTextPattern.MatchString(r.PythonError) {
		return errors.New("python_error is not the patch run's error text")
	}
	if r.Python != "" && r.PythonError != "" {
		return errors.New("python and python_error are both set")
	}
	switch r.PackageModule {
	case documents.ModuleOK, documents.ModuleMissing, documents.ModuleNA:
	default:
		return errors.New("package_module is not ok, missing or na")
	}
	switch r.Pip {
	case documents.PipOK, documents.PipMissing:
	default:
		return errors.New("pip is not ok or missing")
	}
	switch r.Downloader {
	case "", "curl", "wget":
	default:
		return errors.New("downloader is not curl or wget")
	}
	switch r.Payload {
	case documents.PayloadReachable, documents.PayloadUnreachable, documents.PayloadUntested:
	default:
		return errors.New("payload is not reachable, unreachable or untested")
	}
	for _, c := range []struct{ name, v string }{{"payload_code", r.PayloadCode}, {"payload_after_restart_code", r.PayloadAfterRestartCode}} {
		if !payloadCodePattern.MatchString(c.v) {
			return fmt.Errorf("%s is not an HTTP status or a tool's exit code", c.name)
		}
	}
	if r.VarFreeMB < -1 {
		return errors.New("var_free_mb is below -1")
	}
	if err := checkPath(r.PythonPath); err != nil {
		return fmt.Errorf("python_path: %w", err)
	}
	return nil
}

// checkPending checks the fields about a proxy the running agent has not
// loaded: all set when it is pending, all empty when not.
func checkPending(r documents.ProbeReport) error {
	if !r.ProxyPending {
		if r.PendingProxySource != "" || r.PendingProxyScheme != "" || r.PendingNoProxyHasIMDS ||
			r.PayloadAfterRestart != "" || r.PayloadAfterRestartCode != "" {
			return errors.New("pending proxy fields set without proxy_pending")
		}
		return nil
	}
	switch r.PendingProxySource {
	case "systemd-override", "upstart-override":
	default:
		return errors.New("pending_proxy_source is not systemd-override or upstart-override")
	}
	if r.PendingProxyScheme == "" {
		return errors.New("proxy_pending without a pending_proxy_scheme")
	}
	switch r.PayloadAfterRestart {
	case documents.PayloadReachable, documents.PayloadUnreachable, documents.PayloadUntested:
	default:
		return errors.New("payload_after_restart is not reachable, unreachable or untested")
	}
	return nil
}

// checkPath accepts "" or an absolute path of printable characters.
func checkPath(p string) error {
	switch {
	case p == "":
		return nil
	case len(p) > maxPathLen:
		return fmt.Errorf("path longer than %d bytes", maxPathLen)
	case !utf8.ValidString(p):
		return errors.New("path is not valid UTF-8")
	case !strings.HasPrefix(p, "/"):
		return errors.New("path is not absolute")
	case strings.ContainsFunc(p, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }):
		return errors.New("path holds control characters")
	case strings.Contains(p, "://") || strings.Contains(p, "@"):
		// A path with a scheme or a user@ part is a URL that went into the
		// wrong field; it might carry credentials.
		return errors.New("path looks like a URL")
	}
	return nil
}
