package cli

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/heal"
	"github.com/patchready/patchready/internal/ssmsim"
)

func healOptions(f *Factory, ios *IOStreams, dir string) *HealOptions {
	return &HealOptions{IO: ios, Session: f.Session, Clock: f.Clock, Shutdown: f.Shutdown, Interval: time.Hour, Once: true, MaxConcurrency: "10%", MaxErrors: "10%", Timeout: time.Hour,
		PollInterval: 15 * time.Second, MaxBackoff: heal.DefaultMaxBackoff, StateDir: dir, NoProbe: true, Output: "text",
		MetricsAddr: "127.0.0.1:0"}
}

// heal --once exits as apply does: 3 while a node is not compliant (here
// one whose update fails, then backing off), 0 once everything that needed
// a fix was fixed.
func TestHealOnceExitCodes(t *testing.T) {
	bad := ssmsim.Node{ID: "i-00000000000000002", PlatformType: "Linux", PlatformName: "Ubuntu", PlatformVersion: "22.04",
		AgentVersion: "2.0.700.0", Faults: ssmsim.NodeFaults{UpdateFails: true}}
	good := bad
	good.ID, good.Faults = "i-00000000000000001", ssmsim.NodeFaults{}
	f, sim, _ := simFactory(t, ssmsim.Fleet{Nodes: []ssmsim.Node{good, bad}})
	dir := t.TempDir()
	run := func() (int, string) {
		var out, errOut bytes.Buffer
		o := healOptions(f, &IOStreams{Out: &out, ErrOut: &errOut}, dir)
		err := o.CheckAndSetDefaults()
		if err == nil {
			err = healRun(context.Background(), o)
		}
		return exitCode(err), out.String()
	}
	line := regexp.MustCompile(`^heal \d{8}T\d{6}Z-[0-9a-f]{6} `)

	code, out := run()
	if code != ExitNotCompliant || !line.MatchString(out) || !bytes.Contains([]byte(out), []byte("not-compliant: 2 nodes: 0 compliant, 2 to fix, 0 blocked; fixed 1 of 2")) {
		t.Errorf("first run: exit %d, stdout %q", code, out)
	}
	code, out = run()
	if code != ExitNotCompliant || !bytes.Contains([]byte(out), []byte("1 backing off")) {
		t.Errorf("second run: exit %d, stdout %q; want the failing node backing off", code, out)
	}

	// Take the failing node out of the selection: everything selected is fixed.
	sim.WithRegion("us-east-1", func(r *ssmsim.Region) { r.Terminate(bad.ID) })
	code, out = run()
	if code != ExitOK {
		t.Errorf("third run: exit %d, stdout %q; want 0", code, out)
	}
}

func TestHealValidatesFlags(t *testing.T) {
	f, _, _ := simFactory(t, ssmsim.Fleet{})
	for name, mod := range map[string]func(o *HealOptions){
		"tiny interval":          func(o *HealOptions) { o.Interval = time.Second },
		"backoff below interval": func(o *HealOptions) { o.MaxBackoff = time.Minute },
		"bad max-targets":        func(o *HealOptions) { o.MaxTargets = "lots" },
		"bad max-concurrency":    func(o *HealOptions) { o.MaxConcurrency = "0" },
		"bad output":             func(o *HealOptions) { o.Output = "yaml" },
	} {
		t.Run(name, func(t *testing.T) {
			o := healOptions(f, &IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, t.TempDir())
			mod(o)
			err := o.CheckAndSetDefaults()
			var ee *exitError
			if err == nil || errors.As(err, &ee) {
				t.Errorf("healRun = %v, want a plain input error", err)
			}
		})
	}
}
