package scripttest

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/ssmsim/host"
	"github.com/patchready/patchready/internal/ssmsim/nodeshell"
	"github.com/patchready/patchready/internal/ssmsim/patchbaseline"
)

// These tests run the PatchLinux step of the simulator's
// AWS-RunPatchBaseline for real, as the probe's tests run the probe: on a
// node model rendered as a file tree, under dash and bash in bubblewrap,
// and check it ends with the patch run's own messages and exit codes, and
// that the simulator's in-memory run prints the same.

// patchLinuxScript is the script the agent runs for the PatchLinux step of
// the simulator's AWS-RunPatchBaseline with the given parameters (the
// others at their defaults), checked against allowedValues and
// allowedPattern as SSM checks them before sending.
func patchLinuxScript(t *testing.T, params map[string]string) string {
	t.Helper()
	var d struct {
		Parameters map[string]struct {
			Default        *string  `json:"default"`
			AllowedValues  []string `json:"allowedValues"`
			AllowedPattern string   `json:"allowedPattern"`
		} `json:"parameters"`
		MainSteps []struct {
			Name   string `json:"name"`
			Inputs struct {
				RunCommand []string `json:"runCommand"`
			} `json:"inputs"`
		} `json:"mainSteps"`
	}
	if err := json.Unmarshal([]byte(patchbaseline.Content), &d); err != nil {
		t.Fatal(err)
	}
	script := ""
	for _, s := range d.MainSteps {
		if s.Name == documents.PatchLinuxStepName {
			script = strings.Join(s.Inputs.RunCommand, "\n")
		}
	}
	if script == "" {
		t.Fatal("no PatchLinux step")
	}
	for name, p := range d.Parameters {
		v, ok := params[name]
		if !ok {
			if p.Default == nil {
				t.Fatalf("parameter %s is required", name)
			}
			v = *p.Default
		}
		if len(p.AllowedValues) > 0 && !strings.Contains(","+strings.Join(p.AllowedValues, ",")+",", ","+v+",") {
			t.Fatalf("parameter %s=%q is not one of %v", name, v, p.AllowedValues)
		}
		if p.AllowedPattern != "" && !regexp.MustCompile(p.AllowedPattern).MatchString(v) {
			t.Fatalf("parameter %s=%q does not match %s", name, v, p.AllowedPattern)
		}
		script = regexp.MustCompile(`\{\{\s*`+regexp.QuoteMeta(name)+`\s*\}\}`).ReplaceAllLiteralString(script, v)
	}
	if strings.Contains(script, "{{") {
		t.Fatal("unsubstituted parameter left in the script")
	}
	return script
}

func scanScript(t *testing.T) string {
	return patchLinuxScript(t, map[string]string{"Operation": "Scan", "RebootOption": "NoReboot"})
}

// payloadFile is the payload the run downloads in the test's region.
const payloadFile = "https://s3.dualstack.us-east-1.amazonaws.com/aws-ssm-us-east-1/patchbaselineoperations/linux/payloads/patch-baseline-operations-1.80.tar.gz"

// scanCase is one node and how the scan must end on it.
type scanCase struct {
	name string
	spec host.Spec
	// restarted scans the node after its agent restarted (and loaded the
	// proxy its service's override sets).
	restarted bool
	code      int
	// stdout and stderr must each contain these, in order.
	stdout, stderr []string
	// counts, when set, is the summary the scan must report.
	counts *host.PatchCounts
}

func counts(p host.PatchCounts) *host.PatchCounts { return &p }

var scanCases = []scanCase{
	{
		name: "amazon linux 2: python2.7, the one that imports yum",
		spec: host.Spec{Preset: host.AmazonLinux2},
		stdout: []string{"/usr/bin/python3\n/usr/bin/python2.7\n", "Using Yum version: 3.4.3", "Using python binary: 'python2.7'",
			"Using Python Version: Python 2.7.18", "Downloading payload from " + payloadFile, "Operation type: Scan"},
		counts: counts(host.PresetPatches(host.AmazonLinux2)),
	},
	{
		name:   "amazon linux 2 with its own patch figures",
		spec:   host.Spec{Preset: host.AmazonLinux2, Patches: &host.PatchCounts{Installed: 400, Missing: 3, NotApplicable: 10, Security: 3}},
		counts: &host.PatchCounts{Installed: 400, Missing: 3, NotApplicable: 10, Security: 3},
	},
	{
		name: "amazon linux 2 proxied, payload only through the agent's proxy, requests upgraded",
		spec: host.Spec{Preset: host.AmazonLinux2, Proxy: proxied("process"), Payload: host.Proxied, Repos: host.Proxied,
			Modules: map[string]map[string]string{"python2.7": {"requests": "2.27.1"}}},
		counts: counts(host.PresetPatches(host.AmazonLinux2)),
	},
	{
		// The prerequisite patchready started from: behind a proxy, the
		// patch run's own interpreter needs requests 2.18.4 or later.
		name:   "amazon linux 2 proxied with the requests it ships",
		spec:   host.Spec{Preset: host.AmazonLinux2, Proxy: proxied("process"), Payload: host.Proxied, Repos: host.Proxied},
		code:   143,
		stdout: []string{"root [ERROR]: Get Snapshot failed\nroot [ERROR]: requests 2.6.0 cannot reach ssm.us-east-1.amazonaws.com through the proxy"},
	},
	{
		name: "amazon linux 1 proxied, AWS exempt from the proxy",
		spec: host.Spec{Preset: host.AmazonLinux1, Proxy: &host.Proxy{URL: proxyURL, NoProxy: "169.254.169.254,.amazonaws.com", Source: "process"},
			Repos: host.Proxied},
		counts: counts(host.PresetPatches(host.AmazonLinux1)),
	},
	{
		// The probe finds the proxy in the override and reaches the
		// payload through it; the agent that runs the patch was started
		// before the override and goes direct.
		name:   "amazon linux 2 proxy only in a systemd override the running agent has not read",
		spec:   host.Spec{Preset: host.AmazonLinux2, Proxy: proxied("systemd-override"), Payload: host.Proxied, Repos: host.Proxied},
		code:   156,
		stdout: []string{"Error code returned from curl is 28"},
		stderr: []string{"Unable to download payload: " + payloadFile + "."},
	},
	{
		// The same node once its agent restarted: the download goes
		// through the override's proxy; python2.7's requests 2.6.0 then
		// cannot fetch the snapshot through it.
		name: "amazon linux 2 systemd override loaded by a restart", restarted: true,
		spec:   host.Spec{Preset: host.AmazonLinux2, Proxy: proxied("systemd-override"), Payload: host.Proxied, Repos: host.Proxied},
		code:   143,
		stdout: []string{"Downloading payload from " + payloadFile, "root [ERROR]: Get Snapshot failed"},
	},
	{
		// The running agent's proxy works; another one, down, waits in the
		// override for the next restart.
		name: "amazon linux 2 the running agent's proxy, a dead one in the override",
		spec: host.Spec{Preset: host.AmazonLinux2, Proxy: proxied("process"), Modules: map[string]map[string]string{"python2.7": {"requests": "2.27.1"}},
			OverrideProxy: &host.Proxy{URL: otherProxyURL, Source: "systemd-override", Down: true}, Payload: host.Proxied, Repos: host.Proxied},
		counts: counts(host.PresetPatches(host.AmazonLinux2)),
	},
	{
		name: "amazon linux 2 the dead proxy of the override, loaded by a restart", restarted: true,
		spec: host.Spec{Preset: host.AmazonLinux2, Proxy: proxied("process"), Modules: map[string]map[string]string{"python2.7": {"requests": "2.27.1"}},
			OverrideProxy: &host.Proxy{URL: otherProxyURL, Source: "systemd-override", Down: true}, Payload: host.Proxied, Repos: host.Proxied},
		code:   156,
		stdout: []string{"Downloading payload from " + payloadFile + "\nroot [ERROR]: Error code returned from curl is 7\n"},
		stderr: []string{"Unable to download payload: " + payloadFile + "."},
	},
	{
		name: "amazon linux 2 yum module gone",
		spec: host.Spec{Preset: host.AmazonLinux2, Modules: map[string]map[string]string{"python2.7": {"yum": ""}}},
		code: 1,
		// python, a Python 2, stands in for python2 as the run counts it.
		stdout: []string{"Unable to import yum module on python2.7\nUnable to import yum module on python\n",
			"Unable to import yum module, please check version compatibility between Yum and Python\n"},
	},
	{
		name: "ubuntu 22.04 without python3",
		spec: host.Spec{Preset: host.Ubuntu2204, Without: []string{"python3"}},
		code: 1,
		stdout: []string{"An unsupported package manager and python version combination was found.\nApt requires Python3 to be installed.\n" +
			"Python3=1, Python2=1, Yum=1, Apt=0, Zypper=1, Dnf=1\nExiting...\n"},
	},
	{
		name:   "ubuntu 24.04 without python3-apt: the run installs it",
		spec:   host.Spec{Preset: host.Ubuntu2404, Without: []string{"python3-apt"}},
		stdout: []string{"Installed: python3-apt", "Using python binary: 'python3'"},
		counts: counts(host.PresetPatches(host.Ubuntu2404)),
	},
	{
		name: "rhel 8 minimal without python3",
		spec: host.Spec{Preset: host.RHEL8, Without: []string{"python3"}},
		code: 1,
		stdout: []string{"An unsupported package manager and python version combination was found.\n" +
			"Dnf requires Python2 or Python3 to be installed.\n"},
	},
	{
		name:   "amazon linux 2023 without curl or wget",
		spec:   host.Spec{Preset: host.AmazonLinux2023, Without: []string{"curl"}},
		code:   1,
		stdout: []string{"Downloading payload from " + payloadFile},
		stderr: []string{"FileNotFoundError: [Errno 2] No such file or directory: 'wget'"},
	},
	{
		name:   "sles 15 with wget only",
		spec:   host.Spec{Preset: host.SLES15, Without: []string{"curl"}},
		counts: counts(host.PresetPatches(host.SLES15)),
	},
	{
		name:   "rhel 9 payload blocked, refused",
		spec:   host.Spec{Preset: host.RHEL9, Payload: host.Blocked, BlockedBy: "refused"},
		code:   156,
		stdout: []string{"Downloading payload from " + payloadFile + "\nroot [ERROR]: Error code returned from curl is 7\n"},
		stderr: []string{"Unable to download payload: " + payloadFile + "."},
	},
	{
		name:   "rhel 9 repositories unreachable",
		spec:   host.Spec{Preset: host.RHEL9, Repos: host.Blocked, BlockedBy: "dns"},
		code:   1,
		stdout: []string{"Error: Failed to download metadata for repo 'rhel-9-baseos-rhui-rpms'"},
	},
	{
		name:   "amazon linux 2 repositories unreachable",
		spec:   host.Spec{Preset: host.AmazonLinux2, Repos: host.Blocked},
		code:   1,
		stdout: []string{"Cannot find a valid baseurl for repo: amzn2-core/2/x86_64"},
	},
	{
		name:   "ubuntu 22.04 repositories unreachable",
		spec:   host.Spec{Preset: host.Ubuntu2204, Repos: host.Blocked, BlockedBy: "dns"},
		code:   1,
		stdout: []string{"W: Failed to fetch http://us-east-1.ec2.archive.ubuntu.com/dists/stable/InRelease  Temporary failure resolving 'us-east-1.ec2.archive.ubuntu.com'"},
	},
	{
		name:   "sles 15 repositories unreachable",
		spec:   host.Spec{Preset: host.SLES15, Repos: host.Blocked},
		code:   1,
		stdout: []string{"Repository 'SLE-Module-Basesystem15-SP5-Updates' is invalid."},
	},
	{
		// skip_if_unavailable=True: dnf skips the dead repository and the
		// scan succeeds, knowing of no update.
		name:   "amazon linux 2023 repositories unreachable, skipped",
		spec:   host.Spec{Preset: host.AmazonLinux2023, Repos: host.Blocked},
		stdout: []string{"root [WARNING]: Ignoring repositories: amazonlinux"},
		counts: &host.PatchCounts{Installed: 388, InstalledOther: 3},
	},
	{
		name:   "amazon linux 2023 repositories unreachable, not skipped",
		spec:   host.Spec{Preset: host.AmazonLinux2023, Repos: host.Blocked, SkipIfUnavailable: new(bool)},
		code:   1,
		stdout: []string{"Error: Failed to download metadata for repo 'amazonlinux'"},
	},
	{
		name: "amazon linux 2 yum lock held",
		spec: host.Spec{Preset: host.AmazonLinux2, LockHeldBy: "yum"},
		code: 1,
		stdout: []string{"another process has acquired yum lock, waiting 1 s and retry.\n",
			"another process has acquired yum lock, waiting 5 s and retry.\n",
			"root [ERROR]: Existing lock /var/run/yum.pid: another copy is running as pid 3121.\n"},
	},
	{
		name:   "ubuntu 24.04 dpkg lock held by unattended-upgrades",
		spec:   host.Spec{Preset: host.Ubuntu2404, LockHeldBy: "unattended-upgr"},
		code:   1,
		stdout: []string{"E: Could not get lock /var/lib/apt/lists/lock. It is held by process 3121 (unattended-upgr)"},
		stderr: []string{"E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 3121 (unattended-upgr)",
			"WARNING: Could not install the python3-apt, this may cause the patching operation to fail."},
	},
	{
		name:   "rocky 9 with 10 MiB free in /var",
		spec:   host.Spec{Preset: host.Rocky9, VarFreeMB: 10},
		code:   155,
		stdout: []string{"Unable to extract tar file: /var/log/amazon/ssm/patch-baseline-operations/patch-baseline-operations-1.80.tar.gz.", "No space left on device"},
		stderr: []string{"Unable to extract tar file: /var/log/amazon/ssm/patch-baseline-operations/patch-baseline-operations-1.80.tar.gz."},
	},
}

func TestPatchLinuxScan(t *testing.T) {
	needBwrap(t)
	script := scanScript(t)
	for _, c := range scanCases {
		for _, shell := range shells {
			t.Run(c.name+"/"+shell, func(t *testing.T) {
				t.Parallel()
				h, err := c.spec.Build()
				if err != nil {
					t.Fatal(err)
				}
				if c.restarted {
					h = h.Restarted()
				}
				n := hostNode(t, h)
				res := n.run(t, script, runOpts{shell: shell})
				noSecrets(t, res)
				if res.code != c.code {
					t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", res.code, c.code, res.stdout, res.stderr)
				}
				containsInOrder(t, "stdout", res.stdout, c.stdout)
				containsInOrder(t, "stderr", res.stderr, c.stderr)
				if c.counts != nil {
					got, err := patchbaseline.ParseSummary(res.stdout)
					if err != nil || got != *c.counts {
						t.Errorf("summary %+v (%v), want %+v\n%s", got, err, *c.counts, res.stdout)
					}
				} else if _, err := patchbaseline.ParseSummary(res.stdout); err == nil {
					t.Errorf("a failed scan printed a summary:\n%s", res.stdout)
				}
				if c.code == 0 && res.stderr != "" {
					t.Errorf("a scan that passed wrote on stderr: %s", res.stderr)
				}
				if _, err := os.Stat(filepath.Join(n.dir, "var/log/amazon/ssm/patch-baseline-operations")); err == nil && c.code != 1 {
					t.Errorf("the payload's work directory was left behind")
				}
				if shell == shells[0] {
					sameScanInSimulator(t, n.h, script, res)
				}
			})
		}
	}
}

// sameScanInSimulator wants the simulator's in-memory run to print what
// the real shells printed, on both streams, and end the same.
func sameScanInSimulator(t *testing.T, h *host.Host, script string, real result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := nodeshell.Run(ctx, nodeshell.Options{Tree: h.Tree(), Script: script, Env: h.CommandEnv(testRegion, testInstance)})
	if err != nil {
		t.Fatal(err)
	}
	if sim.Stdout != real.stdout || sim.Stderr != real.stderr || sim.Code != real.code {
		t.Errorf("the simulator's run differs from the real one:\nsimulator exit %d\n%s\nstderr %s\nreal exit %d\n%s\nstderr %s",
			sim.Code, sim.Stdout, sim.Stderr, real.code, real.stdout, real.stderr)
	}
}

func containsInOrder(t *testing.T, what, text string, parts []string) {
	t.Helper()
	rest := text
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Errorf("%s lacks %q (in order):\n%s", what, p, text)
			return
		}
		rest = rest[i+len(p):]
	}
}

// TestPatchLinuxInstallRefused: the simulator models Scan only, and says
// so instead of pretending to install.
func TestPatchLinuxInstallRefused(t *testing.T) {
	needBwrap(t)
	n := newNode(t, host.Spec{Preset: host.AmazonLinux2023})
	res := n.run(t, patchLinuxScript(t, map[string]string{"Operation": "Install"}), runOpts{shell: "dash"})
	if res.code != 1 || !strings.Contains(res.stderr, "the simulator models Operation=Scan only") {
		t.Fatalf("install: exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestPatchLinuxNoexec mounts the agent's work directory noexec for real:
// the agent cannot start the step at all, and the command ends 126.
func TestPatchLinuxNoexec(t *testing.T) {
	needBwrap(t)
	needRoot(t)
	for _, shell := range shells {
		t.Run(shell, func(t *testing.T) {
			n := newNode(t, host.Spec{Preset: host.AmazonLinux2})
			res := n.run(t, scanScript(t), runOpts{shell: shell, realProc: true, wrap: noexecWrap})
			if res.code != 126 || !strings.Contains(res.stderr, "Permission denied") {
				t.Fatalf("exit %d, want 126 with the kernel's refusal; stdout %q stderr %q", res.code, res.stdout, res.stderr)
			}
		})
	}
}

// TestPatchLinuxPayloadURLs holds the script's payload URL to the table
// the probe's payload_url is held to, for every class of region.
func TestPatchLinuxPayloadURLs(t *testing.T) {
	f, err := os.Open(payloadTable)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := host.Spec{Preset: host.AmazonLinux2023}.Build()
	if err != nil {
		t.Fatal(err)
	}
	script, tree := scanScript(t), h.Tree()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		region, prefix, ok := strings.Cut(sc.Text(), " ")
		if !ok || prefix == "-" {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		res, err := nodeshell.Run(ctx, nodeshell.Options{Tree: tree, Script: script, Env: h.CommandEnv(region, testInstance)})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		want := "Downloading payload from " + prefix + "patch-baseline-operations-1.80.tar.gz\n"
		if !strings.Contains(res.Stdout, want) || res.Code != 0 {
			t.Errorf("%s: exit %d, want %q in\n%s%s", region, res.Code, want, res.Stdout, res.Stderr)
		}
	}
}
