package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/bench"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
)

// BenchOptions are the flags of `patchready bench` and what it depends on.
type BenchOptions struct {
	IO *IOStreams
	// Globals give the benchmark's logger the user's --log-level.
	Globals *GlobalOptions

	Sizes     string
	Rate      float64
	TimeScale float64
	MaxPoll   time.Duration
	Seed      uint64
	Fraction  float64
	Output    string
	External  bool
	PlanOnly  bool
	// Scan runs each size twice, without and with apply --scan=all, and
	// reports what the scan adds.
	Scan bool
	// Org is "ACCOUNTSxREGIONS": plan across an organization instead.
	Org string
	// Strategies are the agent-update strategies to run, comma-separated:
	// one row per size and strategy.
	Strategies string

	// given are the flags on the command line, set by NewCmdBench.
	given map[string]bool
	// sizes are the parsed --sizes, set by CheckAndSetDefaults.
	sizes []int
	// strategies are the parsed --strategies.
	strategies []plan.Strategy
	// orgAccounts and orgRegions are the parsed --org.
	orgAccounts, orgRegions int
}

// NewCmdBench is `patchready bench`; runF replaces benchRun in tests.
func NewCmdBench(f *Factory, runF func(*BenchOptions) error) *cobra.Command {
	o := &BenchOptions{IO: f.IOStreams, Globals: f.Globals}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure plan and apply against simulated fleets of given sizes",
		Long: `bench runs plan and apply against patchready's in-process fleet simulator
for each fleet size and prints, per run: SSM API calls per operation against
the fewest the work allows and against a plain AWS CLI loop doing the same
update, wall and CPU time, peak memory, how long after the last simulated
agent update every node was verified, and throttles met and retries spent.

CPU and memory include the simulator, which runs in the same process,
unless --external runs it as a separate process (this binary's sim serve):
then they are patchready's alone, and the fleet is the simulator's generated
one (--need-update is refused) and verification lags are not measured.
--plan-only stops after the plan file is saved, reports its size and times
patchready show on it.

With --rate, every SSM operation is limited to that many calls per second
(burst the same), on real time: the fleet's timings are cut to seconds so
that the run stays short (--time-scale is refused). The table then gives
the sustained rate of the busiest operation as a share of the limit.

With --org ACCOUNTSxREGIONS, it plans across an organization of that many
accounts (the caller's and ACCOUNTS-1 members) × regions, each account-region
a fleet of --sizes nodes limited to --rate calls per second per operation,
every target at once, with the simulator in its own process on real time
(--external and --plan-only are implied). It reports the plan's wall time
against its slowest target planned alone, calls per operation against the
fewest possible, peak memory and failed calls.

With --scan, each size runs twice: as above, then with apply --scan=all
(Patch Manager's own scan of every node the run can reach, compliant ones
too). A table then gives the scan's commands and patch-state reads against
their floors (one SendCommand per 50 nodes per platform, one
DescribeInstancePatchStates per 50 scanned nodes) and the fleet time and wall
time the scan added.`,
		Example: `  # 1,000 and 10,000 nodes (the default)
  patchready bench

  # 100,000 nodes, as JSON
  patchready bench --sizes 100000 -o json

  # What --scan=all adds to an apply of 1,000 nodes
  patchready bench --sizes 1000 --scan

  # Under a limit of 20 calls per second per operation
  patchready bench --sizes 10000 --rate 20

  # patchready's own memory for a 100,000-node plan
  patchready bench --sizes 100000 --external --plan-only

  # A plan across 100 accounts × 3 regions × 1,000 nodes, 10 calls/s per
  # operation in each account-region
  patchready bench --org 100x3 --sizes 1000 --rate 10`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.given = givenFlags(cmd)
			if err := o.CheckAndSetDefaults(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return benchRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Sizes, "sizes", "1000,10000", "comma-separated fleet sizes")
	fl.Float64Var(&o.Rate, "rate", 0, "calls per second allowed per operation (0: unlimited)")
	fl.Float64Var(&o.TimeScale, "time-scale", 500, "how many times faster than real time the simulated fleet runs")
	fl.DurationVar(&o.MaxPoll, "max-poll-interval", 0, "apply's longest wait between read-backs (default 4x the 15s poll interval)")
	fl.Uint64Var(&o.Seed, "seed", 1, "seed for the generated fleets and the simulator")
	fl.Float64Var(&o.Fraction, "need-update", 0.4, "share of nodes set below the agent floor")
	fl.StringVarP(&o.Output, "output", "o", "markdown", "output format: markdown or json")
	fl.BoolVar(&o.External, "external", false, "run the simulator as a separate process, so that CPU and memory are patchready's alone")
	fl.BoolVar(&o.PlanOnly, "plan-only", false, "stop after saving the plan file; report its size and time show on it")
	fl.BoolVar(&o.Scan, "scan", false, "run each size without and with apply --scan=all, and report what the scan adds")
	fl.StringVar(&o.Org, "org", "", "plan across an organization of ACCOUNTSxREGIONS targets, --sizes nodes each (e.g. 100x3)")
	fl.StringVar(&o.Strategies, "strategies", string(plan.DefaultStrategy), "agent-update strategies to compare, comma-separated (one row per size and strategy): "+strings.Join(strategyNames(), ", "))
	return cmd
}

// CheckAndSetDefaults checks the flags before any fleet is built.
func (o *BenchOptions) CheckAndSetDefaults() error {
	if o.Output != "markdown" && o.Output != "json" {
		return fmt.Errorf("--output %q: use markdown or json", o.Output)
	}
	if o.External && o.Rate > 0 && o.Org == "" {
		return errors.New("--external and --rate: the rate scenario sets the simulator's node timings, which an external simulator does not take; use one")
	}
	// Flags a scenario would not use are refused rather than ignored.
	switch {
	case o.Rate > 0 && o.given["time-scale"]:
		return errors.New("--time-scale has no effect with --rate, which runs on real time with the fleet's timings cut to seconds; leave one out")
	case o.External && o.given["need-update"]:
		return errors.New("--need-update has no effect with --external: the external simulator serves its own generated fleet; leave one out")
	case o.PlanOnly && o.given["max-poll-interval"]:
		return errors.New("--max-poll-interval has no effect with --plan-only, which stops before apply; leave one out")
	case o.Scan && o.PlanOnly:
		return errors.New("--scan has no effect with --plan-only: the scan ends an apply, which --plan-only does not make; leave one out")
	case o.Scan && o.Org != "":
		return errors.New("--scan has no effect with --org, which plans (no apply); leave one out")
	}
	var err error
	if o.sizes, err = parseSizes(o.Sizes); err != nil {
		return err
	}
	o.strategies = nil
	for _, name := range strings.Split(o.Strategies, ",") {
		st, err := remedy.LookupStrategy(strings.TrimSpace(name))
		if err != nil {
			return fmt.Errorf("--strategies: %w", err)
		}
		o.strategies = append(o.strategies, plan.Strategy(st.Name))
	}
	if (o.PlanOnly || o.Org != "") && o.given["strategies"] {
		return errors.New("--strategies has no effect with --plan-only or --org, which stop before apply; leave one out")
	}
	if o.Org == "" {
		return nil
	}
	for _, name := range []string{"time-scale", "need-update", "max-poll-interval"} {
		if o.given[name] {
			return fmt.Errorf("--%s has no effect with --org, which plans (no apply) on real time against the simulator's own fleets; leave one out", name)
		}
	}
	a, r, ok := strings.Cut(o.Org, "x")
	if o.orgAccounts, err = strconv.Atoi(a); ok && err == nil {
		o.orgRegions, err = strconv.Atoi(r)
	}
	if !ok || err != nil || o.orgAccounts < 1 || o.orgRegions < 1 {
		return fmt.Errorf("--org %q: want ACCOUNTSxREGIONS, e.g. 100x3", o.Org)
	}
	if !o.given["sizes"] {
		o.sizes = []int{1000}
	}
	if len(o.sizes) != 1 {
		return fmt.Errorf("--sizes %q: with --org, give one size, the nodes in each account-region", o.Sizes)
	}
	return nil
}

// benchRun runs the benchmarks, with options that passed
// CheckAndSetDefaults.
func benchRun(ctx context.Context, o *BenchOptions) error {
	ios := o.IO
	sizes := o.sizes
	log, err := newLogger(o.Globals, ios)
	if err != nil {
		return err
	}
	// The external simulator and the plan-file show run this very binary.
	binary, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the patchready binary: %w", err)
	}
	if o.Org != "" {
		sc := bench.OrgScenario{Accounts: o.orgAccounts, Regions: o.orgRegions, NodesPerTarget: sizes[0], Rate: o.Rate,
			Seed: o.Seed, Binary: binary, Logger: log}
		fmt.Fprintf(ios.ErrOut, "patchready bench: %d accounts × %d regions × %d nodes…\n", sc.Accounts, sc.Regions, sc.NodesPerTarget)
		r, err := bench.RunOrg(ctx, sc)
		if err != nil {
			return fmt.Errorf("bench --org %s: %w", o.Org, err)
		}
		if o.Output == "json" {
			enc := json.NewEncoder(ios.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(r)
		}
		return bench.WriteOrgTable(ios.Out, r)
	}
	var results []bench.Result
	for _, n := range sizes {
		for _, st := range o.strategies {
			sc := bench.Scenario{Nodes: n, Seed: o.Seed, TimeScale: o.TimeScale, NeedUpdateFraction: o.Fraction, MaxPollInterval: o.MaxPoll}
			if o.Rate > 0 {
				sc = bench.RateScenario(n, o.Rate)
				sc.Seed, sc.NeedUpdateFraction = o.Seed, o.Fraction
			}
			sc.Logger, sc.External, sc.PlanOnly, sc.Binary, sc.Strategy = log, o.External, o.PlanOnly, binary, st
			scenarios := []bench.Scenario{sc}
			if o.Scan {
				withScan := sc
				withScan.Scan = true
				scenarios = append(scenarios, withScan)
			}
			for _, sc := range scenarios {
				fmt.Fprintf(ios.ErrOut, "patchready bench: %s…\n", sc.Name())
				r, err := bench.Run(ctx, sc)
				if err != nil {
					return fmt.Errorf("bench %d nodes, strategy %s: %w", n, st, err)
				}
				results = append(results, r)
			}
		}
	}
	if o.Output == "json" {
		enc := json.NewEncoder(ios.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	return bench.WriteTable(ios.Out, results)
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 200000 {
			return nil, fmt.Errorf("--sizes %q: give fleet sizes from 1 to 200000, comma-separated", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// strategyNames are the registered strategies' names.
func strategyNames() []string {
	var out []string
	for _, s := range remedy.Strategies() {
		out = append(out, s.Name)
	}
	return out
}
