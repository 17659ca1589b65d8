package htmlpage

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/report"
)

//go:embed assets/page.html.tmpl assets/style.css assets/app.js
var assets embed.FS

var (
	pageTmpl = template.Must(template.ParseFS(assets, "assets/page.html.tmpl"))
	style    = mustRead("assets/style.css")
	script   = mustRead("assets/app.js")
	// csp allows the page's own style and script, by hash, and nothing
	// else: no other script, no request to anywhere but the page's own
	// origin (the dashboard's status poll).
	csp = fmt.Sprintf("default-src 'none'; style-src '%s'; script-src '%s'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'",
		hash(style), hash(script))
)

func mustRead(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err) // embedded: a missing file is a build defect
	}
	return string(b)
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Options adjust the page.
type Options struct {
	// Live makes the page a dashboard that polls its status URL and
	// reloads itself when a new cycle is reported; nil for a report file.
	Live *Live
}

// Live describes the dashboard page of a heal cycle.
type Live struct {
	// StatusURL is polled for the latest cycle (heal's /api/status).
	StatusURL string
	// RunID is the cycle the page shows; the page reloads when the status
	// reports another.
	RunID string
	// Poll is the time between polls (30 s when zero).
	Poll time.Duration
	// Cycle describes the heal cycle the page shows.
	Cycle *Cycle
	// Waiting says no cycle has finished yet: the page says so instead of
	// describing an empty plan.
	Waiting bool
}

// PollSeconds is Poll in whole seconds.
func (l *Live) PollSeconds() int {
	if l.Poll <= 0 {
		return 30
	}
	return max(1, int(l.Poll/time.Second))
}

// Cycle is what the dashboard says about a heal cycle beyond its plan.
type Cycle struct {
	RunID    string
	Result   string
	Started  time.Time
	Finished time.Time
	Targets  int
	Verified int
	Error    string
	// BackingOff are nodes left alone this cycle because they failed before.
	BackingOff []BackingOff
}

// BackingOff is a node heal is leaving alone for now.
type BackingOff struct {
	InstanceID string
	Failures   int
	RetryAfter time.Time
	Reason     string
}

// Write writes pg as one HTML page.
func Write(w io.Writer, pg report.Page, opts Options) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	v := newView(pg, opts)
	if err := pageTmpl.ExecuteTemplate(bw, "body", v); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if _, err := io.WriteString(bw, `<script type="application/json" id="node-data">`); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := writeNodeData(bw, pg); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if _, err := io.WriteString(bw, "</script>\n"); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := pageTmpl.ExecuteTemplate(bw, "end", v); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// view is what the template reads.
type view struct {
	CSP         string
	Style       template.CSS
	Script      template.JS
	Patterns    template.HTML
	Title       string
	Heading     string
	ToolVersion string
	Created     string
	Fingerprint string
	Floor       string
	Meta        []fact
	Headline    string
	Warnings    []string
	Cards       []card
	Verdicts    figure
	Causes      []report.Cause
	CauseFigure figure
	Platforms   figure
	Agents      figure
	Checks      figure
	Notes       *figure
	Scopes      *figure
	Runs        []runView
	NodeCount   string
	Live        *Live
	Cycle       *cycleView
}

type fact struct{ Name, Value string }

type card struct {
	Name, Tone, Icon, Blurb, Pct string
	N                            string
}

func newView(pg report.Page, opts Options) view {
	p := pg.Plan
	where := p.Region
	if where == "" {
		where = "no region recorded"
	}
	if p.Account != "" {
		where = p.Account + " / " + where
	}
	v := view{
		CSP: csp, Style: template.CSS(style), Script: template.JS(script), Patterns: template.HTML(patternDefs),
		Title:       "Patch Manager readiness · " + where + " · " + utc(p.CreatedAt),
		Heading:     "Patch Manager readiness",
		ToolVersion: p.ToolVersion, Created: utc(p.CreatedAt), Fingerprint: shortFingerprint(p.Fingerprint),
		Floor:     report.AgentFloor(p),
		NodeCount: plural(len(p.Nodes), "node", "nodes"),
		Live:      opts.Live,
		Verdicts:  verdictFigure(pg).cleaned(),
		Platforms: platformFigure(pg).cleaned(),
		Agents:    agentFigure(pg).cleaned(),
		Checks:    checkFigure(pg).cleaned(),
		Causes:    cleanCauses(pg.Causes),
	}
	v.Meta = []fact{
		{"Account / region", where},
		{"Plan made", utc(p.CreatedAt)},
		{"Nodes", thousands(len(p.Nodes))},
		{"Agent floor", report.AgentFloor(p)},
		{"Strategy", p.Strategy.String()},
	}
	v.Meta = append(v.Meta, fact{"Selection", plan.DescribeSelection(p.Selection)})
	if p.Scanned {
		v.Meta = append(v.Meta, fact{"Patch Manager's scan", fmt.Sprintf("passed on %s, failed on %s (plan --scan); patching the nodes it passed is Patch Manager's next step, not patchready's",
			thousands(p.Summary.ScanPassed), thousands(p.Summary.ScanFailed))})
	}
	if !p.ProbeRan {
		v.Warnings = append(v.Warnings, "The proxy probe did not run (--no-probe): the Python requests module was not checked on any Amazon Linux node.")
	}
	total := len(p.Nodes)
	for i, c := range pg.Verdicts {
		l := lookFor(c.Name, i)
		v.Cards = append(v.Cards, card{Name: c.Name, N: thousands(c.N), Tone: l.Tone, Icon: l.Icon, Blurb: l.Blurb, Pct: percent(c.N, total)})
	}
	v.Headline = clean(headline(pg))
	if len(pg.Causes) > 0 {
		v.CauseFigure = causeFigure(pg).cleaned()
	}
	if len(pg.Notes) > 0 {
		f := noteFigure(pg).cleaned()
		v.Notes = &f
	}
	if pg.Scopes != nil {
		f := scopeFigure(pg).cleaned()
		v.Scopes = &f
	}
	for i, r := range pg.Runs {
		v.Runs = append(v.Runs, newRunView(i, r, p.Fingerprint))
	}
	if opts.Live != nil && opts.Live.Cycle != nil {
		v.Cycle = newCycleView(*opts.Live.Cycle)
		v.Heading = "Patch Manager readiness, live"
	}
	if opts.Live != nil && opts.Live.Waiting {
		v.Heading = "Patch Manager readiness, live"
		v.Headline = "No heal cycle has finished yet. This page shows the first one as soon as it ends."
		v.Meta = nil
	}
	return v
}

// headline says the page's news in one sentence: how many nodes, and how
// they split by verdict.
func headline(pg report.Page) string {
	total := len(pg.Plan.Nodes)
	if total == 0 {
		return "No managed nodes matched the plan's selection."
	}
	var nonzero []report.Count
	for _, c := range pg.Verdicts {
		if c.N > 0 {
			nonzero = append(nonzero, c)
		}
	}
	if len(nonzero) == 1 {
		return fmt.Sprintf("All %s are %s.", plural(total, "node", "nodes"), nonzero[0].Name)
	}
	return fmt.Sprintf("Of %s: %s.", plural(total, "node", "nodes"), countsSentence(nonzero, total))
}

func shortFingerprint(f string) string {
	f = strings.TrimPrefix(f, "sha256:")
	if len(f) > 16 {
		return f[:16]
	}
	return f
}

func cleanCauses(cs []report.Cause) []report.Cause {
	out := make([]report.Cause, len(cs))
	for i, c := range cs {
		c.Title, c.Advice = clean(c.Title), clean(c.Advice)
		c.Reasons = append([]report.Count(nil), c.Reasons...)
		for j := range c.Reasons {
			c.Reasons[j].Name = clean(c.Reasons[j].Name)
		}
		out[i] = c
	}
	return out
}
