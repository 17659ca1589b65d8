package render

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func n(id, agent, name, version string) fleet.Node {
	ptype := fleet.PlatformLinux
	if strings.Contains(name, "Windows") {
		ptype = fleet.PlatformWindows
	}
	return fleet.Node{InstanceID: id, PingStatus: fleet.PingOnline, AgentVersion: agent, IsLatestVersion: true,
		PlatformType: ptype, PlatformName: name, PlatformVersion: version}
}

func opts(probeRan bool) plan.Options {
	return plan.Options{ToolVersion: "0.1.0", CreatedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Region: "eu-west-1", Account: "123456789012", Rules: prereq.Default(), ProbeRan: probeRan,
		Selection: fleet.Selection{Tags: []fleet.Tag{{Key: "env", Value: "prod"}}}}
}

// report is what the probe says of a node whose patch run works, edited.
func report(edit ...func(*documents.ProbeReport)) *fleet.ProbeFacts {
	r := documents.ProbeReport{Schema: documents.ProbeReportSchema, Which: true, PackageManagers: "yum", PackageManager: "yum", Python: "python2.7",
		PythonPath: "/usr/bin/python2.7", PythonVersion: "2.7.18", PackageModule: "ok", RequestsVersion: "2.25.1", Pip: "ok",
		Downloader: "curl", Payload: "reachable", PayloadCode: "403", VarFreeMB: 4000}
	for _, e := range edit {
		e(&r)
	}
	return &fleet.ProbeFacts{Status: fleet.ProbeOK, ProbeReport: r}
}

// probed gives n the report of a healthy node.
func probed(n fleet.Node, edit ...func(*documents.ProbeReport)) fleet.Node {
	n.Probe = report(edit...)
	return n
}

// smallPlan has one node of every kind a reviewer meets.
func smallPlan() plan.Plan {
	offline := n("i-0000000000000000d", "3.3.1142.0", "Ubuntu", "22.04")
	offline.PingStatus = fleet.PingConnectionLost
	outdated := n("i-0000000000000000e", "3.2.0.0", "Ubuntu", "20.04")
	outdated.IsLatestVersion = false
	both := probed(n("i-0000000000000000b", "2.0.700.0", "Amazon Linux", "2"), func(r *documents.ProbeReport) {
		r.Proxied, r.ProxyScheme, r.RequestsVersion = true, "https", "2.6.0"
	})
	hostile := probed(n("i-0000000000000000f", "3.3.1142.0", "Evil\x1b[31mOS|<b>", "1"))
	bare := probed(n("i-00000000000000011", "3.3.1142.0", "Ubuntu", "24.04"), func(r *documents.ProbeReport) {
		r.PackageManagers, r.PackageManager, r.Python, r.PythonPath, r.PythonVersion, r.PackageModule = "apt", "", "", "", "", "na"
		r.PythonError = "An unsupported package manager and python version combination was found. Apt requires Python3 to be installed."
		r.Downloader, r.Payload, r.PayloadCode = "", "untested", ""
	})
	walled := probed(n("i-00000000000000012", "3.3.1142.0", "Amazon Linux", "2023"), func(r *documents.ProbeReport) {
		r.PackageManagers, r.PackageManager, r.Python, r.PythonVersion = "dnf", "dnf", "python3", "3.9.16"
		r.Payload, r.PayloadCode = "unreachable", "curl:28"
	})
	nodes := []fleet.Node{
		n("i-0000000000000000a", "2.0.700.0", "Microsoft Windows Server 2019 Datacenter", "10.0.17763"),
		both,
		probed(n("i-0000000000000000c", "3.3.1142.0", "Ubuntu", "22.04")),
		offline,
		probed(outdated),
		hostile,
		probed(n("i-00000000000000010", "garbage", "Ubuntu", "22.04")),
		bare,
		walled,
	}
	return plan.Build(nodes, nil, opts(true))
}

func bigPlan(probeRan bool) plan.Plan {
	var nodes []fleet.Node
	for i := range 30 {
		agent := "2.0.700.0"
		if i >= 25 {
			agent = "3.3.1142.0"
		}
		node := n(fmt.Sprintf("i-%017x", i), agent, "Amazon Linux", "2023")
		if probeRan {
			node = probed(node)
		} else {
			node.Probe = &fleet.ProbeFacts{Status: fleet.ProbeSkipped, Reason: "probe turned off (--no-probe)"}
		}
		nodes = append(nodes, node)
	}
	return plan.Build(nodes, nil, opts(probeRan))
}

func TestPlanGolden(t *testing.T) {
	allCompliant := plan.Build([]fleet.Node{probed(n("i-0000000000000000c", "3.3.1142.0", "Ubuntu", "22.04")), probed(n("i-0000000000000000a", "3.3.1142.0", "Ubuntu", "24.04"))}, nil, opts(true))
	tests := []struct {
		golden string
		p      plan.Plan
		f      Format
		o      Options
	}{
		{"small.txt", smallPlan(), Text, Options{}},
		{"small-color.txt", smallPlan(), Text, Options{Color: true}},
		{"small.md", smallPlan(), Markdown, Options{}},
		{"big-noprobe.txt", bigPlan(false), Text, Options{}},
		{"big-verbose.txt", bigPlan(true), Text, Options{Verbose: true}},
		{"big-noprobe.md", bigPlan(false), Markdown, Options{}},
		{"compliant.txt", allCompliant, Text, Options{}},
		{"empty.txt", plan.Build(nil, nil, opts(true)), Text, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Plan(&buf, tt.p, tt.f, tt.o); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.golden, buf.String())
			if !tt.o.Color && strings.Contains(buf.String(), "\x1b") {
				t.Error("escape sequence in output without colour")
			}
		})
	}
}

func TestJSONIsThePlanFile(t *testing.T) {
	p := smallPlan()
	var buf bytes.Buffer
	if err := Plan(&buf, p, JSON, Options{Verbose: true, Color: true}); err != nil {
		t.Fatal(err)
	}
	var saved bytes.Buffer
	if err := plan.Save(&saved, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), saved.Bytes()) {
		t.Fatal("JSON output is not the saved plan document")
	}
	back, err := plan.Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// The hostile ESC byte survives in data: JSON escapes it, and only the
	// human views replace it.
	if !reflect.DeepEqual(back, p) {
		t.Fatal("JSON output does not load back to the same plan")
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%s) = %v, %v", f, got, err)
		}
	}
	_, err := ParseFormat("yaml")
	if err == nil || err.Error() != `unknown output format "yaml": use text, json or markdown` {
		t.Fatalf("err = %v", err)
	}
	if err := Plan(&bytes.Buffer{}, smallPlan(), Format("html"), Options{}); err == nil {
		t.Fatal("rendered an unknown format")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestWriteErrorsAreReturned(t *testing.T) {
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			if err := Plan(failingWriter{}, smallPlan(), f, Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Amazon Linux", "Amazon Linux"},
		{"a\x1b[2Jb", "a\uFFFD[2Jb"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"line\u2028break", "line\uFFFDbreak"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := clean(tt.in); got != tt.want {
				t.Fatalf("clean(%q) = %q", tt.in, got)
			}
		})
	}
	long := strings.Repeat("x", 100)
	if got := short(long); got != strings.Repeat("x", 64)+"…" {
		t.Errorf("short(100 x) = %q", got)
	}
	if got := clean(long); got != long {
		t.Error("clean cut a long string")
	}
}

// checkGolden compares got with testdata/name.golden (go test -update
// rewrites it).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
