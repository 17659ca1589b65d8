package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
)

// DemoOptions are the flags of `patchready demo` and what it depends on.
// It makes its own session and clock (an in-process simulator on scaled
// time); Globals give its logger the user's --log-level and format.
type DemoOptions struct {
	IO      *IOStreams
	Globals *GlobalOptions
	// Shutdown carries the drain of the first interrupt.
	Shutdown *Shutdown

	FleetFile string
	Size      int
	Seed      uint64
	Strategy  string
	TimeScale float64
	Verbose   bool
	StateDir  string
	// Strict exits with the code a real run would give.
	Strict bool
	// Org runs the demo across the sample organization.
	Org bool
	// Scan ends the apply with Patch Manager's own scan (--scan).
	Scan string
}

// NewCmdDemo is `patchready demo`; runF replaces demoRun in tests.
func NewCmdDemo(f *Factory, runF func(*DemoOptions) error) *cobra.Command {
	o := &DemoOptions{IO: f.IOStreams, Globals: f.Globals, Shutdown: f.Shutdown}
	cmd := &cobra.Command{
		Use:         "demo",
		Annotations: drainsOnInterrupt(),
		Short:       "Run plan and apply against a built-in simulated fleet (no AWS account needed)",
		Long: `demo starts patchready's fleet simulator in this process (an SSM API server on
127.0.0.1 with simulated managed nodes), then runs plan and apply against it
exactly as against AWS, on accelerated time: the fleet is discovered and
probed, the plan shows every node's verdict and reason, the fixes run with
live progress, and every node is read back.

Beside the fleet run EC2 instances SSM does not manage, one of each kind: the
plan says why each is not managed and what each fix would do, and the apply
attaches an instance profile (--attach-instance-profile) to those that have
none. One of them then registers, and the same run checks it and updates its
old agent; the one without an agent never registers and fails, with the
suspects named.

The sample fleet holds nodes built to fail (an agent update that fails, a
proxied node with no pip, the instance without an agent, and whatever SSM
then skips): the demo exits 0 when the nodes that failed are exactly such
nodes, because that is the story running as designed. With --strict it exits with the code a real run would
give: 3 when some node could not be made compliant. Any other failure (a
timeout, an error, an interrupt) gives its real code either way.

--scan ends the apply with Patch Manager's own read-only scan (AWS-RunPatchBaseline
Operation=Scan) on the nodes it fixed, --scan=all on every node: a node is
verified only if the scan passes, and its patch state is shown. One sample node
passes every preflight check, yet its repositories are out of reach: only the
scan finds it, and it fails by design.`,
		Example: `  # The built-in sample fleet (three dozen nodes with every kind of problem)
  patchready demo

  # A generated fleet of 2,000 nodes, through a maintenance window
  patchready demo --size 2000 --strategy maintenance-window

  # Your own fleet description (see patchready sim serve --help for the format)
  patchready demo --fleet my-fleet.yaml

  # Ending with Patch Manager's own scan of every node, the compliant ones too
  patchready demo --scan=all

  # Across an organization: three accounts, two regions, one broken account
  patchready demo --org`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.CheckAndSetDefaults(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return demoRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.FleetFile, "fleet", "", "fleet file (YAML or JSON) instead of the built-in sample")
	fl.IntVar(&o.Size, "size", 0, "generate a fleet of this many nodes instead of the built-in sample")
	fl.Uint64Var(&o.Seed, "seed", 1, "seed for the generated fleet and the simulator's randomness")
	fl.StringVar(&o.Strategy, "strategy", string(plan.DefaultStrategy), "how the demo updates the agent: "+remedy.StrategyNames())
	fl.Float64Var(&o.TimeScale, "time-scale", 120, "how many times faster than real time the simulated fleet runs")
	fl.BoolVar(&o.Verbose, "verbose", false, "list every node")
	fl.StringVar(&o.StateDir, "state-dir", "", "where the demo's run journal goes (default: a temporary directory)")
	fl.BoolVar(&o.Strict, "strict", false, "exit with the code a real run would give (3 when a node failed), even when only the fleet's intended failures happened")
	fl.BoolVar(&o.Org, "org", false, "run across a sample AWS Organization: 3 accounts × 2 regions, and an account whose role is missing (--size: nodes per account and region)")
	bindScan(cmd, &o.Scan)
	bindShutdownGrace(cmd)
	return cmd
}

// CheckAndSetDefaults checks the flags before the simulator starts.
func (o *DemoOptions) CheckAndSetDefaults() error {
	if o.FleetFile != "" && o.Size > 0 {
		return fmt.Errorf("--fleet and --size both choose the fleet: give one")
	}
	if o.Org && o.FleetFile != "" {
		return fmt.Errorf("--fleet describes one account's fleet; --org runs the sample organization (size it with --size, nodes per account and region)")
	}
	if o.Size < 0 || o.Size > 200000 {
		return fmt.Errorf("--size %d: use 1 to 200000", o.Size)
	}
	if o.TimeScale < 1 || o.TimeScale > 100000 {
		return fmt.Errorf("--time-scale %g: use 1 to 100000", o.TimeScale)
	}
	if _, err := remedy.LookupStrategy(o.Strategy); err != nil {
		return fmt.Errorf("--strategy: %w", err)
	}
	return checkScan(o.Scan)
}

// demoRun runs the demo, with options that passed CheckAndSetDefaults.
func demoRun(ctx context.Context, o *DemoOptions) error {
	if o.Org {
		return demoOrgRun(ctx, o)
	}
	ios := o.IO
	fl := ssmsim.SampleFleet()
	what := "the built-in sample fleet"
	switch {
	case o.FleetFile != "":
		var err error
		if fl, err = ssmsim.LoadFleetFile(o.FleetFile); err != nil {
			return err
		}
		what = o.FleetFile
	case o.Size > 0:
		fl = ssmsim.Generate(o.Size, o.Seed)
		what = fmt.Sprintf("a generated fleet of %d nodes", o.Size)
	}
	clk := clock.NewScaled(time.Now(), o.TimeScale)
	// The sample organization's management account: the fleet above, and
	// beside it EC2 instances SSM does not manage, one of each kind, with
	// the IAM they meet.
	org := ssmsim.SampleOrganization(ssmsim.SampleOrgOptions{})
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: o.Seed, Organization: org, Fleets: map[string]ssmsim.Fleet{"*": fl}})
	endpoint, stateDir, stop, err := serveDemo(sim, o.StateDir)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(ios.ErrOut, "patchready demo: simulating %s (%d nodes) and %d EC2 instances SSM does not manage, at %s, time running %gx faster.\n"+
		"Everything below is the real plan and apply code talking SSM, EC2 and IAM over HTTP to the simulator.\n"+
		"The apply runs with --attach-instance-profile %s: each instance without a profile gets one, and once it\n"+
		"registers with SSM the same run checks it and updates it like any node.\n\n",
		what, len(fl.Nodes), len(ssmsim.SampleInstances()), endpoint, o.TimeScale, demoProfile)

	ao := demoApplyOptions(o, demoSession(o, endpoint, "us-east-1", true), clk, stateDir)
	ao.plan.Strategy = o.Strategy
	ao.plan.fixes.attachProfile.value = demoProfile
	if err := ao.CheckAndSetDefaults(); err != nil {
		return err
	}
	err = applyRun(ctx, ao)
	st := sim.Stats().Total()
	fmt.Fprintf(ios.ErrOut, "\nAPI calls made (SSM, EC2, IAM): %d (%d throttled and retried). Against AWS the same run makes the same calls.\n", st.Calls, st.Throttled)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != ExitNotCompliant {
		return err
	}
	if unintended := unintendedFailures(fl, ssmsim.SampleInstances(), ao.report); !o.Strict && len(unintended) == 0 {
		fmt.Fprintln(ios.ErrOut, "The nodes that failed are the ones this fleet is built to fail (see their faults in the fleet, and the instances without an agent): the demo ran as designed, so it exits 0.\n"+
			"A real run exits 3 here; so does the demo with --strict.")
		return nil
	} else if len(unintended) > 0 {
		fmt.Fprintf(ios.ErrOut, "Exit code 3: nodes failed that the fleet does not build to fail: %s.\n", strings.Join(unintended, ", "))
	} else {
		fmt.Fprintln(ios.ErrOut, "Exit code 3 (--strict): some targeted nodes could not be made compliant; the report above says which and why.")
	}
	return err
}

// demoProfile is the sample account's instance profile whose role lets
// the agent in: the demo's apply attaches it to the unmanaged instances
// that have none.
const demoProfile = "patchready-ssm-instance"

// buildsFailure reports whether the simulated fleet builds a failure into
// n: a fault, or a software state the fleet marks as failing on purpose.
func buildsFailure(n ssmsim.Node) bool {
	f := n.Faults
	return f.UpdateFails || f.UpdateSkipped || f.OfflineAfterUpdate || f.Undeliverable || f.NoPip || n.Expect == "failed"
}

// unintendedFailures lists the nodes that did not end verified although
// the fleet builds no failure into them. A node SSM skipped because its
// association passed --max-errors counts as intended: an intended failure
// in its batch is what stopped it. So does an unmanaged instance built
// never to register (no agent, no route to SSM).
func unintendedFailures(fl ssmsim.Fleet, instances []ssmsim.Instance, r *converge.Report) []string {
	if r == nil {
		return []string{"(no report)"}
	}
	faulty := map[string]bool{}
	for _, n := range fl.Nodes {
		faulty[n.ID] = buildsFailure(n)
	}
	for _, x := range instances {
		if x.AgentVersion == "" || x.NoSSMPath {
			faulty[x.ID] = true
		}
	}
	var out []string
	for _, o := range r.Outcomes {
		switch {
		case o.State == converge.StateVerified:
		case o.State == converge.StateFailed && (faulty[o.InstanceID] || strings.Contains(o.Reason, "--max-errors")):
		default:
			out = append(out, o.InstanceID+" ("+string(o.State)+")")
		}
	}
	return out
}

// serveDemo serves sim on a free port of 127.0.0.1 and returns its
// endpoint, the state directory (stateDir, or a temporary one removed by
// stop), and stop, which ends both.
func serveDemo(sim *ssmsim.Server, stateDir string) (endpoint, dir string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, fmt.Errorf("start simulator: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop = func() { _ = srv.Close() }
	if stateDir == "" {
		d, err := os.MkdirTemp("", "patchready-demo-")
		if err != nil {
			stop()
			return "", "", nil, fmt.Errorf("create demo state directory: %w", err)
		}
		stateDir = d
		closeSrv := stop
		stop = func() { closeSrv(); _ = os.RemoveAll(d) }
	}
	return "http://" + ln.Addr().String(), stateDir, stop, nil
}

// demoSession is the session of a demo: the simulator at endpoint, in
// region, with the demo's credentials; withEstate adds the EC2 and IAM
// clients that find unmanaged instances.
func demoSession(o *DemoOptions, endpoint, region string, withEstate bool) func(context.Context) (*session, error) {
	return func(ctx context.Context) (*session, error) {
		log, err := newLogger(o.Globals, o.IO)
		if err != nil {
			return nil, err
		}
		calls := awsclient.NewCallCounter()
		client, cfg, err := awsclient.Client(ctx, awsclient.Config{
			Region: region, EndpointURL: endpoint, Logger: log,
			Credentials: credentials.NewStaticCredentialsProvider("demo", "demo", ""),
			MaxBackoff:  time.Second,
		}, calls.Options)
		if err != nil {
			return nil, err
		}
		s := &session{ssm: client, region: cfg.Region, log: log, calls: calls, cfg: cfg, endpoint: endpoint, maxBackoff: time.Second}
		if withEstate {
			s.estate = newEstate(cfg, endpoint, calls)
		}
		return s, nil
	}
}

// demoApplyOptions are apply's options as the demos run it: unattended,
// the CLI's rate controls, no resume hint (the simulator ends with the
// process: there is nothing to resume).
func demoApplyOptions(o *DemoOptions, sess func(context.Context) (*session, error), clk clock.Clock, stateDir string) *ApplyOptions {
	ao := &ApplyOptions{
		IO: o.IO, Session: sess, Clock: clk, Shutdown: o.Shutdown, noHint: true,
		AutoApprove: true, Timeout: 30 * time.Minute, PollInterval: 15 * time.Second,
		MaxConcurrency: "10%", MaxErrors: "10%", StateDir: stateDir, Output: "text", Verbose: o.Verbose,
		WindowDuration: 2, WindowCutoff: 1,
	}
	ao.plan.Strategy, ao.Scan = o.Strategy, o.Scan
	return ao
}
