package render

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
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

// plural returns "1 node" or "N nodes".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// summaryLine is the closing line of the text view and the heading of the
// Markdown view.
func summaryLine(p plan.Plan) string { return verdictLine(p) + scanSummary(p) }

func verdictLine(p plan.Plan) string {
	s := p.Summary
	switch {
	case s.Nodes == 0:
		return "No changes. No managed nodes matched the selection."
	case s.Compliant == s.Nodes && s.Nodes == 1:
		return "No changes. The 1 selected node meets Patch Manager's prerequisites."
	case s.Compliant == s.Nodes:
		return fmt.Sprintf("No changes. All %d selected nodes meet Patch Manager's prerequisites.", s.Nodes)
	}
	var parts []string
	for _, a := range prereq.Actions() {
		if n := s.Actions[a.Kind]; n > 0 || a.Kind == prereq.UpdateAgent {
			parts = append(parts, fmt.Sprintf("%d to %s", n, actionWords(a.Kind)))
		}
	}
	return fmt.Sprintf("Plan: %s, %d blocked, %d already compliant%s.", strings.Join(parts, ", "), s.Blocked, s.Compliant, registrationSummary(s))
}

// actionWords reads an action's name as words: "update-agent" is
// "update agent".
func actionWords(a prereq.ActionKind) string { return strings.ReplaceAll(string(a), "-", " ") }

// prereqLine says which rules the plan was checked against.
func prereqLine(p plan.Plan) string {
	r := p.Rules
	py := "Python " + clean(r.Python.Min) + "+"
	if r.Python.Max != "" {
		py = "Python " + clean(r.Python.Min) + "–" + clean(r.Python.Max)
	}
	return fmt.Sprintf("rules %s (%s): SSM Agent %s or later; the patch run's %s, a downloader, its payload bucket; requests %s or later on Amazon Linux behind a proxy; %s, %s",
		clean(r.Name), clean(r.Version), clean(r.MinAgentVersion), py, clean(r.MinRequestsVersion),
		plural(len(r.Supported), "supported OS family", "supported OS families"),
		plural(len(r.Unsupported), "named exclusion", "named exclusions"))
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

const probeWarning = "The probe did not run (--no-probe): none of the patch-run checks (the interpreter AWS-RunPatchBaseline would use, its requests behind a proxy, curl or wget, the payload bucket, the agent's work directory) was made on any Linux node. A node that fails them will still fail to patch."

// group is a titled list of nodes, in plan order.
type group struct {
	title string
	nodes []plan.NodePlan
}

// actionGroups lists the nodes per action, in execution order.
func actionGroups(p plan.Plan) []group {
	var out []group
	for _, a := range prereq.Actions() {
		g := group{title: string(a.Kind)}
		for _, n := range p.Nodes {
			if n.HasAction(a.Kind) {
				g.nodes = append(g.nodes, n)
			}
		}
		if len(g.nodes) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// blockedGroup is a group of blocked nodes with what to do about them.
type blockedGroup struct {
	group
	check  prereq.CheckID
	advice string
}

// blockedGroups groups blocked nodes by their first blocking check, in
// registry order, so that one cause reads as one group; headings and
// advice come from the checks themselves.
func blockedGroups(p plan.Plan) []blockedGroup {
	index := map[prereq.CheckID]int{}
	var out []blockedGroup
	for _, n := range p.Nodes {
		if n.Verdict != plan.Blocked {
			continue
		}
		var first prereq.CheckID
		if len(n.BlockedBy) > 0 {
			first = n.BlockedBy[0]
		}
		i, ok := index[first]
		if !ok {
			g := blockedGroup{check: first, group: group{title: "other"}}
			if c, known := prereq.Lookup(first); known && c.Heading != "" {
				g.title, g.advice = c.Heading, c.Advice
			} else if first == plan.ScanCheck {
				g.title, g.advice = plan.ScanHeading, plan.ScanAdvice
			}
			out = append(out, g)
			i = len(out) - 1
			index[first] = i
		}
		out[i].nodes = append(out[i].nodes, n)
	}
	rank := map[prereq.CheckID]int{}
	for i, c := range prereq.Checks() {
		rank[c.ID] = i + 1
	}
	slices.SortStableFunc(out, func(a, b blockedGroup) int {
		ra, rb := rank[a.check], rank[b.check]
		if ra == 0 {
			ra = len(rank) + 1
		}
		if rb == 0 {
			rb = len(rank) + 1
		}
		return ra - rb
	})
	return out
}

// actionReason returns the reason np gives for action a: the failing
// check's words, without the action's own description.
func actionReason(np plan.NodePlan, a prereq.ActionKind) string {
	for _, r := range np.Reasons {
		if before, _, ok := strings.Cut(r, ": "+string(a)+" "); ok {
			return before
		}
	}
	return ""
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
