package heal_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/patchready/patchready/internal/cli"
)

// The examples under examples/ are what the README tells users to copy:
// their command lines must parse with the real command tree, and the
// CronJob must forbid overlapping runs.

// parseCommandLine checks that args (without the program name) name the
// heal command, that its flags parse, and that it is a scheduled run:
// --once, with the --interval and --state-dir a schedule needs.
func parseCommandLine(t *testing.T, args []string) {
	t.Helper()
	var out bytes.Buffer
	root := cli.NewRootCmd(cli.NewFactory(&cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}))
	cmd, rest, err := root.Find(args)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	if cmd.Name() != "heal" {
		t.Fatalf("%q runs %q, want heal", args, cmd.CommandPath())
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	if extra := cmd.Flags().Args(); len(extra) > 0 {
		t.Errorf("%q: unexpected arguments %q", args, extra)
	}
	if once, err := cmd.Flags().GetBool("once"); err != nil || !once {
		t.Errorf("%q: --once = %v (%v); a scheduled run must be one cycle", args, once, err)
	}
	for _, name := range []string{"interval", "state-dir"} {
		if !cmd.Flags().Changed(name) {
			t.Errorf("%q: --%s not set; scheduled runs need it (backoff base, persistent state)", args, name)
		}
	}
}

func TestCronJobExample(t *testing.T) {
	f, err := os.Open("examples/cronjob.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type container struct {
		Command []string `yaml:"command"`
		Args    []string `yaml:"args"`
		Env     []struct {
			Name string `yaml:"name"`
		} `yaml:"env"`
	}
	var cron struct {
		Kind string `yaml:"kind"`
		Spec struct {
			ConcurrencyPolicy string `yaml:"concurrencyPolicy"`
			JobTemplate       struct {
				Spec struct {
					Template struct {
						Spec struct {
							ServiceAccountName string      `yaml:"serviceAccountName"`
							Containers         []container `yaml:"containers"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			} `yaml:"jobTemplate"`
		} `yaml:"spec"`
	}
	kinds := map[string]bool{}
	dec := yaml.NewDecoder(f)
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("cronjob.yaml: %v", err)
		}
		var meta struct {
			Kind string `yaml:"kind"`
		}
		if err := doc.Decode(&meta); err != nil {
			t.Fatal(err)
		}
		kinds[meta.Kind] = true
		if meta.Kind == "CronJob" {
			if err := doc.Decode(&cron); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !kinds["CronJob"] || !kinds["ServiceAccount"] || !kinds["PersistentVolumeClaim"] {
		t.Fatalf("cronjob.yaml has %v; want a CronJob, its ServiceAccount and the state volume claim", kinds)
	}
	if cron.Spec.ConcurrencyPolicy != "Forbid" {
		t.Errorf("concurrencyPolicy = %q, want Forbid", cron.Spec.ConcurrencyPolicy)
	}
	pod := cron.Spec.JobTemplate.Spec.Template.Spec
	if pod.ServiceAccountName != "patchready" || len(pod.Containers) != 1 {
		t.Fatalf("pod spec: %+v", pod)
	}
	c := pod.Containers[0]
	argv := append(append([]string{}, c.Command...), c.Args...)
	if len(argv) < 2 || argv[0] != "patchready" {
		t.Fatalf("container runs %q, want patchready", argv)
	}
	parseCommandLine(t, argv[1:])
	hasRegion := false
	for _, e := range c.Env {
		hasRegion = hasRegion || e.Name == "AWS_REGION"
	}
	if !hasRegion {
		t.Error("the container sets no AWS_REGION")
	}
}

func TestSystemdExample(t *testing.T) {
	b, err := os.ReadFile("examples/patchready-heal.service")
	if err != nil {
		t.Fatal(err)
	}
	var exec string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "ExecStart="); ok {
			exec = v
		}
	}
	argv := strings.Fields(exec)
	if len(argv) < 2 || !strings.HasSuffix(argv[0], "/patchready") {
		t.Fatalf("ExecStart = %q, want the patchready binary", exec)
	}
	parseCommandLine(t, argv[1:])
	if !strings.Contains(string(b), "Type=oneshot") {
		t.Error("the service must be Type=oneshot: one cycle per timer tick")
	}
	timer, err := os.ReadFile("examples/patchready-heal.timer")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(timer), "OnCalendar=*-*-* 00/6:17:00") || !strings.Contains(exec, "--interval 6h") {
		t.Error("the timer's period and the service's --interval must both be six hours")
	}
}
