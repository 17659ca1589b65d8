package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/remedy"
)

// reportFixture saves a two-node plan and the journal of a run from it.
func reportFixture(t *testing.T) (planFile, stateDir, runID string) {
	t.Helper()
	dir := t.TempDir()
	nodes := []fleet.Node{
		{InstanceID: "i-0000000000000000a", PingStatus: fleet.PingOnline, AgentVersion: "2.0.700.0", PlatformType: "Linux", PlatformName: "Ubuntu", PlatformVersion: "22.04"},
		{InstanceID: "i-0000000000000000b", PingStatus: fleet.PingConnectionLost, AgentVersion: "3.3.1142.0", PlatformType: "Linux", PlatformName: "Ubuntu", PlatformVersion: "22.04"},
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	p := plan.Build(nodes, nil, plan.Options{CreatedAt: t0, Region: "eu-west-1", Rules: prereq.Default(), ProbeRan: true, ToolVersion: "test"})
	planFile = filepath.Join(dir, "plan.json")
	if err := plan.SaveFile(planFile, p); err != nil {
		t.Fatal(err)
	}
	runID = "20260302T090000Z-abcdef"
	clockAt := t0
	j, err := remedy.OpenJournal(dir, runID, func() time.Time { clockAt = clockAt.Add(time.Minute); return clockAt })
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Append(remedy.Entry{Kind: remedy.EntryRunStarted, RunID: runID, Fingerprint: p.Fingerprint}); err != nil {
		t.Fatal(err)
	}
	if err := j.Node("i-0000000000000000a", "failed", "agent update failed (Failed)"); err != nil {
		t.Fatal(err)
	}
	return planFile, dir, runID
}

func TestReportAndShowHTML(t *testing.T) {
	planFile, stateDir, runID := reportFixture(t)
	out := filepath.Join(t.TempDir(), "report.html")
	tests := []struct {
		name string
		args []string
		file string
		want []string
	}{
		{"show -o html", []string{"show", planFile, "-o", "html"}, "", []string{"<!doctype html>", "i-0000000000000000b", "1 fix", "1 blocked"}},
		{"report to stdout with a journal", []string{"report", planFile, "--journal", remedy.JournalPath(stateDir, runID)}, "",
			[]string{"<!doctype html>", "Run <code>" + runID + "</code>", "agent update failed (Failed)"}},
		{"report to a file with --run", []string{"report", planFile, "--run", runID, "--state-dir", stateDir, "--out", out}, out,
			[]string{"<!doctype html>", runID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, tt.args)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			got := stdout.String()
			if tt.file != "" {
				b, err := os.ReadFile(tt.file)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
				if fi, _ := os.Stat(tt.file); fi.Mode().Perm() != 0o600 {
					t.Errorf("report mode %v, want 0600", fi.Mode().Perm())
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q", w)
				}
			}
		})
	}
}

func TestReportRefusesWhatItCannotRead(t *testing.T) {
	planFile, stateDir, _ := reportFixture(t)
	for _, args := range [][]string{
		{"report", filepath.Join(stateDir, "missing.json")},
		{"report", planFile, "--run", "no-such-run", "--state-dir", stateDir},
		{"heal", "--notify-webhook", "hooks.example/secret-token"},
		{"heal", "--notify-sns-topic", "patchready-alerts"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Run(context.Background(), &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, args); code != ExitError {
			t.Errorf("%v: exit %d, want %d", args, code, ExitError)
		}
		if strings.Contains(stderr.String(), "secret-token") {
			t.Errorf("%v: the error quotes the webhook URL: %s", args, stderr.String())
		}
	}
}
