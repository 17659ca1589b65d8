package render

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/patchready/patchready/internal/plan"
)

// Format is an output format for the -o flag.
type Format string

// Output formats.
const (
	Text     Format = "text"
	JSON     Format = "json"
	Markdown Format = "markdown"
)

// Formats lists the accepted formats in the order help text shows them.
func Formats() []Format { return []Format{Text, JSON, Markdown} }

// ParseFormat parses an -o value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if s == string(f) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q: use text, json or markdown", s)
}

// Options adjust the human-readable formats; JSON ignores them.
type Options struct {
	// Verbose lists every node instead of collapsing long groups.
	Verbose bool
	// Color enables ANSI colours in text output. The caller decides (a
	// terminal, no --no-color, no NO_COLOR).
	Color bool
}

// collapseOver and collapseShow decide when a long list of nodes is cut:
// a group of more than collapseOver nodes shows only its first collapseShow.
const (
	collapseOver = 20
	collapseShow = 10
)

// Plan writes p to w in format f.
//
// The JSON format is exactly the saved plan file (plan.Save), checksum
// included, so `patchready plan -o json > f` can be read back by show and
// apply, and programs need to learn one document, not two.
func Plan(w io.Writer, p plan.Plan, f Format, opts Options) error {
	switch f {
	case JSON:
		return plan.Save(w, p)
	case Text:
		return write(w, planText(p, opts))
	case Markdown:
		return write(w, planMarkdown(p))
	default:
		return fmt.Errorf("unknown output format %q: use text, json or markdown", f)
	}
}

func write(w io.Writer, s string) error {
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// clean makes a string that may carry node-supplied text safe to print:
// control characters (including ESC) and invalid UTF-8 become U+FFFD.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return '\uFFFD'
		}
		return r
	}, s)
}

// short is clean for a single node-supplied field shown in a column, cut so
// that one odd value cannot push every other column off the screen.
func short(s string) string {
	const limit = 64
	s = clean(s)
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}

// platform names a node's OS, e.g. "Amazon Linux 2".
func platform(n plan.NodePlan) string {
	name := strings.TrimSpace(short(n.Node.PlatformName))
	v := strings.TrimSpace(short(n.Node.PlatformVersion))
	switch {
	case name == "":
		return "unknown OS"
	case v == "":
		return name
	}
	return name + " " + v
}

// agent shows a node's agent version, or says it is missing.
func agent(n plan.NodePlan) string {
	if n.Node.AgentVersion == "" {
		return "(none)"
	}
	return short(n.Node.AgentVersion)
}

// requests shows a proxied node's requests version.
func requests(n plan.NodePlan) string {
	if n.Node.Probe == nil || n.Node.Probe.RequestsVersion == "" {
		return "not installed"
	}
	return short(n.Node.Probe.RequestsVersion)
}

// plural returns "1 node" or "N nodes".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// summaryLine is the closing line of the text view and the heading of the
// Markdown view.
func summaryLine(p plan.Plan) string {
	s := p.Summary
	switch {
	case s.Nodes == 0:
		return "No changes. No managed nodes matched the selection."
	case s.Compliant == s.Nodes && s.Nodes == 1:
		return "No changes. The 1 selected node meets Patch Manager's prerequisites."
	case s.Compliant == s.Nodes:
		return fmt.Sprintf("No changes. All %d selected nodes meet Patch Manager's prerequisites.", s.Nodes)
	}
	return fmt.Sprintf("Plan: %d to update agent, %d to upgrade requests, %d blocked, %d already compliant.",
		s.Actions[plan.UpdateAgent], s.Actions[plan.UpgradeRequests], s.Blocked, s.Compliant)
}

// prereqLine says which prerequisites the plan was checked against.
func prereqLine(p plan.Plan) string {
	return fmt.Sprintf("SSM Agent %s or later; Python requests %s or later on Amazon Linux behind a proxy; %s, %s",
		clean(p.Prereqs.MinAgentVersion), clean(p.Prereqs.MinRequestsVersion),
		plural(len(p.Prereqs.Supported), "supported OS family", "supported OS families"),
		plural(len(p.Prereqs.Unsupported), "named exclusion", "named exclusions"))
}

func regionLine(p plan.Plan) string {
	r := clean(p.Region)
	if r == "" {
		r = "(no region)"
	}
	if p.Account != "" {
		r += " (account " + clean(p.Account) + ")"
	}
	return r
}

func createdLine(p plan.Plan) string {
	s := p.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	if p.ToolVersion != "" {
		s += " by patchready " + clean(p.ToolVersion)
	}
	return s
}

const probeWarning = "The proxy probe did not run (--no-probe): the Python requests module was not checked on any Amazon Linux node. A node behind a proxy with an old requests will still fail to patch."

// group is a titled list of nodes, in plan order.
type group struct {
	title string
	nodes []plan.NodePlan
}

// actionGroups lists the nodes per action, in execution order.
func actionGroups(p plan.Plan) []group {
	var out []group
	for _, a := range plan.ActionKinds() {
		g := group{title: a.String()}
		for _, n := range p.Nodes {
			if n.HasAction(a) {
				g.nodes = append(g.nodes, n)
			}
		}
		if len(g.nodes) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// blockedTitles names each blocking check for a group heading.
var blockedTitles = map[string]string{
	"online":        "not Online",
	"os-supported":  "operating system not supported",
	"agent-version": "agent version unknown",
	"requests":      "proxy probe failed or unreadable",
}

// blockedGroups groups blocked nodes by their first blocking check, in
// check order, so that one cause reads as one group.
func blockedGroups(p plan.Plan) []group {
	var out []group
	index := map[string]int{}
	for _, key := range []string{"online", "os-supported", "agent-version", "requests", ""} {
		for _, n := range p.Nodes {
			if n.Verdict != plan.Blocked {
				continue
			}
			first := ""
			if len(n.BlockedBy) > 0 {
				first = string(n.BlockedBy[0])
			}
			if _, known := blockedTitles[first]; !known {
				first = ""
			}
			if first != key {
				continue
			}
			i, ok := index[key]
			if !ok {
				title := blockedTitles[key]
				if title == "" {
					title = "other"
				}
				out = append(out, group{title: title})
				i = len(out) - 1
				index[key] = i
			}
			out[i].nodes = append(out[i].nodes, n)
		}
	}
	return out
}

// noteGroups groups nodes by note text, in order of first appearance.
func noteGroups(p plan.Plan) []group {
	var out []group
	index := map[string]int{}
	for _, n := range p.Nodes {
		for _, note := range n.Notes {
			i, ok := index[note]
			if !ok {
				out = append(out, group{title: note})
				i = len(out) - 1
				index[note] = i
			}
			out[i].nodes = append(out[i].nodes, n)
		}
	}
	return out
}
