package htmlpage_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/report"
	"github.com/patchready/patchready/internal/report/htmlpage"
)

func hostilePlan() plan.Plan {
	evil := fleet.Node{InstanceID: "i-0000000000000000f", ComputerName: "<img src=x onerror=alert(1)>", PingStatus: fleet.PingOnline,
		AgentVersion: "3.3.1142.0", PlatformType: fleet.PlatformLinux, PlatformName: "Evil</script><script>alert(1)</script>\x1b[31m", PlatformVersion: "1"}
	ok := fleet.Node{InstanceID: "i-0000000000000000a", PingStatus: fleet.PingOnline, AgentVersion: "2.0.700.0",
		PlatformType: fleet.PlatformLinux, PlatformName: "Ubuntu", PlatformVersion: "22.04"}
	return plan.Build([]fleet.Node{evil, ok}, nil, plan.Options{CreatedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Region: "eu-west-1", Rules: prereq.Default(), ProbeRan: true})
}

func render(t *testing.T, p plan.Plan, runs ...report.Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := htmlpage.Write(&b, report.Build(p, report.Options{Runs: runs}), htmlpage.Options{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var external = regexp.MustCompile(`(?i)(src|href|action|xlink:href)\s*=\s*["']?\s*(https?:|//|ftp:)|url\(\s*["']?(https?:|//)|@import|<link\b|<iframe\b|<img\b`)

func TestPageLoadsNothing(t *testing.T) {
	m := mixedFixture(t)
	page := render(t, m.plan, m.run)
	if loc := external.FindStringIndex(page); loc != nil {
		t.Fatalf("the page refers outside itself: %q", page[max(0, loc[0]-60):min(len(page), loc[1]+60)])
	}
	// The Content-Security-Policy names exactly the page's own style and
	// script.
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindStringSubmatch(page)
	if csp != nil {
		csp[1] = html.UnescapeString(csp[1])
	}
	if csp == nil || !strings.Contains(csp[1], "default-src 'none'") {
		t.Fatalf("no strict Content-Security-Policy: %v", csp)
	}
	for _, re := range []string{`<style>([\s\S]*?)</style>`, `<script>([\s\S]*?)</script>`} {
		body := regexp.MustCompile(re).FindStringSubmatch(page)
		if body == nil {
			t.Fatalf("no %s in the page", re)
		}
		sum := sha256.Sum256([]byte(body[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp[1], h) {
			t.Errorf("the policy does not allow the page's own %s (%s)", re[:7], h)
		}
	}
}

func TestNodeTextIsEscaped(t *testing.T) {
	page := render(t, hostilePlan())
	for _, bad := range []string{"<script>alert(1)", "<img src=x", "\x1b"} {
		if strings.Contains(page, bad) {
			t.Errorf("node text reached the page unescaped: %q", bad)
		}
	}
	// The text is still there for the reader: escaped in the charts and
	// intact in the table data.
	if !strings.Contains(page, "Evil&lt;/script&gt;") {
		t.Error("the hostile platform name is missing from the charts")
	}
	data := regexp.MustCompile(`<script type="application/json" id="node-data">([\s\S]*?)</script>`).FindStringSubmatch(page)
	if data == nil {
		t.Fatal("no node data")
	}
	var d struct {
		S    []string
		Rows [][]any
	}
	if err := json.Unmarshal([]byte(data[1]), &d); err != nil {
		t.Fatalf("node data is not JSON: %v", err)
	}
	if len(d.Rows) != 2 || d.Rows[1][1] != "<img src=x onerror=alert(1)>" {
		t.Errorf("table rows: %v", d.Rows)
	}
}

// A report stays small: the 100,000-node target is 15 MB, 150 bytes a
// node. The table's strings are shared, so the bytes per node hardly grow
// with the fleet; 10,000 nodes hold it to that budget in a fraction of
// the time (BenchmarkReport100k gives the 100k figure).
func TestReportSizePerNode(t *testing.T) {
	const n = 10_000
	page := render(t, generatedPlan(n))
	if per := len(page) / n; per > 150 {
		t.Errorf("%d bytes a node (%d for %d nodes); the budget is 150", per, len(page), n)
	} else {
		t.Logf("%d bytes for %d nodes (%d a node)", len(page), n, per)
	}
}

// The per-account section appears only when nodes carry an account or a
// region (report.NodeScope says where they live).
func TestScopeSectionOnlyWithScopes(t *testing.T) {
	p := hostilePlan()
	if page := render(t, p); strings.Contains(page, "By account and region") {
		t.Error("a plan whose nodes carry no account shows a per-account section")
	}
	var b bytes.Buffer
	scope := func(np plan.NodePlan) report.Scope {
		return report.Scope{Account: "111122223333", Region: "eu-west-" + np.Node.InstanceID[len(np.Node.InstanceID)-1:]}
	}
	if err := htmlpage.Write(&b, report.Build(p, report.Options{Scope: scope}), htmlpage.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"By account and region", "111122223333 / eu-west-a", "111122223333 / eu-west-f"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the per-account section lacks %q", want)
		}
	}
}
