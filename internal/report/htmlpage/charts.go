package htmlpage

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/report"
)

// figure is one chart with its text equivalent: a sentence that says what
// the chart shows, and its numbers as a table.
type figure struct {
	ID      string
	Heading string
	Desc    string
	SVG     template.HTML
	Table   dataTable
}

// cleaned returns f with its text cleaned of control characters.
func (f figure) cleaned() figure {
	f.Desc = clean(f.Desc)
	for i, r := range f.Table.Rows {
		for j := range r {
			f.Table.Rows[i][j] = clean(r[j])
		}
	}
	return f
}

// dataTable is a chart's numbers.
type dataTable struct {
	Head []string
	Rows [][]string
}

func looksOf(names []string) []look {
	out := make([]look, len(names))
	for i, n := range names {
		out[i] = lookFor(n, i)
	}
	return out
}

// countsSentence writes "22 compliant (61%), 10 fix (28%)".
func countsSentence(cs []report.Count, total int) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", thousands(c.N), c.Name, percent(c.N, total)))
	}
	return strings.Join(parts, ", ")
}

func verdictFigure(pg report.Page) figure {
	total := len(pg.Plan.Nodes)
	names := make([]string, len(pg.Verdicts))
	counts := make([]int, len(pg.Verdicts))
	t := dataTable{Head: []string{"Verdict", "Nodes", "Share"}}
	for i, v := range pg.Verdicts {
		names[i], counts[i] = v.Name, v.N
		t.Rows = append(t.Rows, []string{v.Name, thousands(v.N), percent(v.N, total)})
	}
	desc := fmt.Sprintf("%s: %s.", plural(total, "node", "nodes"), countsSentence(pg.Verdicts, total))
	return figure{ID: "c-verdicts", Heading: "Nodes by verdict", Desc: desc,
		SVG: template.HTML(share("c-verdicts", "Nodes by verdict", desc, names, looksOf(names), counts)), Table: t}
}

// stackFigure draws a report.Stack; attrs gives a row's filter attributes.
func stackFigure(id, heading, what string, st report.Stack, attrs func(report.StackRow) string) figure {
	rows := make([]stackRow, len(st.Rows))
	t := dataTable{Head: append(append([]string{what}, st.Keys...), "Total")}
	for i, r := range st.Rows {
		rows[i] = stackRow{Label: r.Label, Counts: r.Counts, Total: r.Total}
		if attrs != nil {
			rows[i].Attrs = attrs(r)
		}
		cells := []string{r.Label}
		for _, n := range r.Counts {
			cells = append(cells, thousands(n))
		}
		t.Rows = append(t.Rows, append(cells, thousands(r.Total)))
	}
	var parts []string
	for i, r := range st.Rows {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(st.Rows)-3))
			break
		}
		var segs []string
		for j, n := range r.Counts {
			if n > 0 {
				segs = append(segs, thousands(n)+" "+st.Keys[j])
			}
		}
		parts = append(parts, fmt.Sprintf("%s: %s", r.Label, strings.Join(segs, ", ")))
	}
	desc := fmt.Sprintf("%s, one bar each, split by %s. %s.", plural(len(st.Rows), strings.ToLower(what), strings.ToLower(what)+"s"),
		strings.Join(st.Keys, ", "), strings.Join(parts, "; "))
	return figure{ID: id, Heading: heading, Desc: desc,
		SVG: template.HTML(stacked(id, heading, desc, st.Keys, looksOf(st.Keys), rows)), Table: t}
}

func platformFigure(pg report.Page) figure {
	return stackFigure("c-platforms", "Nodes by platform and verdict", "Platform", pg.Platforms, func(r report.StackRow) string {
		if strings.HasSuffix(r.Label, " other platforms") {
			return ""
		}
		return `data-platform="` + esc(r.Label) + `"`
	})
}

func checkFigure(pg report.Page) figure {
	return stackFigure("c-checks", "Prerequisite checks", "Check", pg.Checks, func(r report.StackRow) string {
		return `data-check="` + esc(r.Label) + `"`
	})
}

func scopeFigure(pg report.Page) figure {
	return stackFigure("c-scopes", "Nodes by account and region", "Account and region", *pg.Scopes, nil)
}

var agentPosition = map[report.Position]string{
	report.BelowFloor:     "below floor",
	report.AtOrAboveFloor: "at or above floor",
	report.Unreadable:     "none or unreadable",
}

// agentPositionKey is the filter value of a position in the node table.
var agentPositionKey = map[report.Position]string{
	report.BelowFloor: "below", report.AtOrAboveFloor: "above", report.Unreadable: "unreadable",
}

func agentFigure(pg report.Page) figure {
	a := pg.Agents
	var items []barItem
	t := dataTable{Head: []string{"Agent version", "Nodes", "Against the floor"}}
	dividerDone := false
	for _, b := range a.Bins {
		pos := agentPosition[b.Position]
		it := barItem{Label: b.Label, N: b.Nodes, Look: lookFor(pos, 0),
			Attrs: `data-agent="` + agentPositionKey[b.Position] + `"`}
		if b.Position == report.BelowFloor && !dividerDone {
			it.Divider = "▲ at or above the floor " + a.Floor + "  ·  below it ▼"
			dividerDone = true
		}
		items = append(items, it)
		t.Rows = append(t.Rows, []string{b.Label, thousands(b.Nodes), pos})
	}
	total := a.Below + a.AtOrAbove + a.Unreadable
	desc := fmt.Sprintf("Against the floor %s: %s at or above it, %s below it (the update-agent fix), %s with no readable version.",
		a.Floor, thousands(a.AtOrAbove), thousands(a.Below), thousands(a.Unreadable))
	if total == 0 {
		desc = "No nodes."
	}
	return figure{ID: "c-agents", Heading: "SSM Agent versions against the floor", Desc: desc,
		SVG: template.HTML(bars("c-agents", "SSM Agent versions against the floor "+a.Floor, desc, items)), Table: t}
}

func causeFigure(pg report.Page) figure {
	var items []barItem
	t := dataTable{Head: []string{"Cause", "Check", "Nodes"}}
	var parts []string
	for _, c := range pg.Causes {
		items = append(items, barItem{Label: c.Title, N: c.Nodes, Look: lookFor("blocked", 0), Attrs: `data-blocked="` + esc(c.Check) + `"`})
		t.Rows = append(t.Rows, []string{c.Title, c.Check, thousands(c.Nodes)})
		parts = append(parts, fmt.Sprintf("%s %s", thousands(c.Nodes), c.Title))
	}
	desc := "Blocked nodes by cause, most first: " + strings.Join(parts, ", ") + ". A node blocked for two causes counts under each."
	return figure{ID: "c-causes", Heading: "Why nodes are blocked", Desc: desc,
		SVG: template.HTML(bars("c-causes", "Why nodes are blocked", desc, items)), Table: t}
}

func noteFigure(pg report.Page) figure {
	var items []barItem
	t := dataTable{Head: []string{"Note", "Nodes"}}
	for i, n := range pg.Notes {
		l := lookFor("note", 0)
		if strings.HasPrefix(n.Name, "warning: ") {
			l = lookFor("warning", 0)
		}
		if i < 8 {
			items = append(items, barItem{Label: n.Name, N: n.N, Look: l, Attrs: `data-q="` + esc(n.Name) + `"`})
		}
		t.Rows = append(t.Rows, []string{n.Name, thousands(n.N)})
	}
	desc := fmt.Sprintf("%s worth a reviewer's attention that decide nothing; the table below the chart lists each with its nodes.", plural(len(pg.Notes), "note", "different notes"))
	return figure{ID: "c-notes", Heading: "Notes", Desc: desc,
		SVG: template.HTML(bars("c-notes", "Notes on nodes", desc, items)), Table: t}
}

// runFigures are the charts of one run: nodes verified over time and the
// failures' reasons.
func runFigures(i int, r report.Run) (over, reasons figure) {
	id := fmt.Sprintf("c-run%d", i)
	span := r.Ended.Sub(r.Started)
	verified, other := 0, 0
	if n := len(r.Verified); n > 0 {
		verified = r.Verified[n-1].N
	}
	if n := len(r.NotVerified); n > 0 {
		other = r.NotVerified[n-1].N
	}
	series := []stepSeries{
		{Name: "verified", Look: lookFor("verified", 0), Points: points(r.Verified)},
		{Name: "ended otherwise", Look: lookFor("failed", 1), Dashed: true, Points: points(r.NotVerified)},
	}
	desc := fmt.Sprintf("%s verified and %s ended otherwise over %s.", thousands(verified), thousands(other), shortDuration(span))
	if verified > 0 {
		half := r.Verified[(verified-1)/2].After
		desc += fmt.Sprintf(" Half of the verified nodes were read back within %s, the last after %s.", shortDuration(half), shortDuration(r.Verified[verified-1].After))
	}
	t := dataTable{Head: []string{"Time since start", "Verified", "Ended otherwise"}}
	for _, tm := range sampleTimes(r, 10) {
		t.Rows = append(t.Rows, []string{shortDuration(tm), thousands(countAt(r.Verified, tm)), thousands(countAt(r.NotVerified, tm))})
	}
	over = figure{ID: id + "-time", Heading: "Nodes verified over time", Desc: desc,
		SVG: template.HTML(steps(id+"-time", "Nodes verified over time", desc, series, span)), Table: t}

	var items []barItem
	rt := dataTable{Head: []string{"Reason", "Nodes"}}
	for j, c := range r.FailureReasons {
		if j < 8 {
			items = append(items, barItem{Label: c.Name, N: c.N, Look: lookFor("failed", 0), Attrs: `data-q="` + esc(c.Name) + `"`})
		}
		rt.Rows = append(rt.Rows, []string{c.Name, thousands(c.N)})
	}
	rdesc := fmt.Sprintf("%s did not end verified, for %s.", plural(other, "node", "nodes"), plural(len(r.FailureReasons), "reason", "different reasons"))
	reasons = figure{ID: id + "-reasons", Heading: "Why nodes were not verified", Desc: rdesc,
		SVG: template.HTML(bars(id+"-reasons", "Why nodes were not verified", rdesc, items)), Table: rt}
	return over, reasons
}

func points(ps []report.Point) []point {
	out := make([]point, len(ps))
	for i, p := range ps {
		out[i] = point{After: p.After, N: p.N}
	}
	return out
}

// sampleTimes returns n+1 evenly spaced times across the run.
func sampleTimes(r report.Run, n int) []time.Duration {
	span := r.Ended.Sub(r.Started)
	out := make([]time.Duration, 0, n+1)
	for i := 0; i <= n; i++ {
		out = append(out, span*time.Duration(i)/time.Duration(n))
	}
	return out
}

// countAt is the cumulative count at t.
func countAt(ps []report.Point, t time.Duration) int {
	n := 0
	for _, p := range ps {
		if p.After > t {
			break
		}
		n = p.N
	}
	return n
}
