package htmlpage

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"
)

// Every chart is drawn on a 640-unit-wide canvas and scaled to its box by
// the browser; text scales with it, so the layout is fixed here once.
const (
	svgW     = 640
	labelW   = 196 // row labels, left
	countW   = 70  // counts, right
	barX     = labelW + 8
	barW     = svgW - barX - countW
	rowH     = 24
	barH     = 15
	legendH  = 26
	maxLabel = 30 // runes of a row label before it is cut (the full text is its tooltip)
)

// svg accumulates one chart's markup. Every piece of text goes through
// esc: platform names and reasons come from the nodes.
type svg struct{ b strings.Builder }

func esc(s string) string { return html.EscapeString(clean(s)) }

func (s *svg) printf(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// open starts a chart with an accessible name and description.
func (s *svg) open(id string, h int, title, desc string) {
	s.printf(`<svg class="chart" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" preserveAspectRatio="xMinYMin meet">`,
		esc(id), svgW, h, esc(id), esc(id))
	s.printf(`<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
}

func (s *svg) close() string {
	s.b.WriteString(`</svg>`)
	return s.b.String()
}

// fill draws a rectangle in a look: its colour, then its pattern over it.
func (s *svg) fill(x, y, w, h float64, l look, tip string) {
	if w <= 0 {
		return
	}
	s.printf(`<g><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x, y, w, h, l.color())
	if l.Pattern != patSolid {
		s.printf(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="url(#pat-%s)"/>`, x, y, w, h, l.Pattern)
	}
	if tip != "" {
		s.printf(`<title>%s</title>`, esc(tip))
	}
	s.b.WriteString(`</g>`)
}

func (s *svg) text(x, y float64, anchor, class, t string) {
	s.printf(`<text x="%.1f" y="%.1f" text-anchor="%s" class="%s">%s</text>`, x, y, anchor, class, esc(t))
}

// label draws a row label, cut to maxLabel runes with the full text as a
// tooltip.
func (s *svg) label(x, y float64, t string) {
	r := []rune(t)
	if len(r) <= maxLabel {
		s.text(x, y, "start", "lbl", t)
		return
	}
	s.printf(`<text x="%.1f" y="%.1f" class="lbl">%s<title>%s</title></text>`, x, y, esc(string(r[:maxLabel-1])+"…"), esc(t))
}

// legend draws one swatch per series with its icon, name and count.
func (s *svg) legend(y float64, names []string, looks []look, counts []int) {
	x := 0.0
	for i, n := range names {
		s.fill(x, y-10, 12, 12, looks[i], "")
		t := looks[i].Icon + " " + n
		if counts != nil {
			t += " " + thousands(counts[i])
		}
		s.text(x+16, y, "start", "leg", t)
		x += 16 + textWidth(t) + 18
	}
}

// textWidth estimates a label's width in canvas units (12-unit text); the
// legend only needs to keep entries from overlapping.
func textWidth(t string) float64 { return float64(len([]rune(t))) * 6.6 }

// stackRow is one bar of a stacked chart.
type stackRow struct {
	Label  string
	Counts []int
	Total  int
	// Attrs are extra attributes of the row's group (data-filter-…).
	Attrs string
}

// stacked draws horizontal bars split by series, all on one scale so that
// bars compare; the legend carries every series' total.
func stacked(id, title, desc string, keys []string, looks []look, rows []stackRow) string {
	var s svg
	h := legendH + len(rows)*rowH + 6
	s.open(id, h, title, desc)
	totals := make([]int, len(keys))
	most := 1
	for _, r := range rows {
		for i, n := range r.Counts {
			totals[i] += n
		}
		most = max(most, r.Total)
	}
	s.legend(14, keys, looks, totals)
	for i, r := range rows {
		y := float64(legendH + i*rowH)
		if r.Attrs != "" {
			s.printf(`<g class="row" %s tabindex="0" role="button" aria-label="%s">`, r.Attrs, esc("Show "+r.Label+" in the node table"))
		} else {
			s.b.WriteString(`<g class="row">`)
		}
		s.label(0, y+barH-3, r.Label)
		x := float64(barX)
		for j, n := range r.Counts {
			w := float64(n) / float64(most) * barW
			s.fill(x, y, w, barH, looks[j], fmt.Sprintf("%s: %s %s", r.Label, thousands(n), keys[j]))
			x += w
		}
		s.text(float64(svgW), y+barH-3, "end", "num", thousands(r.Total))
		s.b.WriteString(`</g>`)
	}
	return s.close()
}

// share draws one full-width bar split by series, with each series'
// count written in its segment where it fits.
func share(id, title, desc string, keys []string, looks []look, counts []int) string {
	var s svg
	const h = 26
	s.open(id, h, title, desc)
	total := 0
	for _, n := range counts {
		total += n
	}
	if total == 0 {
		s.fill(0, 0, svgW, h, lookFor("none or unreadable", 0), "no nodes")
		return s.close()
	}
	x := 0.0
	for i, n := range counts {
		w := float64(n) / float64(total) * svgW
		s.fill(x, 0, w, h, looks[i], fmt.Sprintf("%s %s (%s)", thousands(n), keys[i], percent(n, total)))
		if t := looks[i].Icon + " " + thousands(n); w > textWidth(t)+10 {
			s.printf(`<text x="%.1f" y="18" text-anchor="middle" class="inbar">%s</text>`, x+w/2, esc(t))
		}
		x += w
	}
	return s.close()
}

// barItem is one bar of a single-series chart.
type barItem struct {
	Label string
	N     int
	Look  look
	// Divider, when set, draws a dashed line above the bar with this text:
	// the agent chart marks the floor with it.
	Divider string
	Attrs   string
}

// bars draws one horizontal bar per item, each in its own look.
func bars(id, title, desc string, items []barItem) string {
	var s svg
	dividers := 0
	for _, it := range items {
		if it.Divider != "" {
			dividers++
		}
	}
	h := 6 + len(items)*rowH + dividers*rowH
	s.open(id, h, title, desc)
	most := 1
	for _, it := range items {
		most = max(most, it.N)
	}
	y := 4.0
	for _, it := range items {
		if it.Divider != "" {
			s.printf(`<line x1="0" x2="%d" y1="%.1f" y2="%.1f" class="floor"/>`, svgW, y+rowH/2-2, y+rowH/2-2)
			s.printf(`<text x="%d" y="%.1f" text-anchor="middle" class="floorlbl">%s</text>`, barX+barW/2, y+rowH/2-6, esc(it.Divider))
			y += rowH
		}
		if it.Attrs != "" {
			s.printf(`<g class="row" %s tabindex="0" role="button" aria-label="%s">`, it.Attrs, esc("Show "+it.Label+" in the node table"))
		} else {
			s.b.WriteString(`<g class="row">`)
		}
		s.label(0, y+barH-3, it.Look.Icon+" "+it.Label)
		w := math.Max(float64(it.N)/float64(most)*barW, 1)
		s.fill(barX, y, w, barH, it.Look, fmt.Sprintf("%s: %s", it.Label, thousands(it.N)))
		s.text(float64(svgW), y+barH-3, "end", "num", thousands(it.N))
		s.b.WriteString(`</g>`)
		y += rowH
	}
	return s.close()
}

// stepSeries is one cumulative count over time.
type stepSeries struct {
	Name   string
	Look   look
	Dashed bool
	Points []point
}

type point struct {
	After time.Duration
	N     int
}

// steps draws cumulative counts over time as step lines from zero at the
// start to span, with the y axis from zero to the largest count.
func steps(id, title, desc string, series []stepSeries, span time.Duration) string {
	const (
		h      = 230
		left   = 48.0
		right  = 14.0
		top    = 34.0
		bottom = 30.0
	)
	var s svg
	s.open(id, h, title, desc)
	most := 1
	for _, se := range series {
		if n := len(se.Points); n > 0 {
			most = max(most, se.Points[n-1].N)
		}
		for _, p := range se.Points {
			span = max(span, p.After)
		}
	}
	if span <= 0 {
		span = time.Second
	}
	pw, ph := svgW-left-right, h-top-bottom
	xOf := func(d time.Duration) float64 { return left + float64(d)/float64(span)*pw }
	yOf := func(n int) float64 { return top + ph - float64(n)/float64(most)*ph }

	// Legend: a line sample per series.
	x := 0.0
	for _, se := range series {
		dash := ""
		if se.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		last := 0
		if n := len(se.Points); n > 0 {
			last = se.Points[n-1].N
		}
		s.printf(`<line x1="%.1f" x2="%.1f" y1="10" y2="10" stroke="%s" stroke-width="3"%s/>`, x, x+22, se.Look.color(), dash)
		t := fmt.Sprintf("%s %s %s", se.Look.Icon, se.Name, thousands(last))
		s.text(x+28, 14, "start", "leg", t)
		x += 28 + textWidth(t) + 22
	}
	// Axes and grid.
	for _, n := range yTicks(most) {
		y := yOf(n)
		s.printf(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, left, left+pw, y, y)
		s.text(left-6, y+4, "end", "tick", thousands(n))
	}
	for i := 0; i <= 4; i++ {
		d := span * time.Duration(i) / 4
		s.text(xOf(d), h-10, "middle", "tick", shortDuration(d))
	}
	s.printf(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axis"/>`, left, left+pw, top+ph, top+ph)
	// Series, drawn as step-after lines: the count changes when a node ends.
	for _, se := range series {
		var d strings.Builder
		fmt.Fprintf(&d, "M%.1f %.1f", xOf(0), yOf(0))
		for _, p := range se.Points {
			fmt.Fprintf(&d, "H%.1fV%.1f", xOf(p.After), yOf(p.N))
		}
		fmt.Fprintf(&d, "H%.1f", xOf(span))
		dash := ""
		if se.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		s.printf(`<path d="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>`, d.String(), se.Look.color(), dash)
	}
	return s.close()
}

// yTicks returns up to three round values from 0 to about most.
func yTicks(most int) []int {
	if most <= 2 {
		return []int{0, most}
	}
	step := niceStep(most / 2)
	out := []int{0}
	for v := step; v <= most; v += step {
		out = append(out, v)
	}
	return out
}

func niceStep(n int) int {
	if n < 1 {
		return 1
	}
	p := 1
	for p*10 <= n {
		p *= 10
	}
	for _, m := range []int{5, 2, 1} {
		if m*p <= n {
			return m * p
		}
	}
	return p
}

// patternDefs defines the fill patterns once per page, in an SVG that
// takes no space; every chart refers to them by ID.
const patternDefs = `<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>` +
	`<pattern id="pat-diag" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2.4" height="6" fill="#fff" fill-opacity=".6"/></pattern>` +
	`<pattern id="pat-cross" width="7" height="7" patternUnits="userSpaceOnUse"><path d="M0 0L7 7M7 0L0 7" stroke="#fff" stroke-opacity=".7" stroke-width="1.5"/></pattern>` +
	`<pattern id="pat-dots" width="5" height="5" patternUnits="userSpaceOnUse"><circle cx="2.5" cy="2.5" r="1.3" fill="#fff" fill-opacity=".75"/></pattern>` +
	`<pattern id="pat-vert" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="2" height="5" fill="#fff" fill-opacity=".6"/></pattern>` +
	`<pattern id="pat-horiz" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="2" fill="#fff" fill-opacity=".6"/></pattern>` +
	`<pattern id="pat-zig" width="8" height="6" patternUnits="userSpaceOnUse"><path d="M0 5L4 1L8 5" fill="none" stroke="#fff" stroke-opacity=".7" stroke-width="1.4"/></pattern>` +
	`</defs></svg>`
