package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/patchready/patchready/internal/plan"
)

// A plan across targets reads as a plan of each target in turn, grouped by
// account then region, after a table of every target; the targets that
// could not be planned close it, each with why and what to do.

// scopeLine names what a plan across targets covers: "3 accounts, 2
// regions (6 of 8 targets planned)".
func scopeLine(p plan.Plan) string {
	accounts, regions := map[string]bool{}, map[string]bool{}
	planned := 0
	for _, t := range p.Targets {
		accounts[t.Account] = true
		if t.Region != "*" {
			regions[t.Region] = true
		}
		if !t.Failed() {
			planned++
		}
	}
	return fmt.Sprintf("%s, %s (%d of %s planned)", plural(len(accounts), "account", "accounts"),
		plural(len(regions), "region", "regions"), planned, plural(len(p.Targets), "target", "targets"))
}

// targetName is "111122223333 (name) · eu-west-1".
func targetName(t plan.Target) string {
	s := clean(t.Account)
	if t.AccountName != "" {
		s += " (" + short(t.AccountName) + ")"
	}
	region := clean(t.Region)
	if t.Region == "*" {
		region = "every region"
	}
	return s + " · " + region
}

// targetStatus is a target's row status: planned, or FAILED (kind).
func targetStatus(t plan.Target) string {
	if t.Failed() {
		return "FAILED (" + clean(t.Failure.Kind) + ")"
	}
	return "planned"
}

// targetRows are the rows of the per-target summary table.
func targetRows(p plan.Plan) [][]string {
	rows := [][]string{{"ACCOUNT", "NAME", "REGION", "NODES", "COMPLIANT", "FIX", "BLOCKED", "STATUS"}}
	for _, t := range p.Targets {
		name := short(t.AccountName)
		if name == "" {
			name = "-"
		}
		region := clean(t.Region)
		if t.Region == "*" {
			region = "(all)"
		}
		row := []string{clean(t.Account), name, region, "-", "-", "-", "-", targetStatus(t)}
		if !t.Failed() {
			s := t.Summary
			row[3], row[4], row[5], row[6] = strconv.Itoa(s.Nodes), strconv.Itoa(s.Compliant), strconv.Itoa(s.Fix), strconv.Itoa(s.Blocked)
		}
		rows = append(rows, row)
	}
	return rows
}

// table prints rows as aligned columns, the first row as the heading.
func (t *textWriter) table(rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(" ")
		for i, c := range r {
			b.WriteString(" " + c + strings.Repeat(" ", width[i]-len([]rune(c))+1))
		}
		t.line("%s", strings.TrimRight(b.String(), " "))
	}
}

// targetsSummaryLine is the plan's summary line, and how many targets
// failed.
func targetsSummaryLine(p plan.Plan) string {
	line := summaryLine(p)
	if failed := len(p.FailedTargets()); failed > 0 {
		line += fmt.Sprintf(" %s not planned (see Failed targets).", plural(failed, "target was", "targets were"))
	}
	return line
}

func targetsText(p plan.Plan, opts Options) string {
	t := &textWriter{opts: opts}
	t.line("%s", t.style(ansiBold, "patchready plan for "+scopeLine(p)))
	t.line("")
	t.context(p)
	t.line("%s", t.style(ansiBold, "Targets:"))
	t.line("")
	t.table(targetRows(p))
	t.line("")
	for _, part := range plan.Split(p) {
		if part.Plan == nil || part.Plan.Summary.Compliant == part.Plan.Summary.Nodes {
			// A target with nothing to change or block has its row above.
			continue
		}
		t.line("%s", t.style(ansiBold, "── "+targetName(part.Target)+" ──"))
		t.line("")
		t.body(*part.Plan)
	}
	if failed := p.FailedTargets(); len(failed) > 0 {
		t.line("%s", t.style(ansiBold, "Failed targets (not planned; the others were):"))
		t.line("")
		for _, f := range failed {
			t.line("  %s %s: %s", t.style(ansiRed, "✗"), targetName(f), clean(f.Failure.Reason))
			if f.Failure.Advice != "" {
				t.line("      what to do: %s", clean(f.Failure.Advice))
			}
		}
		t.line("")
	}
	t.line("%s", t.style(ansiBold, targetsSummaryLine(p)))
	if !p.ProbeRan {
		t.line("%s", t.style(ansiYellow, "Warning: the patch-run checks were not made; the probe did not run."))
	}
	return t.b.String()
}

func targetsMarkdown(p plan.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## patchready plan for %s\n\n", md(scopeLine(p)))
	fmt.Fprintf(&b, "**%s**\n\n", md(targetsSummaryLine(p)))
	mdContext(&b, p)
	b.WriteString("### Targets\n\n")
	rows := targetRows(p)
	b.WriteString("| " + strings.Join(rows[0], " | ") + " |\n|" + strings.Repeat("---|", len(rows[0])) + "\n")
	for _, r := range rows[1:] {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = md(c)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n")
	if failed := p.FailedTargets(); len(failed) > 0 {
		b.WriteString("### Failed targets\n\n| Target | Reason | What to do |\n|---|---|---|\n")
		for _, f := range failed {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", md(targetName(f)), md(f.Failure.Reason), md(f.Failure.Advice))
		}
		b.WriteString("\n")
	}
	for _, part := range plan.Split(p) {
		if part.Plan == nil || part.Plan.Nodes == nil {
			continue
		}
		fmt.Fprintf(&b, "### %s\n\n", md(targetName(part.Target)))
		mdNodes(&b, *part.Plan, "####")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// selectionLine describes the plan's selection; a plan across targets
// selects in each of them.
func selectionLine(p plan.Plan) string {
	s := plan.DescribeSelection(p.Selection)
	if p.HasTargets() {
		s = strings.Replace(s, "in the region", "in each target", 1)
		if !strings.Contains(s, "each target") {
			s += ", in each target"
		}
	}
	return s
}
