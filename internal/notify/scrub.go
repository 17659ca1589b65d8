package notify

import (
	"regexp"
	"strings"
)

var (
	// anyURL matches a URL of any scheme: a proxy URL in an error or a
	// reason may carry a password, and a message never needs a URL.
	anyURL = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>]+`)
	// userinfo matches user:password@host left without a scheme.
	userinfo = regexp.MustCompile(`[^\s/:@"'<>]+:[^\s/@"'<>]+@[^\s"'<>]+`)
	// secretish matches key=value pairs whose key names a secret.
	secretish = regexp.MustCompile(`(?i)\b(password|passwd|secret|token|aws_secret_access_key|aws_session_token|authorization)\s*[=:]\s*[^\s,;)]+`)
)

// maxText caps a message: Slack cuts a section at 3,000 characters and
// SNS takes 256 KB, but a notification that long is not read.
const maxText = 2800

// scrub removes what a message must never carry, and cuts it to a
// readable length.
func scrub(s string) string {
	s = anyURL.ReplaceAllString(s, "[url removed]")
	s = userinfo.ReplaceAllString(s, "[credentials removed]")
	s = secretish.ReplaceAllString(s, "$1=[removed]")
	s = strings.ToValidUTF8(s, "\uFFFD")
	if r := []rune(s); len(r) > maxText {
		s = string(r[:maxText]) + "…"
	}
	return s
}
