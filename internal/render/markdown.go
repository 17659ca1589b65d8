package render

import (
	"fmt"
	"strings"

	"github.com/patchready/patchready/internal/plan"
)

// planMarkdown renders p for a pull request or a ticket: a heading with the
// summary, the context as a small table, then one table per kind of node.
// Tables longer than collapseOver rows fold into <details>, so a big fleet
// does not bury the review thread.
func planMarkdown(p plan.Plan) string {
	if p.HasTargets() {
		return targetsMarkdown(p)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## patchready plan for %s\n\n", md(regionLine(p)))
	fmt.Fprintf(&b, "**%s**\n\n", md(summaryLine(p)))
	mdContext(&b, p)
	mdNodes(&b, p, "###")
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// mdContext writes the probe warning and the table of what the plan was
// made from.
func mdContext(b *strings.Builder, p plan.Plan) {
	if !p.ProbeRan {
		fmt.Fprintf(b, "> [!WARNING]\n> %s\n\n", md(probeWarning))
	}
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(b, "| Selection | %s |\n", md(selectionLine(p)))
	fmt.Fprintf(b, "| Prerequisites | %s |\n", md(prereqLine(p)))
	probe := "ran"
	if !p.ProbeRan {
		probe = "**not run**"
	}
	fmt.Fprintf(b, "| Proxy probe | %s |\n", probe)
	if p.Scanned {
		fmt.Fprintf(b, "| Patch scan | %s |\n", md(scanLine(p)))
	}
	fmt.Fprintf(b, "| Strategy | %s |\n", p.Strategy)
	fmt.Fprintf(b, "| Created | %s |\n", md(createdLine(p)))
	fmt.Fprintf(b, "| Fingerprint | %s |\n\n", code(p.Fingerprint))
}

// mdNodes writes one section per kind of node, headed at level h.
func mdNodes(b *strings.Builder, p plan.Plan, h string) {
	var fix, blocked, compliant []plan.NodePlan
	for _, n := range p.Nodes {
		switch n.Verdict {
		case plan.Fix:
			fix = append(fix, n)
		case plan.Blocked:
			blocked = append(blocked, n)
		case plan.Unmanaged:
		default:
			compliant = append(compliant, n)
		}
	}
	mdSection(b, h, "To fix", fix, false)
	mdSection(b, h, "Blocked: cannot be fixed through SSM", blocked, false)
	mdUnmanaged(b, p)
	if groups := noteGroups(p); len(groups) > 0 {
		b.WriteString(h + " Notes\n\n")
		for _, g := range groups {
			ids := make([]string, len(g.nodes))
			for i, n := range g.nodes {
				ids[i] = code(short(n.Node.InstanceID))
			}
			list := strings.Join(ids, ", ")
			if len(ids) > collapseOver {
				list = fmt.Sprintf("<details><summary>%s</summary>\n\n%s\n\n</details>", plural(len(ids), "node", "nodes"), list)
			}
			fmt.Fprintf(b, "- **%s** (%s): %s\n", md(g.title), plural(len(ids), "node", "nodes"), list)
		}
		b.WriteString("\n")
	}
	mdScan(b, p, h)
	// Compliant nodes are folded whatever their number: a reviewer rarely
	// needs them, but an auditor may.
	mdSection(b, h, "Already compliant", compliant, true)
}

func mdSection(b *strings.Builder, h, title string, nodes []plan.NodePlan, fold bool) {
	if len(nodes) == 0 {
		return
	}
	fmt.Fprintf(b, "%s %s (%s)\n\n", h, title, plural(len(nodes), "node", "nodes"))
	fold = fold || len(nodes) > collapseOver
	if fold {
		fmt.Fprintf(b, "<details><summary>Show %s</summary>\n\n", plural(len(nodes), "node", "nodes"))
	}
	b.WriteString("| Node | Platform | Agent | Verdict | Reason |\n|---|---|---|---|---|\n")
	for _, n := range nodes {
		verdict := n.Verdict.String()
		if len(n.Actions) > 0 {
			names := make([]string, len(n.Actions))
			for i, a := range n.Actions {
				names[i] = a.String()
			}
			verdict += ": " + strings.Join(names, ", ")
		}
		reason := strings.Join(n.Reasons, "; ")
		if reason == "" && n.Verdict == plan.Compliant {
			reason = "meets every prerequisite"
			if n.Scan != nil && n.Scan.Passed {
				reason += "; Patch Manager's scan: " + scanResult(n)
			}
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n",
			code(short(n.Node.InstanceID)), md(platform(n)), md(agent(n)), verdict, md(reason))
	}
	if fold {
		b.WriteString("\n</details>\n")
	}
	b.WriteString("\n")
}

// md makes a node-supplied string safe in a Markdown table cell or line:
// no HTML, no cell breaks, no code-span breaks.
func md(s string) string {
	return mdEscaper.Replace(clean(s))
}

var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"|", `\|`, "`", "'", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
)

// code makes a node-supplied string a Markdown code span. Backslash escapes
// do not work inside code spans, so only what could end the span or the
// table cell is replaced.
func code(s string) string {
	return "`" + strings.NewReplacer("`", "'", "|", "¦").Replace(clean(s)) + "`"
}

// mdUnmanaged writes the EC2 instances SSM does not manage, one table per
// cause, and what each fix does or would do.
func mdUnmanaged(b *strings.Builder, p plan.Plan) {
	r := p.Registration
	if r != nil && !r.Searched {
		fmt.Fprintf(b, "> [!NOTE]\n> Unmanaged EC2 instances: %s.\n\n", md(r.Note))
		return
	}
	if line := unmanagedNone(p); line != "" {
		fmt.Fprintf(b, "%s\n\n", md(line))
		return
	}
	groups := unmanagedGroups(p)
	if len(groups) == 0 {
		return
	}
	fmt.Fprintf(b, "### Unmanaged EC2 instances (%s): Patch Manager cannot see them\n\n", plural(p.Summary.Unmanaged, "instance", "instances"))
	for _, g := range groups {
		fmt.Fprintf(b, "**%s** (%s)", md(g.title), plural(len(g.nodes), "instance", "instances"))
		if g.advice != "" {
			fmt.Fprintf(b, ": %s", md(g.advice))
		}
		b.WriteString("\n\n")
		fold := len(g.nodes) > collapseOver
		if fold {
			fmt.Fprintf(b, "<details><summary>Show %s</summary>\n\n", plural(len(g.nodes), "instance", "instances"))
		}
		b.WriteString("| Instance | Name | Fixes | Reason |\n|---|---|---|---|\n")
		for _, n := range g.nodes {
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", code(short(n.Node.InstanceID)), md(instanceName(n)), md(fixesOf(n)), md(strings.Join(n.Reasons, "; ")))
		}
		if fold {
			b.WriteString("\n</details>\n")
		}
		b.WriteString("\n")
	}
	if r == nil || len(r.Fixes) == 0 {
		return
	}
	b.WriteString("#### Fixes for unmanaged instances (opt-in: they change IAM)\n\n")
	for _, fp := range r.Fixes {
		mark := "not asked for"
		if fp.Requested {
			mark = "**asked for**"
		}
		fmt.Fprintf(b, "- %s (%s): %s", code(fp.Flag), mark, md(fp.Does))
		if fp.Caution != "" {
			fmt.Fprintf(b, ". Caution: %s", md(fp.Caution))
		}
		if fp.Cannot != "" {
			fmt.Fprintf(b, ". **Cannot:** %s", md(fp.Cannot))
		}
		fmt.Fprintf(b, " (%s)\n", plural(len(fp.InstanceIDs), "instance", "instances"))
	}
	if r.Then != "" {
		fmt.Fprintf(b, "\nThen: %s.\n", md(r.Then))
	}
	b.WriteString("\n")
}
