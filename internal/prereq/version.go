package prereq

import (
	"fmt"
	"regexp"
	"strings"

	version "github.com/hashicorp/go-version"
)

// agentVersionPattern is the AgentVersion pattern from the SSM API model.
// go-version alone is too lenient (it takes "3", "v2.0" and "2.0.834.0-beta"),
// and an agent version we cannot read must never count as new enough.
var agentVersionPattern = regexp.MustCompile(`^[0-9]{1,6}(\.[0-9]{1,6}){2,3}$`)

// maxAgentVersionLen is the longest string the pattern can match (four
// six-digit parts and three dots). Anything longer is rejected before the
// regexp runs, so a hostile 10 MB version costs nothing.
const maxAgentVersionLen = 4*6 + 3

// maxLooseVersionLen caps other version strings (platform versions, requests
// versions) before they reach go-version, for the same reason.
const maxLooseVersionLen = 64

// parseAgentVersion parses an SSM Agent version, accepting only what the API
// pattern accepts.
func parseAgentVersion(s string) (*version.Version, bool) {
	if len(s) > maxAgentVersionLen || !agentVersionPattern.MatchString(s) {
		return nil, false
	}
	v, err := version.NewVersion(s)
	if err != nil {
		return nil, false
	}
	return v, true
}

// parseLooseVersion parses a platform or Python package version such as
// "2018.03", "7.9.2009" or "2.31.0".
func parseLooseVersion(s string) (*version.Version, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxLooseVersionLen {
		return nil, false
	}
	v, err := version.NewVersion(s)
	if err != nil {
		return nil, false
	}
	return v, true
}

// quoteShort quotes s for an error or reason, cut to a readable length so a
// huge or binary value cannot flood a terminal or a plan file.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return fmt.Sprintf("%q… (%d bytes)", s[:limit], len(s))
	}
	return fmt.Sprintf("%q", s)
}
