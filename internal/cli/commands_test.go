package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
)

// observed is what a fake session saw right after the first interrupt.
type observed struct{ cancelled, drained bool }

func (observed) Error() string { return "observed" }

// Which commands drain on the first interrupt is declared by each command,
// whatever the global flags before it. Before, the command was guessed from
// the first argument not starting with "-": `--region eu-west-1 apply`
// found "eu-west-1" and cancelled apply at the first Ctrl-C.
func TestFirstInterruptDrainsOnlyDeclaredCommands(t *testing.T) {
	cases := []struct {
		args  []string
		drain bool
	}{
		{[]string{"apply", "--auto-approve"}, true},
		{[]string{"--region", "eu-west-1", "apply", "--auto-approve"}, true},
		{[]string{"--log-level", "warn", "--endpoint-url", "http://127.0.0.1:9", "apply", "--auto-approve"}, true},
		{[]string{"--region", "eu-west-1", "heal", "--once"}, true},
		{[]string{"--region", "eu-west-1", "plan"}, false},
		{[]string{"plan", "--region", "eu-west-1"}, false},
		{[]string{"--profile", "apply", "cleanup"}, false}, // a profile named "apply"
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var errOut bytes.Buffer
			f := NewFactory(&IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &errOut})
			var saw observed
			f.Session = func(ctx context.Context) (*session, error) {
				// The interrupt arrives while the command runs.
				f.Shutdown.Signal(syscall.SIGINT)
				saw = observed{cancelled: ctx.Err() != nil, drained: isClosed(f.Shutdown.Drain())}
				return nil, saw
			}
			code := run(context.Background(), f, c.args)
			if code != ExitInterrupted {
				t.Fatalf("exit %d after SIGINT, want %d; stderr:\n%s", code, ExitInterrupted, errOut.String())
			}
			if want := (observed{cancelled: !c.drain, drained: c.drain}); saw != want {
				t.Errorf("after the first interrupt: %+v, want %+v", saw, want)
			}
		})
	}
}

// Exactly apply, heal and demo declare that they drain.
func TestDrainingCommandsAreDeclared(t *testing.T) {
	root := NewRootCmd(NewFactory(&IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}))
	var got []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Annotations[annotationDrain] == "true" {
			got = append(got, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	slices.Sort(got)
	if want := []string{"patchready apply", "patchready demo", "patchready heal"}; !slices.Equal(got, want) {
		t.Errorf("draining commands %v, want %v", got, want)
	}
}

// capture runs a command built with a runF that keeps its options, so that
// flag parsing and checks are tested with no simulator and no AWS.
func capture[O any](t *testing.T, newCmd func(*Factory, func(*O) error) *cobra.Command, args ...string) (*O, error) {
	t.Helper()
	f := NewFactory(&IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	f.Session = func(context.Context) (*session, error) {
		t.Fatal("a command built with runF reached for a session")
		return nil, nil
	}
	var got *O
	cmd := newCmd(f, func(o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if err == nil && got == nil {
		t.Fatal("runF was not called")
	}
	return got, err
}

func TestApplyFlagsParse(t *testing.T) {
	planFile := savedPlanFile(t)
	cases := []struct {
		name  string
		args  []string
		check func(t *testing.T, o *ApplyOptions)
		err   string
	}{
		{name: "defaults", check: func(t *testing.T, o *ApplyOptions) {
			if o.Timeout != 30*time.Minute || o.PollInterval != 15*time.Second || o.MaxConcurrency != "10%" || o.MaxErrors != "10%" ||
				o.plan.Strategy != "association" || o.format != "text" || o.PlanFile != "" || o.AutoApprove {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{name: "plan file", args: []string{planFile, "--auto-approve", "-o", "json"}, check: func(t *testing.T, o *ApplyOptions) {
			if o.PlanFile != planFile || !o.AutoApprove || o.format != "json" || o.saved == nil || o.saved.plan.Summary.Fix != 3 {
				t.Errorf("got %+v", o)
			}
		}},
		{name: "selection", args: []string{"--instance-ids", "i-0123456789abcdef0,i-00000001", "--tag", "Env=prod", "--platform", "linux"},
			check: func(t *testing.T, o *ApplyOptions) {
				want := fleet.Selection{InstanceIDs: []string{"i-00000001", "i-0123456789abcdef0"}, Tags: []fleet.Tag{{Key: "Env", Value: "prod"}}, Platform: "Linux"}
				if !slices.Equal(o.sel.InstanceIDs, want.InstanceIDs) || !slices.Equal(o.sel.Tags, want.Tags) || o.sel.Platform != want.Platform {
					t.Errorf("selection %+v, want %+v", o.sel, want)
				}
			}},
		{name: "strategy given", args: []string{"--strategy", "maintenance-window"}, check: func(t *testing.T, o *ApplyOptions) {
			if !o.given["strategy"] || o.settings.strategy.String() != "maintenance-window" {
				t.Errorf("got given %v, %v", o.given, o.settings.strategy)
			}
		}},
		{name: "two plan files", args: []string{"a.json", "b.json"}, err: "accepts at most 1 arg"},
		{name: "resume and plan file", args: []string{"a.json", "--resume", "20261125T201500Z-1a2b3c"}, err: "--resume continues a run with its own plan"},
		{name: "bad output", args: []string{"-o", "yaml"}, err: `-o "yaml": apply reports in text or json`},
		{name: "bad tag", args: []string{"--tag", "Env"}, err: `--tag "Env"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := capture(t, NewCmdApply, c.args...)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, o)
		})
	}
}

func TestOtherCommandsFlagsParse(t *testing.T) {
	t.Run("plan", func(t *testing.T) {
		o, err := capture(t, NewCmdPlan, "--out", "p.json", "-o", "markdown", "--detailed-exitcode", "--exclude-instance-ids", "i-00000001")
		if err != nil || o.Out != "p.json" || o.format != "markdown" || !o.DetailedExitcode || !slices.Equal(o.selected.ExcludeInstanceIDs, []string{"i-00000001"}) {
			t.Errorf("plan: %v, %+v", err, o)
		}
	})
	t.Run("heal", func(t *testing.T) {
		o, err := capture(t, NewCmdHeal, "--once", "--interval", "2h", "--max-targets", "5%")
		if err != nil || !o.Once || o.Interval != 2*time.Hour || o.MaxTargets != "5%" {
			t.Errorf("heal: %v, %+v", err, o)
		}
		if _, err := capture(t, NewCmdHeal, "--interval", "10s"); err == nil || !strings.Contains(err.Error(), "--interval 10s") {
			t.Errorf("heal --interval 10s: %v", err)
		}
	})
	t.Run("cleanup", func(t *testing.T) {
		o, err := capture(t, NewCmdCleanup, "--dry-run", "--run-id", "20261125T201500Z-1a2b3c")
		if err != nil || !o.DryRun || o.RunID != "20261125T201500Z-1a2b3c" {
			t.Errorf("cleanup: %v, %+v", err, o)
		}
		if _, err := capture(t, NewCmdCleanup, "--run-id", "nope"); err == nil || !strings.Contains(err.Error(), `--run-id "nope"`) {
			t.Errorf("cleanup --run-id nope: %v", err)
		}
	})
	t.Run("schedule install", func(t *testing.T) {
		o, err := capture(t, NewCmdScheduleInstall, "--tag", "Env=prod", "--schedule", "rate(7 days)")
		if err != nil || o.spec.AgentTag == nil || o.spec.AgentTag.Value != "prod" || o.spec.Schedule != "rate(7 days)" {
			t.Errorf("schedule install: %v, %+v", err, o)
		}
	})
	t.Run("show", func(t *testing.T) {
		o, err := capture(t, NewCmdShow, "p.json", "-o", "json")
		if err != nil || o.PlanFile != "p.json" || o.Output != "json" {
			t.Errorf("show: %v, %+v", err, o)
		}
	})
	t.Run("demo", func(t *testing.T) {
		if _, err := capture(t, NewCmdDemo, "--strategy", "carrier-pigeon"); err == nil || !strings.Contains(err.Error(), "--strategy") {
			t.Errorf("demo --strategy carrier-pigeon: %v", err)
		}
	})
	t.Run("bench", func(t *testing.T) {
		o, err := capture(t, NewCmdBench, "--sizes", "10,20")
		if err != nil || !slices.Equal(o.sizes, []int{10, 20}) {
			t.Errorf("bench: %v, %+v", err, o)
		}
	})
	t.Run("sim serve", func(t *testing.T) {
		_, err := capture(t, NewCmdSimServe, "--size", "5", "--fleet", "f.yaml")
		if err == nil || !strings.Contains(err.Error(), "give one") {
			t.Errorf("sim serve --size --fleet: %v", err)
		}
	})
}

// savedPlanFile writes a plan of endpointFleet's nodes (three to update,
// one compliant, one offline) made in us-east-1, and returns its path.
func savedPlanFile(t *testing.T) string {
	t.Helper()
	return savedPlanFileWith(t, plan.DefaultStrategy)
}

// savedPlanFileWith is savedPlanFile with the given strategy.
func savedPlanFileWith(t *testing.T, strategy plan.Strategy) string {
	t.Helper()
	var nodes []fleet.Node
	for _, n := range endpointFleet().Nodes {
		ping := n.PingStatus
		if ping == "" {
			ping = fleet.PingOnline
		}
		nodes = append(nodes, fleet.Node{InstanceID: n.ID, PingStatus: ping, AgentVersion: n.AgentVersion,
			PlatformType: n.PlatformType, PlatformName: n.PlatformName, PlatformVersion: n.PlatformVersion})
	}
	p := plan.Build(nodes, nil, plan.Options{Region: "us-east-1", Rules: prereq.Default(), Strategy: strategy})
	file := filepath.Join(t.TempDir(), "plan.json")
	if err := plan.SaveFile(file, p); err != nil {
		t.Fatal(err)
	}
	return file
}

// savedOrgPlanFile saves a plan across two targets, 111111111111 in
// us-east-1 and 222222222222 in eu-west-1, each the endpoint fleet's plan.
func savedOrgPlanFile(t *testing.T) string {
	t.Helper()
	one, err := plan.LoadFile(savedPlanFile(t))
	if err != nil {
		t.Fatal(err)
	}
	two := one
	p := plan.Merge([]plan.Part{
		{Target: plan.Target{Account: "111111111111", Region: "us-east-1"}, Plan: &one},
		{Target: plan.Target{Account: "222222222222", Region: "eu-west-1"}, Plan: &two},
	}, plan.Options{Rules: one.Rules, Strategy: one.Strategy})
	file := filepath.Join(t.TempDir(), "org-plan.json")
	if err := plan.SaveFile(file, p); err != nil {
		t.Fatal(err)
	}
	return file
}
