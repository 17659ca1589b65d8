package bench

import (
	"errors"
	"fmt"

	"go.uber.org/zap"
	"math"
	"time"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/ssmsim"
)

// Scenario is one benchmark run: a generated fleet, how much of it needs
// the agent update, and how hard the simulator throttles.
type Scenario struct {
	// Nodes is the fleet size (ssmsim.Generate).
	Nodes int
	// Seed seeds the fleet and the simulator.
	Seed uint64
	// TimeScale is how many times faster than real time the fleet runs.
	// Rate limits are in simulated time, so a high scale makes any limit
	// unreachable: throttling scenarios need a low one (about 10–50).
	TimeScale float64
	// NeedUpdateFraction is the share of nodes whose agent is set below
	// the agent floor after generation; every other node below the floor
	// is lifted to the latest agent, so the work is exactly this share
	// (less the nodes that cannot be fixed, such as unsupported systems).
	NeedUpdateFraction float64
	// RatePerSecond, when positive, limits every operation to this many
	// calls per simulated second with a burst of the same size.
	RatePerSecond float64
	// Strategy is how the agent update is delivered (default association).
	Strategy plan.Strategy
	// MaxConcurrency is passed to the association ("10%" when empty, as
	// the CLI's default).
	MaxConcurrency string
	// Behaviour overrides the simulator's node timings.
	Behaviour ssmsim.Behaviour
	// Logger receives patchready's log lines; nil means none.
	Logger *zap.Logger `json:"-"`
	// External runs the simulator as a separate process (`Binary sim
	// serve`), so that memory and CPU are patchready's alone. The fleet is
	// then the simulator's own generated one: NeedUpdateFraction and
	// Behaviour do not apply.
	External bool
	// PlanOnly stops after the plan: discovery, probe, evaluation, build
	// and saving the plan file, whose size is reported and on which
	// `Binary show` is timed when Binary is set.
	PlanOnly bool
	// Binary is the patchready executable that serves the external
	// simulator and shows the plan file.
	Binary string `json:"-"`
	// PollInterval is the first interval of the probe and converge polls
	// (15 s when zero, as the CLI's default); they back off to four times
	// it.
	PollInterval time.Duration
	// MaxPollInterval is the longest converge wait (4 × PollInterval when
	// zero, as the CLI's default).
	MaxPollInterval time.Duration
	// Scan ends the apply with Patch Manager's own scan of every node it
	// can reach, compliant ones too (apply --scan=all).
	Scan bool
}

// RateScenario is a throttling run: every operation limited to rate calls
// per second with a burst of rate, on a real-time clock. patchready's pacer
// and retry backoff run on the real clock while the simulator's token
// buckets run on the fleet's, so only at a time scale of 1 does the
// achieved rate mean what it would against AWS. To keep such a run short,
// the fleet's timings and the poll intervals are cut to seconds.
func RateScenario(nodes int, rate float64) Scenario {
	return Scenario{
		Nodes: nodes, NeedUpdateFraction: 0.4, TimeScale: 1, RatePerSecond: rate,
		MaxConcurrency: "100%", PollInterval: 2 * time.Second,
		Behaviour: ssmsim.Behaviour{
			UpdateDelay: 5 * time.Second, RestartWindow: 2 * time.Second,
			CommandDuration: 2 * time.Second, InvocationLag: 500 * time.Millisecond,
		},
	}
}

// Name is a short label for tables and benchmark names.
func (s Scenario) Name() string {
	name := fmt.Sprintf("%s nodes", thousands(s.Nodes))
	if s.RatePerSecond > 0 {
		name += fmt.Sprintf(", %g calls/s limit", s.RatePerSecond)
	}
	if s.PlanOnly {
		name += ", plan only"
	} else if s.Strategy != "" && s.Strategy != plan.DefaultStrategy {
		name += ", " + string(s.Strategy)
	}
	if s.External {
		name += ", simulator in its own process"
	}
	if s.Scan {
		name += ", --scan=all"
	}
	return name
}

func (s Scenario) withDefaults() Scenario {
	if s.Seed == 0 {
		s.Seed = 1
	}
	if s.TimeScale == 0 {
		s.TimeScale = 500
	}
	if s.Strategy == "" {
		s.Strategy = plan.DefaultStrategy
	}
	if s.PollInterval == 0 {
		s.PollInterval = 15 * time.Second
	}
	if s.MaxPollInterval == 0 {
		s.MaxPollInterval = 4 * s.PollInterval
	}
	if s.MaxConcurrency == "" {
		s.MaxConcurrency = "10%"
	}
	return s
}

func (s Scenario) validate() error {
	switch {
	case s.Nodes < 1 || s.Nodes > 200000:
		return fmt.Errorf("nodes %d: use 1 to 200000", s.Nodes)
	case s.TimeScale < 1 || s.TimeScale > 100000:
		return fmt.Errorf("time scale %g: use 1 to 100000", s.TimeScale)
	case s.NeedUpdateFraction < 0 || s.NeedUpdateFraction > 1:
		return fmt.Errorf("need-update fraction %g: use 0 to 1", s.NeedUpdateFraction)
	case s.RatePerSecond < 0 || math.IsNaN(s.RatePerSecond):
		return fmt.Errorf("rate %g: use 0 (unlimited) or more", s.RatePerSecond)
	case s.External && s.Binary == "":
		return errors.New("an external simulator needs the patchready binary to run it")
	case s.External && s.Behaviour != (ssmsim.Behaviour{}):
		return errors.New("an external simulator runs with its default node timings; Behaviour cannot be set")
	case s.Scan && s.PlanOnly:
		return errors.New("the scan ends an apply, which a plan-only run does not make")
	}
	return nil
}

// OpFigures are the calls of one SSM operation.
type OpFigures struct {
	Op string `json:"op"`
	// Calls is what patchready made (one call may take several attempts),
	// PlanCalls the part of them made by MakePlan.
	Calls     int `json:"calls"`
	PlanCalls int `json:"plan_calls"`
	// Counted is the part of Calls the minimum is a floor for: only the
	// plan's DescribeInstanceInformation calls are discovery (apply reads
	// nodes back with the same operation), only apply's CreateAssociation
	// calls are the update.
	Counted int `json:"counted,omitempty"`
	// Minimum is the fewest calls the work allows; 0 when no floor is
	// defined for the operation.
	Minimum int `json:"minimum,omitempty"`
	// Naive is what the plain AWS CLI loop makes for the same work; 0 when
	// it does not call the operation.
	Naive     int `json:"naive,omitempty"`
	Retries   int `json:"retries"`
	Throttles int `json:"throttles"`
}

// Result holds the figures of one run.
type Result struct {
	Scenario Scenario `json:"scenario"`
	// Name repeats Scenario.Name for JSON readers.
	Name string `json:"name"`
	// Targets counts the nodes whose agent the plan updates (K), Probed
	// the online Amazon Linux nodes the probe is sent to (P), Requests the
	// nodes whose requests module the plan upgrades.
	Targets     int `json:"targets"`
	Probed      int `json:"probed"`
	Requests    int `json:"requests"`
	Verified    int `json:"verified"`
	NotVerified int `json:"not_verified"`

	Ops []OpFigures `json:"ops"`
	// TotalCalls and NaiveCalls compare the whole run.
	TotalCalls int `json:"total_calls"`
	NaiveCalls int `json:"naive_calls"`
	Retries    int `json:"retries"`
	Throttles  int `json:"throttles"`
	// FailedCalls are calls that returned a throttle or server error to
	// patchready after every retry: the count that must be zero.
	FailedCalls int `json:"failed_calls"`

	Wall time.Duration `json:"wall_ns"`
	// CPU is process user+sys time over the run (simulator included).
	CPU time.Duration `json:"cpu_ns"`
	// PeakHeapInuse and PeakSys are the highest runtime figures sampled
	// every 10 ms; MaxRSS is the process's high-water mark so far (it
	// never goes down, so in a multi-run process it covers earlier runs).
	PeakHeapInuse uint64 `json:"peak_heap_inuse_bytes"`
	PeakSys       uint64 `json:"peak_sys_bytes"`
	MaxRSS        uint64 `json:"max_rss_bytes"`

	// SimElapsed is the simulated time the run took.
	SimElapsed time.Duration `json:"sim_elapsed_ns"`
	// LastVerifiedLag is the last VerifiedAt minus the last time a new
	// agent version became visible through the API (simulated time);
	// MedianVerifiedLag and MaxVerifiedLag are the median and worst per
	// node. Sampling resolution is LagResolution; all are zero with an
	// external simulator, whose state cannot be watched.
	LastVerifiedLag   time.Duration `json:"last_verified_lag_ns"`
	MedianVerifiedLag time.Duration `json:"median_verified_lag_ns"`
	MaxVerifiedLag    time.Duration `json:"max_verified_lag_ns"`
	LagResolution     time.Duration `json:"lag_resolution_ns"`

	// PlanFileBytes is the saved plan file's size (plan-only runs), and
	// ShowWall and ShowMaxRSS what `patchready show` took to read it.
	PlanFileBytes int64         `json:"plan_file_bytes,omitempty"`
	ShowWall      time.Duration `json:"show_wall_ns,omitempty"`
	ShowMaxRSS    uint64        `json:"show_max_rss_bytes,omitempty"`

	// HotOp is the operation with the most calls under a rate limit, and
	// HotRate its sustained rate while busy, in calls per simulated
	// second; HotFraction is HotRate over the limit.
	HotOp       string  `json:"hot_op,omitempty"`
	HotRate     float64 `json:"hot_rate,omitempty"`
	HotFraction float64 `json:"hot_fraction,omitempty"`

	// ScanTargets is how many nodes the apply scans (Scenario.Scan), and
	// ScanPassed how many it verified with the patch state Patch Manager
	// recorded.
	ScanTargets int `json:"scan_targets,omitempty"`
	ScanPassed  int `json:"scan_passed,omitempty"`
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
