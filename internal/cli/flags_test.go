package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
)

// Issue #15 item 2: a flag the operator typed is either honoured or
// refused with a reason, in every mode of every command; never silently
// ignored. The table below covers every (command, flag) pair of the tree,
// and every apply flag in each of apply's three modes (a plan made now, a
// saved plan, --resume); TestFlagTableIsComplete fails when a flag is
// added without a row.
//
// "Honoured" rows assert that the command accepts the flag and reaches
// its run function (built here with a runF that does nothing); what the
// flag then does is tested where it matters (narrowing in
// TestApplyNarrowsSavedPlan, signals in signal_test.go, and so on).
// Some flags are honoured by the mode itself, and say so in their note:
// --verbose with JSON or Markdown (both always list every node) and
// --auto-approve with a saved plan (apply never asks for one). The log
// and colour flags are accepted by every command: one that writes no log
// or colour has nothing for them to change, and refusing --no-color on
// `patchready version` would only break aliases.

type flagCase struct {
	// cmd is the command path under patchready, e.g. "schedule install".
	cmd string
	// mode is how apply gets its plan: fresh (made now), file (a saved
	// plan) or resume; "" for other commands.
	mode string
	args []string
	// refused is a part of the error; "" means honoured.
	refused string
}

// matrix holds the paths the table needs.
type matrix struct {
	planFile, windowPlanFile, stateDir, runID string
	// orgPlanFile is a saved plan across two targets; orgRunID an
	// interrupted run of it.
	orgPlanFile, orgRunID string
}

func newMatrix(t *testing.T) matrix {
	t.Helper()
	m := matrix{planFile: savedPlanFile(t), windowPlanFile: savedPlanFileWith(t, "maintenance-window"), stateDir: t.TempDir(), runID: "20260302T090000Z-abcdef"}
	// A run that started from planFile and was interrupted.
	p, err := plan.LoadFile(m.planFile)
	if err != nil {
		t.Fatal(err)
	}
	j, err := remedy.OpenJournal(m.stateDir, m.runID, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Append(remedy.Entry{Kind: remedy.EntryRunStarted, RunID: m.runID, PlanFile: m.planFile, Fingerprint: p.Fingerprint, Strategy: p.Strategy.String()}); err != nil {
		t.Fatal(err)
	}
	m.orgPlanFile, m.orgRunID = savedOrgPlanFile(t), "20260302T090000Z-0a0b0c"
	op, err := plan.LoadFile(m.orgPlanFile)
	if err != nil {
		t.Fatal(err)
	}
	oj, err := remedy.OpenJournal(m.stateDir, m.orgRunID, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer oj.Close()
	if err := oj.Append(remedy.Entry{Kind: remedy.EntryRunStarted, RunID: m.orgRunID, PlanFile: m.orgPlanFile, Fingerprint: op.Fingerprint, Strategy: op.Strategy.String()}); err != nil {
		t.Fatal(err)
	}
	return m
}

// modeArgs are the arguments that put apply in mode.
func (m matrix) modeArgs(mode string) []string {
	switch mode {
	case "file":
		return []string{m.planFile}
	case "resume":
		return []string{"--resume", m.runID, "--state-dir", m.stateDir}
	case "org-file":
		return []string{m.orgPlanFile}
	case "org-resume":
		return []string{"--resume", m.orgRunID, "--state-dir", m.stateDir}
	}
	return nil
}

const (
	inPlan    = "i-00000000000000e01"
	notInPlan = "i-00000000000000f99"
)

func (m matrix) cases() []flagCase {
	var cs []flagCase
	add := func(cmd, mode, refused string, args ...string) {
		cs = append(cs, flagCase{cmd: cmd, mode: mode, args: args, refused: refused})
	}
	// apply, flag by flag, in each mode.
	const (
		resumeNarrow = "cannot be used with --resume: a resumed run finishes its own plan"
		resumeMade   = "cannot be used with --resume: the run's plan was made already"
	)
	for _, mode := range []string{"fresh", "file", "resume"} {
		pick := func(fresh, file, resume string) string {
			return map[string]string{"fresh": fresh, "file": file, "resume": resume}[mode]
		}
		// Selection: chooses nodes now, narrows a saved plan, cannot
		// narrow a resumed run.
		add("apply", mode, pick("", "", "--instance-ids "+resumeNarrow), "--instance-ids", inPlan)
		add("apply", mode, pick("", "", "--exclude-instance-ids "+resumeNarrow), "--exclude-instance-ids", inPlan)
		add("apply", mode, pick("", "", "--platform "+resumeNarrow), "--platform", "Linux")
		add("apply", mode, pick("", "--tag cannot be used with a saved plan: a saved plan records no node tags", "--tag "+resumeNarrow), "--tag", "Env=prod")
		// What a plan holds is decided when it is made.
		add("apply", mode, pick("", "--no-probe cannot be used with a saved plan", "--no-probe "+resumeMade), "--no-probe")
		add("apply", mode, pick("", "--prereqs cannot be used with a saved plan", "--prereqs "+resumeMade), "--prereqs", "prereqs.yaml")
		add("apply", mode, pick("", "--rules cannot be used with a saved plan", "--rules "+resumeMade), "--rules", "aws-current")
		add("apply", mode, pick("", "--rules-file cannot be used with a saved plan", "--rules-file "+resumeMade), "--rules-file", "prereqs.yaml")
		add("apply", mode, pick("", "--min-agent-version cannot be used with a saved plan", "--min-agent-version "+resumeMade), "--min-agent-version", "3.0.0.0")
		// The fixes for unmanaged instances are part of what a plan holds.
		add("apply", mode, pick("", "--enable-dhmc cannot be used with a saved plan: the fixes for unmanaged instances were decided when the plan was made",
			"--enable-dhmc "+resumeMade), "--enable-dhmc")
		add("apply", mode, pick("", "--attach-instance-profile cannot be used with a saved plan: the fixes for unmanaged instances were decided",
			"--attach-instance-profile "+resumeMade), "--attach-instance-profile", "SSMInstanceProfile")
		add("apply", mode, pick("", "--fix-instance-role cannot be used with a saved plan: the fixes for unmanaged instances were decided",
			"--fix-instance-role "+resumeMade), "--fix-instance-role")
		// The strategy must be the plan's.
		add("apply", mode, "", "--strategy", "association")
		add("apply", mode, pick("", "the plan was made with strategy association", "the plan was made with strategy association"), "--strategy", "maintenance-window")
		// Honoured in every mode.
		add("apply", mode, "", "--auto-approve") // with a saved plan or --resume, apply never asks
		add("apply", mode, "", "--no-wait")
		add("apply", mode, "", "--scan")
		add("apply", mode, "", "--scan=all")
		add("apply", mode, pick("--scan has no effect with --no-wait", "--scan has no effect with --no-wait", "--scan has no effect with --no-wait"), "--no-wait", "--scan")
		add("apply", mode, "", "--timeout", "1h")
		add("apply", mode, "", "--poll-interval", "30s")
		add("apply", mode, "", "--max-poll-interval", "2m")
		add("apply", mode, "", "--max-concurrency", "5")
		add("apply", mode, "", "--max-errors", "0")
		add("apply", mode, "", "--max-targets", "10%")
		add("apply", mode, "", "--agent-version", "3.3.1142.0")
		add("apply", mode, "", "--keep-associations")
		add("apply", mode, "", "--state-dir", m.stateDir)
		add("apply", mode, "", "-o", "json")
		add("apply", mode, "", "--output", "text")
		add("apply", mode, "", "--verbose") // with -o json every outcome is listed anyway
		add("apply", mode, "", "--shutdown-grace", "5s")
		// Waiting flags mean nothing when apply does not wait.
		add("apply", mode, "--timeout has no effect with --no-wait", "--no-wait", "--timeout", "1h")
		add("apply", mode, "--poll-interval has no effect with --no-wait", "--no-wait", "--poll-interval", "30s")
		add("apply", mode, "--max-poll-interval has no effect with --no-wait", "--no-wait", "--max-poll-interval", "2m")
		// Window flags need the maintenance-window strategy.
		for _, w := range [][]string{{"--window-id", "mw-0123456789abcdef0"}, {"--window-schedule", "cron(0 2 ? * SUN *)"},
			{"--window-duration", "3"}, {"--window-cutoff", "0"}, {"--window-timezone", "Europe/Paris"}} {
			add("apply", mode, w[0]+" applies to the maintenance-window strategy, and this apply uses association", w...)
		}
	}
	// --resume itself.
	add("apply", "fresh", "", "--resume", m.runID, "--state-dir", m.stateDir)
	add("apply", "file", "--resume continues a run with its own plan: do not also give PLANFILE", "--resume", m.runID)
	// Window flags with a window plan, and an existing window's shape.
	for _, w := range [][]string{{"--window-id", "mw-0123456789abcdef0"}, {"--window-schedule", "cron(0 2 ? * SUN *)"},
		{"--window-duration", "3"}, {"--window-cutoff", "0"}, {"--window-timezone", "Europe/Paris"}} {
		add("apply", "fresh", "", append([]string{"--strategy", "maintenance-window"}, w...)...)
		cs = append(cs, flagCase{cmd: "apply", mode: "window-file", args: w})
	}
	add("apply", "fresh", "--window-schedule cannot be used with --window-id", "--strategy", "maintenance-window", "--window-id", "mw-0123456789abcdef0", "--window-schedule", "rate(7 days)")
	// The target flags. A plan made now takes them all; a saved plan or a
	// resumed run of one account and region takes none; a saved plan
	// across targets is narrowed to some of them and reached with the role.
	const (
		oneTarget    = "covers one account and region"
		savedTargets = "cannot be used with a saved plan: the saved plan records its targets"
	)
	for _, args := range [][]string{{"--regions", "eu-west-1,us-east-1"}, {"--all-regions"}, {"--accounts", "111111111111"}, {"--org"},
		{"--org", "--exclude-accounts", "111111111111"}, {"--ou", "ou-ab12-cdef3456"}, {"--org", "--role-name", "OpsRole"},
		{"--accounts", "111111111111", "--external-id", "ext-1"}, {"--org", "--parallel-targets", "8"}} {
		add("apply", "fresh", "", args...)
		add("plan", "", "", args...)
		add("heal", "", "", args...)
		add("schedule install", "", "", args...)
		add("schedule show", "", "", args...)
		add("schedule remove", "", "", args...)
		add("cleanup", "", "", args...)
	}
	for _, cmd := range []string{"apply", "plan", "heal", "schedule install", "schedule show", "schedule remove", "cleanup"} {
		mode := ""
		if cmd == "apply" {
			mode = "fresh"
		}
		if cmd == "cleanup" {
			// Without targets chosen, cleanup may reach the targets of a
			// run's journal: it says so.
			add(cmd, mode, "--role-name, --external-id and --parallel-targets reach other accounts", "--parallel-targets", "8")
		} else {
			add(cmd, mode, "--role-name is the role assumed in other accounts", "--role-name", "OpsRole")
			add(cmd, mode, "--parallel-targets has no effect on one account and region", "--parallel-targets", "8")
		}
		add(cmd, mode, "--regions and --all-regions both choose the regions", "--regions", "eu-west-1", "--all-regions")
		add(cmd, mode, "--accounts names the accounts, and --org or --ou lists them", "--accounts", "111111111111", "--org")
		add(cmd, mode, `--accounts "1111": an account ID is 12 digits`, "--accounts", "1111")
		add(cmd, mode, `invalid argument "" for "--accounts" flag: empty value`, "--accounts", "")
	}
	for _, c := range []string{"plan", "heal", "schedule show"} {
		add(c, "", "--exclude-accounts leaves accounts out of --accounts, --org or --ou", "--exclude-accounts", "111111111111")
		add(c, "", "--external-id goes with the role assumed in other accounts", "--external-id", "ext-1")
	}
	for _, name := range []string{"regions", "accounts", "exclude-accounts", "role-name", "external-id", "parallel-targets"} {
		arg := map[string][]string{"regions": {"eu-west-1"}, "accounts": {"111111111111"}, "exclude-accounts": {"111111111111"},
			"role-name": {"OpsRole"}, "external-id": {"ext-1"}, "parallel-targets": {"4"}}[name]
		add("apply", "file", "--"+name+": "+m.planFile+" "+oneTarget, append([]string{"--" + name}, arg...)...)
		add("apply", "org-file", "", append([]string{"--" + name}, arg...)...)
		if name == "role-name" || name == "external-id" || name == "parallel-targets" {
			add("apply", "resume", oneTarget, append([]string{"--" + name}, arg...)...)
			add("apply", "org-resume", "", append([]string{"--" + name}, arg...)...)
		} else {
			add("apply", "resume", "--"+name+" "+resumeNarrow, append([]string{"--" + name}, arg...)...)
			add("apply", "org-resume", "--"+name+" "+resumeNarrow, append([]string{"--" + name}, arg...)...)
		}
	}
	for _, a := range [][]string{{"--org"}, {"--all-regions"}, {"--ou", "ou-ab12-cdef3456"}} {
		add("apply", "file", a[0]+" "+savedTargets, a...)
		add("apply", "org-file", a[0]+" "+savedTargets, a...)
		add("apply", "resume", a[0]+" "+resumeNarrow, a...)
		add("apply", "org-resume", a[0]+" "+resumeNarrow, a...)
	}
	add("apply", "org-file", "--accounts 999999999999: not in the plan's targets", "--accounts", "999999999999")
	add("apply", "org-file", "--regions and --exclude-accounts leave none", "--accounts", "111111111111", "--regions", "eu-west-1")
	add("apply", "fresh", "--window-id names a window of one account and region", "--org", "--strategy", "maintenance-window", "--window-id", "mw-0123456789abcdef0")
	add("cleanup", "", "", "--run-id", m.runID, "--state-dir", m.stateDir)
	add("cleanup", "", "", "--run-id", m.orgRunID, "--role-name", "OpsRole", "--parallel-targets", "4")
	add("cleanup", "", "--role-name, --external-id and --parallel-targets reach other accounts", "--role-name", "OpsRole")
	// Narrowing a saved plan to a node it does not have.
	add("apply", "file", "not in the plan: "+notInPlan, "--instance-ids", notInPlan)
	add("apply", "file", "", "--exclude-instance-ids", notInPlan)
	// Values that would widen or fail late.
	for _, flag := range []string{"--instance-ids", "--exclude-instance-ids", "--platform", "--tag"} {
		add("apply", "fresh", `invalid argument "" for "`+flag+`" flag: empty value`, flag, "")
		add("apply", "fresh", `invalid argument " " for "`+flag+`" flag: empty value`, flag, " ")
	}
	add("apply", "fresh", `item 2 of "i-00000001,,i-00000002" is empty`, "--instance-ids", "i-00000001,,i-00000002")
	add("apply", "fresh", `--agent-version "latest": want a version like 3.3.1142.0`, "--agent-version", "latest")
	add("apply", "fresh", `invalid argument "" for "--attach-instance-profile" flag: empty value`, "--attach-instance-profile", "")
	add("apply", "fresh", `--attach-instance-profile "my profile": not an instance profile name`, "--attach-instance-profile", "my profile")
	add("apply", "fresh", "--shutdown-grace -1s: must be 0 or more", "--shutdown-grace", "-1s")

	// plan
	for _, args := range [][]string{{"--instance-ids", inPlan}, {"--tag", "Env=prod"}, {"--platform", "windows"}, {"--exclude-instance-ids", inPlan},
		{"--out", "p.json"}, {"-o", "json"}, {"--output", "markdown"}, {"--no-probe"}, {"--detailed-exitcode"}, {"--verbose"},
		{"--scan"}, {"--scan", "--no-probe"}, // the scan is Patch Manager's own, not the probe's
		{"--scan", "--org"},
		{"--verbose", "-o", "markdown"}, // Markdown lists every node, folding long lists
		{"--prereqs", "prereqs.yaml"}, {"--rules-file", "prereqs.yaml"}, {"--rules", "aws-current"}, {"--min-agent-version", "3.0.0.0"},
		{"--strategy", "maintenance-window"}, {"--strategy", "run-command"},
		{"--enable-dhmc"}, {"--attach-instance-profile", "SSMInstanceProfile"}, {"--fix-instance-role"}} {
		add("plan", "", "", args...)
	}
	add("plan", "", `invalid argument " " for "--attach-instance-profile" flag: empty value`, "--attach-instance-profile", " ")
	add("plan", "", "--enable-dhmc: the fixes for unmanaged instances change IAM and SSM settings one account and region at a time", "--org", "--enable-dhmc")
	add("apply", "fresh", "--attach-instance-profile: the fixes for unmanaged instances change IAM and SSM settings one account and region at a time", "--regions", "eu-west-1,us-east-1", "--attach-instance-profile", "P")
	add("plan", "", `--rules "newest": unknown rule set`, "--rules", "newest")
	add("plan", "", `--strategy: unknown strategy "cron": use one of association, maintenance-window, run-command`, "--strategy", "cron")
	for _, flag := range []string{"--instance-ids", "--exclude-instance-ids", "--platform", "--tag"} {
		add("plan", "", `invalid argument "" for "`+flag+`" flag: empty value`, flag, "")
	}
	add("plan", "", `--tag "Env=": tag "Env=": empty value`, "--tag", "Env= ")
	// show
	add("show", "", "", m.planFile, "-o", "markdown")
	add("show", "", "", m.planFile, "--output", "json", "--verbose") // JSON lists every node
	add("show", "", "", m.planFile, "--verbose")
	add("show", "", "", m.planFile, "-o", "html")
	// report
	add("report", "", "", m.planFile, "--out", "r.html")
	add("report", "", "", m.planFile, "--journal", "run.jsonl", "--run", "20260302T090000Z-abcdef", "--state-dir", m.stateDir)
	// heal
	for _, args := range [][]string{{"--instance-ids", inPlan}, {"--tag", "Env=prod"}, {"--platform", "Linux"}, {"--exclude-instance-ids", inPlan},
		{"--interval", "2h"}, {"--once"}, {"--once", "--interval", "6h"}, // --interval is the backoff's base with --once
		{"--once", "--metrics-addr", "127.0.0.1:0"}, // metrics are served while the cycle runs
		{"--metrics-addr", "127.0.0.1:0"}, {"--max-targets", "50"}, {"--max-concurrency", "5%"}, {"--max-errors", "1"}, {"--timeout", "1h"},
		{"--poll-interval", "30s"}, {"--max-poll-interval", "1m"}, {"--max-backoff", "48h"}, {"--state-dir", m.stateDir},
		{"--min-agent-version", "3.0.0.0"}, {"--prereqs", "prereqs.yaml"}, {"--rules-file", "prereqs.yaml"}, {"--rules", "aws-current"},
		{"--agent-version", "3.3.1142.0"}, {"--no-probe"}, {"--strategy", "run-command"},
		{"-o", "json"}, {"--output", "text"}, {"--shutdown-grace", "10s"},
		{"--scan"}, {"--scan=all"},
		{"--notify-webhook", "https://hooks.example.com/services/T0/B0/x"}, {"--notify-sns-topic", "arn:aws:sns:us-east-1:111122223333:patchready"}} {
		add("heal", "", "", args...)
	}
	add("heal", "", "--strategy maintenance-window: heal cannot wait for a window to open", "--strategy", "maintenance-window")
	add("heal", "", `--agent-version "3.3": want a version like`, "--agent-version", "3.3")
	add("heal", "", "--scan=some: use --scan", "--scan=some")
	add("heal", "", "--notify-webhook: want an http(s) URL", "--notify-webhook", "hooks.example.com")
	add("heal", "", "--notify-sns-topic:", "--notify-sns-topic", "patchready-topic")
	add("heal", "", `invalid argument "" for "--instance-ids" flag: empty value`, "--instance-ids", "")
	// schedule
	for _, args := range [][]string{{"--schedule", "rate(7 days)"}, {"--tag", "Env=prod"}, {"--requests-tag", "Proxy=corp"},
		{"--max-concurrency", "5"}, {"--max-errors", "2%"}} {
		add("schedule install", "", "", args...)
	}
	add("schedule install", "", `invalid argument "" for "--tag" flag: empty value`, "--tag", "")
	add("schedule install", "", `invalid argument "" for "--requests-tag" flag: empty value`, "--requests-tag", "")
	add("schedule install", "", `invalid argument "" for "--schedule" flag: empty value`, "--schedule", "")
	add("schedule install", "", `--schedule "bogus": want rate(...) or cron(...)`, "--schedule", "bogus")
	add("schedule install", "", `--tag: key and value must not be blank`, "--tag", "Env= ")
	add("schedule show", "", "")
	add("schedule show", "", "", "-o", "json")
	add("schedule show", "", `-o "yaml": schedule show prints text or json`, "--output", "yaml")
	add("schedule remove", "", "")
	// cleanup
	add("cleanup", "", "", "--dry-run")
	add("cleanup", "", "", "--run-id", m.runID)
	add("cleanup", "", "", "-o", "json")
	add("cleanup", "", `-o "yaml": cleanup prints text or json`, "--output", "yaml")
	add("cleanup", "", "", "--state-dir", m.stateDir)
	add("cleanup", "", `invalid argument "" for "--run-id" flag: empty value`, "--run-id", "")
	// demo
	for _, args := range [][]string{{"--fleet", "fleet.yaml"}, {"--size", "10"}, {"--seed", "2"}, {"--fleet", "fleet.yaml", "--seed", "2"}, // the seed also drives the simulator's randomness
		{"--strategy", "maintenance-window"}, {"--time-scale", "600"}, {"--verbose"}, {"--state-dir", m.stateDir}, {"--shutdown-grace", "5s"}, {"--strict"}} {
		add("demo", "", "", args...)
	}
	add("demo", "", "--fleet and --size both choose the fleet", "--fleet", "fleet.yaml", "--size", "10")
	add("demo", "", "", "--org")
	add("demo", "", "", "--scan")
	add("demo", "", "", "--scan=all")
	add("demo", "", "--scan=most: use --scan", "--scan=most")
	add("demo", "", "", "--org", "--size", "40", "--strategy", "run-command")
	add("demo", "", "--fleet describes one account's fleet; --org runs the sample organization", "--org", "--fleet", "fleet.yaml")
	// sim serve
	for _, args := range [][]string{{"--addr", "127.0.0.1:0"}, {"--fleet", "fleet.yaml"}, {"--size", "10"}, {"--seed", "2"}, {"--time-scale", "60"},
		{"--throttle-rate", "20"}, {"--error-rate", "0.1"}, {"--latency", "10ms"},
		{"--accounts", "5"}, {"--regions", "3"}, {"--nodes-per-target", "100"}, {"--role-name", "OpsRole"}, {"--single-account"},
		{"--throttle-rate", "10", "--operation-rate", "sts:AssumeRole=100"}} {
		add("sim serve", "", "", args...)
	}
	add("sim serve", "", `--operation-rate "AssumeRole": want OPERATION=RATE`, "--operation-rate", "AssumeRole")
	add("sim serve", "", "--single-account serves no organization", "--single-account", "--accounts", "3")
	add("sim serve", "", "--single-account serves no organization", "--single-account", "--role-name", "OpsRole")
	add("sim serve", "", "--fleet and --size both choose the fleet", "--fleet", "fleet.yaml", "--size", "10")
	// bench
	for _, args := range [][]string{{"--sizes", "10"}, {"--rate", "20"}, {"--time-scale", "100"}, {"--max-poll-interval", "15s"}, {"--seed", "2"},
		{"--need-update", "0.5"}, {"-o", "json"}, {"--output", "markdown"}, {"--external"}, {"--plan-only"}, {"--rate", "20", "--plan-only"}} {
		add("bench", "", "", args...)
	}
	add("bench", "", "", "--org", "3x2", "--sizes", "50", "--rate", "5")
	add("bench", "", "", "--org", "3x2", "--external", "--plan-only")
	add("bench", "", "--time-scale has no effect with --org", "--org", "3x2", "--time-scale", "10")
	add("bench", "", `--org "3": want ACCOUNTSxREGIONS`, "--org", "3")
	add("bench", "", "with --org, give one size", "--org", "3x2", "--sizes", "10,20")
	add("bench", "", "--time-scale has no effect with --rate", "--rate", "20", "--time-scale", "100")
	add("bench", "", "--need-update has no effect with --external", "--external", "--need-update", "0.5")
	add("bench", "", "--max-poll-interval has no effect with --plan-only", "--plan-only", "--max-poll-interval", "15s")
	add("bench", "", "--external and --rate", "--external", "--rate", "20")
	add("bench", "", "", "--strategies", "association,maintenance-window,run-command")
	add("bench", "", `--strategies: unknown strategy "cron"`, "--strategies", "run-command,cron")
	add("bench", "", "--strategies has no effect with --plan-only or --org", "--plan-only", "--strategies", "run-command")
	add("bench", "", "", "--scan")
	add("bench", "", "", "--scan", "--rate", "20")
	add("bench", "", "--scan has no effect with --plan-only", "--scan", "--plan-only")
	add("bench", "", "--scan has no effect with --org", "--scan", "--org", "3x2")
	// checks, iam-policy, completion, version
	add("checks", "", "", "--markdown")
	for _, f := range [][]string{{"--prereqs", "prereqs.yaml"}, {"--rules-file", "prereqs.yaml"}, {"--rules", "aws-current"}, {"--min-agent-version", "3.0.0.0"}} {
		add("checks", "", "", f...)
	}
	add("iam-policy", "", "", "--read-only")
	add("iam-policy", "", "", "--unmanaged-fixes", "enable-dhmc,fix-instance-role")
	add("iam-policy", "", "", "--unmanaged-fixes", "all")
	add("iam-policy", "", "--unmanaged-fixes cannot be used with --read-only", "--read-only", "--unmanaged-fixes", "all")
	add("iam-policy", "", `unknown fix "dhmc"`, "--unmanaged-fixes", "dhmc")
	add("iam-policy", "", "", "--for", "hub", "--role-name", "OpsRole")
	add("iam-policy", "", "", "--for", "member", "--read-only")
	add("iam-policy", "", "", "--for", "trust", "--hub-account", "111122223333", "--external-id", "ext-1")
	add("iam-policy", "", "", "--for", "stackset", "--role-name", "OpsRole", "--read-only")
	add("iam-policy", "", "use them with --for trust", "--for", "stackset", "--external-id", "ext-1")
	add("iam-policy", "", "use them with --for trust", "--hub-account", "111122223333")
	add("iam-policy", "", "--for trust has none to cut", "--for", "trust", "--hub-account", "111122223333", "--read-only")
	add("iam-policy", "", "--for caller does not name it", "--role-name", "OpsRole")
	add("iam-policy", "", "--for hub does not take it", "--for", "hub", "--unmanaged-fixes", "all")
	add("completion", "", "", "bash")
	add("version", "", "")

	// Global flags, on every command. Only these commands call AWS, and
	// sim serve serves one region; everything else refuses the flags
	// that say where AWS is.
	aws := map[string][]string{
		"plan": allAWSFlags, "apply": allAWSFlags, "heal": allAWSFlags, "cleanup": allAWSFlags,
		"schedule install": allAWSFlags, "schedule show": allAWSFlags, "schedule remove": allAWSFlags,
		"sim serve": {"region"},
	}
	for _, cmd := range []string{"plan", "show", "report", "apply", "heal", "schedule install", "schedule show", "schedule remove",
		"cleanup", "demo", "sim serve", "bench", "checks", "iam-policy", "completion", "version"} {
		for _, g := range [][]string{{"--region", "eu-west-1"}, {"--profile", "ops"}, {"--endpoint-url", "http://127.0.0.1:4566"},
			{"--log-level", "debug"}, {"--log-format", "json"}, {"--no-color"}} {
			refused := ""
			if name := strings.TrimPrefix(g[0], "--"); slices.Contains(allAWSFlags, name) && !slices.Contains(aws[cmd], name) {
				refused = g[0] + ` has no effect on "patchready ` + cmd + `"`
			}
			switch cmd {
			case "show", "report":
				add(cmd, "", refused, append([]string{m.planFile}, g...)...)
			case "completion":
				add(cmd, "", refused, append([]string{"bash"}, g...)...)
			case "apply":
				for _, mode := range []string{"fresh", "file", "resume"} {
					add(cmd, mode, refused, g...)
				}
			default:
				add(cmd, "", refused, g...)
			}
		}
	}
	return cs
}

// argv is the whole command line of c.
func (m matrix) argv(c flagCase) []string {
	args := strings.Fields(c.cmd)
	switch c.mode {
	case "window-file":
		args = append(args, m.windowPlanFile)
	default:
		args = append(args, m.modeArgs(c.mode)...)
	}
	return append(args, c.args...)
}

// testRoot is the command tree with every run function replaced by one
// that does nothing: parsing and checks run, nothing else does.
func testRoot(f *Factory) *cobra.Command {
	schedule := NewCmdSchedule(f)
	for _, c := range schedule.Commands() {
		schedule.RemoveCommand(c)
	}
	schedule.AddCommand(NewCmdScheduleInstall(f, func(*ScheduleOptions) error { return nil }),
		NewCmdScheduleShow(f, func(*ScheduleShowOptions) error { return nil }),
		NewCmdScheduleRemove(f, func(*ScheduleRemoveOptions) error { return nil }))
	sim := NewCmdSim(f)
	for _, c := range sim.Commands() {
		sim.RemoveCommand(c)
	}
	sim.AddCommand(NewCmdSimServe(f, func(*SimServeOptions) error { return nil }))
	return newRoot(f, []*cobra.Command{
		NewCmdPlan(f, func(*PlanOptions) error { return nil }),
		NewCmdShow(f, func(*ShowOptions) error { return nil }),
		NewCmdReport(f, func(*ReportOptions) error { return nil }),
		NewCmdApply(f, func(*ApplyOptions) error { return nil }),
		NewCmdHeal(f, func(*HealOptions) error { return nil }),
		schedule,
		NewCmdCleanup(f, func(*CleanupOptions) error { return nil }),
		NewCmdDemo(f, func(*DemoOptions) error { return nil }),
		sim,
		NewCmdBench(f, func(*BenchOptions) error { return nil }),
		NewCmdChecks(f, func(*ChecksOptions) error { return nil }),
		NewCmdIAMPolicy(f),
		NewCmdCompletion(f),
		NewCmdVersion(f),
	})
}

// The table test's root must hold the same commands as the real one, or a
// new command's flags would escape the table.
func TestTestRootHasEveryCommand(t *testing.T) {
	f := NewFactory(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	names := func(c *cobra.Command) []string {
		var out []string
		for _, sub := range c.Commands() {
			out = append(out, sub.Name())
		}
		slices.Sort(out)
		return out
	}
	if got, want := names(testRoot(f)), names(NewRootCmd(f)); !slices.Equal(got, want) {
		t.Fatalf("test root commands %v, real root %v", got, want)
	}
}

func TestEveryFlagIsHonouredOrRefused(t *testing.T) {
	m := newMatrix(t)
	writePrereqs(t)
	for _, c := range m.cases() {
		argv := m.argv(c)
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			f := NewFactory(&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
			root := testRoot(f)
			root.SetArgs(argv)
			err := root.Execute()
			switch {
			case c.refused == "" && err != nil:
				t.Errorf("refused: %v; want it honoured", err)
			case c.refused != "" && err == nil:
				t.Errorf("accepted; want it refused with %q", c.refused)
			case c.refused != "" && !strings.Contains(err.Error(), c.refused):
				t.Errorf("refused with %q; want %q", err, c.refused)
			}
		})
	}
}

// Every flag of every command has a row, and every apply flag a row in
// each of apply's modes: a new flag cannot slip in unclassified.
func TestFlagTableIsComplete(t *testing.T) {
	m := newMatrix(t)
	covered := map[string]bool{}
	for _, c := range m.cases() {
		for _, a := range c.args {
			name, ok := strings.CutPrefix(a, "--")
			if !ok {
				if a == "-o" {
					name, ok = "output", true
				}
			}
			if ok {
				name, _, _ = strings.Cut(name, "=")
				covered[c.cmd+"|"+c.mode+"|"+name] = true
				covered[c.cmd+"||"+name] = true
			}
		}
	}
	root := testRoot(NewFactory(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}))
	var missing []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c == root || c.Name() == "help" || c.HasSubCommands() {
			return
		}
		path := strings.TrimPrefix(c.CommandPath(), "patchready ")
		check := func(f *pflag.Flag) {
			if f.Name == "help" {
				return
			}
			if path != "apply" {
				if !covered[path+"||"+f.Name] {
					missing = append(missing, fmt.Sprintf("%s --%s", path, f.Name))
				}
				return
			}
			for _, mode := range []string{"fresh", "file", "resume"} {
				if !covered[path+"|"+mode+"|"+f.Name] && !(f.Name == "resume" && mode != "fresh") && !(f.Name == "state-dir" && mode == "resume") {
					missing = append(missing, fmt.Sprintf("%s (%s) --%s", path, mode, f.Name))
				}
			}
		}
		c.LocalFlags().VisitAll(check)
		c.InheritedFlags().VisitAll(check)
	}
	walk(root)
	if len(missing) > 0 {
		t.Errorf("flags without a row in the table:\n  %s", strings.Join(missing, "\n  "))
	}
}

// writePrereqs makes the --prereqs file the table names, in the test's
// working directory.
func writePrereqs(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "prereq", "rules", "seed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.WriteFile("prereqs.yaml", b, 0o600); err != nil {
		t.Fatal(err)
	}
}
