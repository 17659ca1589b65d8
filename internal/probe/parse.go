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

// Limits on what Parse accepts. The probe prints one line of about 250
// bytes; anything much larger is not the probe's report.
const (
	maxReportLine = 4 << 10
	maxPathLen    = 1024
	// ReportSchema is the report schema this package understands.
	ReportSchema = 1
)

var (
	// requestsVersionPattern accepts release versions ("2.18.4") with an
	// optional pre-release or local suffix ("2.32.0rc1", "2.6.0+amzn1").
	requestsVersionPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,3}([a-z0-9.+-]*)$`)
	// proxySourcePattern accepts the probe's source names and similar short
	// words, so a site's own copy of the document may add sources.
	proxySourcePattern = regexp.MustCompile(`^[a-z0-9-]{0,32}$`)
)

// ErrNoReport means the output holds no line that is a probe report.
var ErrNoReport = errors.New("no probe report in output")

// Parse finds the probe's report in a step's output and checks it. The
// output may hold other lines (warnings from the shell, an appended stderr
// section): the report is the last line that is a JSON object with
// "schema":1. That line must then pass every check; an earlier line is never
// taken instead, because the last report is the one that describes the node.
func Parse(output string) (documents.ProbeReport, error) {
	lines := strings.Split(output, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if len(line) > maxReportLine || !strings.HasPrefix(line, "{") || !strings.HasSuffix(line, "}") {
			continue
		}
		var head struct {
			Schema *int `json:"schema"`
		}
		if json.Unmarshal([]byte(line), &head) != nil || head.Schema == nil {
			continue
		}
		if *head.Schema != ReportSchema {
			return documents.ProbeReport{}, fmt.Errorf("probe report schema %d: want %d", *head.Schema, ReportSchema)
		}
		var r documents.ProbeReport
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return documents.ProbeReport{}, fmt.Errorf("probe report: %w", err)
		}
		if err := check(r); err != nil {
			return documents.ProbeReport{}, fmt.Errorf("probe report: %w", err)
		}
		return r, nil
	}
	return documents.ProbeReport{}, ErrNoReport
}

// check rejects values the probe cannot have printed. Error messages never
// quote the rejected value: it may be exactly the secret we refuse to carry. The proxy scheme is
// the field a careless copy of the document would fill with the URL; a URL
// may carry user:password, so anything but a bare scheme is refused.
func check(r documents.ProbeReport) error {
	switch r.ProxyScheme {
	case "", "http", "https":
	default:
		return errors.New("proxy_scheme is not http or https")
	}
	if !proxySourcePattern.MatchString(r.ProxySource) {
		return errors.New("proxy_source is not a source name")
	}
	if r.RequestsVersion != "" && !requestsVersionPattern.MatchString(r.RequestsVersion) {
		return errors.New("requests_version is not a version")
	}
	for _, p := range []struct{ name, v string }{{"python", r.Python}, {"pip", r.Pip}} {
		if err := checkPath(p.v); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
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
