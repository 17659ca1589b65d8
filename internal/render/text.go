package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
)

// ANSI styles, used only when Options.Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

type textWriter struct {
	b    strings.Builder
	opts Options
}

func (t *textWriter) style(code, s string) string {
	if !t.opts.Color {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) line(format string, args ...any) {
	fmt.Fprintf(&t.b, format, args...)
	t.b.WriteByte('\n')
}

// planText renders p the way Terraform renders a plan: context first, then
// what will change, then what cannot, then one summary line.
func planText(p plan.Plan, opts Options) string {
	if p.HasTargets() {
		return targetsText(p, opts)
	}
	t := &textWriter{opts: opts}
	t.line("%s", t.style(ansiBold, "patchready plan for "+regionLine(p)))
	t.line("")
	t.context(p)
	t.body(p)
	t.line("%s", t.style(ansiBold, summaryLine(p)))
	if !p.ProbeRan {
		t.line("%s", t.style(ansiYellow, "Warning: the patch-run checks were not made; the probe did not run."))
	}
	return t.b.String()
}

// context prints what the plan was made from.
func (t *textWriter) context(p plan.Plan) {
	t.line("  Selection:      %s", clean(selectionLine(p)))
	t.line("  Prerequisites:  %s", prereqLine(p))
	if p.ProbeRan {
		t.line("  Probe:          ran")
	} else {
		t.line("  Probe:          %s", t.style(ansiYellow, "NOT RUN"))
	}
	if p.Scanned {
		t.line("  Patch scan:     ran (plan --scan)")
	}
	t.line("  Strategy:       %s", p.Strategy)
	t.line("  Created:        %s", createdLine(p))
	t.line("")
	if !p.ProbeRan {
		t.warning(probeWarning)
	}
}

// body prints what will change, what cannot, and the notes.
func (t *textWriter) body(p plan.Plan) {
	if groups := actionGroups(p); len(groups) > 0 {
		t.line("patchready will perform the following actions:")
		for _, g := range groups {
			t.actionGroup(p, g)
		}
		t.line("")
	}
	if groups := blockedGroups(p); len(groups) > 0 {
		t.line("%s", t.style(ansiBold, "Blocked (cannot be fixed through SSM):"))
		for _, g := range groups {
			t.line("")
			t.line("  # %s: %s", g.title, plural(len(g.nodes), "node", "nodes"))
			if g.advice != "" {
				t.line("  #   what to do: %s", g.advice)
			}
			if g.check == prereq.CheckPayload {
				t.line("  #   payload URL: %s", clean(prereq.PayloadURL(p.Region)))
			}
			rows := make([][]string, len(g.nodes))
			for i, n := range g.nodes {
				rows[i] = []string{short(n.Node.InstanceID), platform(n), clean(strings.Join(n.Reasons, "; "))}
			}
			t.rows(t.style(ansiRed, "-"), rows)
		}
		t.line("")
	}
	t.unmanaged(p)
	if groups := noteGroups(p); len(groups) > 0 {
		t.line("%s", t.style(ansiBold, "Notes:"))
		for _, g := range groups {
			t.line("")
			mark := "~"
			if strings.HasPrefix(g.title, "warning: ") {
				mark = t.style(ansiYellow, "!")
			}
			t.line("  %s %s (%s)", mark, clean(g.title), plural(len(g.nodes), "node", "nodes"))
			rows := make([][]string, len(g.nodes))
			for i, n := range g.nodes {
				rows[i] = []string{short(n.Node.InstanceID), platform(n)}
			}
			t.rows(" ", rows)
		}
		t.line("")
	}
	t.scan(p)
}

func (t *textWriter) actionGroup(p plan.Plan, g group) {
	a := prereq.ActionKind(g.title)
	batches := 0
	for _, b := range p.Batches {
		if slices.Contains(b.Actions, a) {
			batches++
		}
	}
	how := "AWS-UpdateSSMAgent, strategy " + p.Strategy.String()
	if a != prereq.UpdateAgent {
		how = "patchready-Fix through Run Command; after the agent update is read back where there is one"
	}
	t.line("")
	t.line("  # %s: %s in %s (%s)", a, plural(len(g.nodes), "node", "nodes"), plural(batches, "batch", "batches"), how)
	rows := make([][]string, len(g.nodes))
	for i, n := range g.nodes {
		rows[i] = []string{a.String(), short(n.Node.InstanceID), platform(n), clean(actionReason(n, a))}
	}
	t.rows(t.style(ansiGreen, "+"), rows)
}

// rows prints aligned columns after mark, collapsing long lists unless
// Verbose. The last column is not padded.
func (t *textWriter) rows(mark string, rows [][]string) {
	shown := rows
	if len(rows) > collapseOver && !t.opts.Verbose {
		shown = rows[:collapseShow]
	}
	var width []int
	for _, r := range shown {
		for i, c := range r[:len(r)-1] {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range shown {
		var b strings.Builder
		b.WriteString("  " + mark)
		for i, c := range r {
			b.WriteString(" ")
			if i < len(r)-1 {
				b.WriteString(c + strings.Repeat(" ", width[i]-len([]rune(c))+1))
			} else {
				b.WriteString(c)
			}
		}
		t.line("%s", strings.TrimRight(b.String(), " "))
	}
	if len(shown) < len(rows) {
		t.line("    ... and %d more (use --verbose to list all)", len(rows)-len(shown))
	}
}

// warning prints a prominent, wrapped warning block.
func (t *textWriter) warning(msg string) {
	for _, l := range wrap("Warning: "+msg, 76) {
		t.line("%s", t.style(ansiYellow, "! "+l))
	}
	t.line("")
}

// wrap breaks s into lines of at most width runes at spaces.
func wrap(s string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case len([]rune(cur))+1+len([]rune(w)) > width:
			lines = append(lines, cur)
			cur = w
		default:
			cur += " " + w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// unmanaged lists the EC2 instances SSM does not manage, grouped by cause
// (those not running first, apart, not fixable now), then what each fix
// does or would do, and what apply does once they register.
func (t *textWriter) unmanaged(p plan.Plan) {
	r := p.Registration
	if r != nil && !r.Searched {
		t.line("%s", t.style(ansiYellow, "Unmanaged EC2 instances: "+clean(r.Note)+"."))
		t.line("")
		return
	}
	if line := unmanagedNone(p); line != "" {
		t.line("%s", line)
		t.line("")
		return
	}
	groups := unmanagedGroups(p)
	if len(groups) == 0 {
		return
	}
	t.line("%s", t.style(ansiBold, "Unmanaged EC2 instances (SSM does not manage them, so Patch Manager cannot see them):"))
	for _, g := range groups {
		t.line("")
		t.line("  # %s: %s", clean(g.title), plural(len(g.nodes), "instance", "instances"))
		if g.advice != "" {
			t.line("  #   what to do: %s", clean(g.advice))
		}
		rows := make([][]string, len(g.nodes))
		for i, n := range g.nodes {
			rows[i] = []string{short(n.Node.InstanceID), instanceName(n), clean(fixesOf(n)), clean(strings.Join(n.Reasons, "; "))}
		}
		t.rows(t.style(ansiYellow, "?"), rows)
	}
	if r != nil && len(r.Fixes) > 0 {
		t.line("")
		t.line("%s", t.style(ansiBold, "Fixes for unmanaged instances (opt-in: they change IAM):"))
		for _, fp := range r.Fixes {
			mark := "~"
			if fp.Requested {
				mark = t.style(ansiGreen, "+")
			}
			t.line("")
			for i, l := range wrap(fixLine(fp), 74) {
				if i == 0 {
					t.line("  %s %s", mark, l)
				} else {
					t.line("    %s", l)
				}
			}
			if fp.Caution != "" {
				t.line("    caution: %s", clean(fp.Caution))
			}
			ids := fp.InstanceIDs
			shown := ids
			if len(ids) > collapseOver && !t.opts.Verbose {
				shown = ids[:collapseShow]
			}
			line := "    instances: " + clean(strings.Join(shown, ", "))
			if len(shown) < len(ids) {
				line += fmt.Sprintf(", … and %d more", len(ids)-len(shown))
			}
			t.line("%s", line)
		}
		if r.Then != "" {
			t.line("")
			for _, l := range wrap("Then: "+r.Then+".", 76) {
				t.line("  %s", l)
			}
		}
	}
	t.line("")
}
