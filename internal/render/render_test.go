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
		Region: "eu-west-1", Account: "123456789012", Prereqs: prereq.Default(), ProbeRan: probeRan,
		Selection: fleet.Selection{Tags: []fleet.Tag{{Key: "env", Value: "prod"}}}}
}

// smallPlan has one node of every kind a reviewer meets.
func smallPlan() plan.Plan {
	offline := n("i-0000000000000000d", "3.3.1142.0", "Ubuntu", "22.04")
	offline.PingStatus = fleet.PingConnectionLost
	outdated := n("i-0000000000000000e", "3.2.0.0", "Ubuntu", "20.04")
	outdated.IsLatestVersion = false
	both := n("i-0000000000000000b", "2.0.700.0", "Amazon Linux", "2")
	both.Probe = &fleet.ProbeFacts{Status: fleet.ProbeOK, Proxied: true, ProxyScheme: "https", RequestsVersion: "2.6.0"}
	hostile := n("i-0000000000000000f", "3.3.1142.0", "Evil\x1b[31mOS|<b>", "1")
	nodes := []fleet.Node{
		n("i-0000000000000000a", "2.0.700.0", "Microsoft Windows Server 2019 Datacenter", "10.0.17763"),
		both,
		n("i-0000000000000000c", "3.3.1142.0", "Ubuntu", "22.04"),
		offline,
		outdated,
		hostile,
		n("i-00000000000000010", "garbage", "Ubuntu", "22.04"),
	}
	return plan.Build(nodes, nil, opts(true))
}

func bigPlan(probeRan bool) plan.Plan {
	var nodes []fleet.Node
	for i := range 25 {
		nodes = append(nodes, n(fmt.Sprintf("i-%017x", i), "2.0.700.0", "Amazon Linux", "2023"))
	}
	for i := 25; i < 30; i++ {
		nodes = append(nodes, n(fmt.Sprintf("i-%017x", i), "3.3.1142.0", "Amazon Linux", "2023"))
	}
	return plan.Build(nodes, nil, opts(probeRan))
}

func TestPlanGolden(t *testing.T) {
	allCompliant := plan.Build([]fleet.Node{n("i-0000000000000000c", "3.3.1142.0", "Ubuntu", "22.04"), n("i-0000000000000000a", "3.3.1142.0", "Ubuntu", "24.04")}, nil, opts(true))
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
			path := filepath.Join("testdata", tt.golden+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("output differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
			}
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
