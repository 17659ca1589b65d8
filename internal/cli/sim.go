package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/ssmsim"
)

// SimServeOptions are the flags of `patchready sim serve` and what it
// depends on.
type SimServeOptions struct {
	IO *IOStreams
	// Region serves the fleet in this region only ("": every region); it
	// is the global --region.
	Region string

	Addr         string
	FleetFile    string
	Size         int
	Seed         uint64
	TimeScale    float64
	ThrottleRate float64
	// OperationRates are --operation-rate OP=RATE, parsed.
	operationRates listValue
	opRates        map[string]float64
	ErrorRate      float64
	Latency        time.Duration
	// The sample organization: accounts with the role, regions with a
	// fleet per account, nodes per account-region (0: the sample's own
	// sizes), the role's name (empty: ssmsim.DefaultRoleName, the flag's
	// default too); SingleAccount serves one standalone account
	// instead, as the simulator did before it held accounts.
	Accounts       int
	Regions        int
	NodesPerTarget int
	RoleName       string
	SingleAccount  bool
}

// NewCmdSim is `patchready sim` and its subcommand.
func NewCmdSim(f *Factory) *cobra.Command {
	sim := &cobra.Command{
		Use:   "sim",
		Short: "Run patchready's fleet simulator (an SSM API server with simulated nodes)",
		Example: `  # Serve the built-in sample fleet on 127.0.0.1:4566
  patchready sim serve`,
		Args: cobra.NoArgs,
	}
	sim.AddCommand(NewCmdSimServe(f, nil))
	return sim
}

// NewCmdSimServe is `patchready sim serve`; runF replaces simServeRun in
// tests.
func NewCmdSimServe(f *Factory, runF func(*SimServeOptions) error) *cobra.Command {
	o := &SimServeOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:         "serve",
		Annotations: usesAWS("region"),
		Short:       "Serve a simulated fleet over the SSM API until interrupted",
		Long: `serve runs the fleet simulator as an HTTP server speaking the SSM API
(awsJson1_1), so that patchready, the AWS CLI or any SDK can be pointed at it
with --endpoint-url. It validates requests as AWS does, answers with AWS's error
shapes, and its nodes behave like real ones: AWS-UpdateSSMAgent updates the
agent after a delay and restarts it, probes read each node's proxy and Python
model, and faults can be injected.

The fleet is the built-in sample (three dozen nodes), a generated fleet
(--size), or a fleet file (--fleet), YAML or JSON:

  nodes:
    - id: i-0123456789abcdef0          # i- + 8 or 17 hex, or mi- + 17 hex
      platform_type: Linux             # Linux | Windows | MacOS
      platform_name: Amazon Linux AMI
      platform_version: "2018.03"
      agent_version: 2.3.1319.0
      ping_status: Online              # Online | ConnectionLost | Inactive
      tags: {Environment: prod}
      proxy: {url: "http://proxy.example:3128", source: upstart-override, no_proxy: "169.254.169.254"}
      python: /usr/bin/python
      pip: /usr/bin/pip                # empty: no pip
      requests: 2.6.0
      faults: {update_fails: false, update_skipped: false, offline_after_update: false,
               undeliverable: false, no_pip: false, slow: 1}

Unknown fields are errors. The fleet is served in every region, or only in
--region when given.

At 1x an agent update takes minutes, as on AWS, and an apply of a few
hundred nodes a quarter of an hour. --time-scale N runs the fleet N times
faster; patchready itself keeps real time, so shorten its --poll-interval
to match (at 300x, --poll-interval 1s waits what 5 minutes of fleet time
would).

By default the simulator serves a sample AWS Organization over SSM, STS,
Organizations, EC2, IAM and SNS on the same endpoint: a management account
(the one any plain keys such as test/test act in) and member accounts with
the role patchready assumes (--role-name), a fleet in each account and
region, an account whose role is missing, a SUSPENDED account, an opt-in
region enabled in one account only, and EC2 instances SSM does not manage
yet. --fleet and --size replace the management account's fleet; --accounts,
--regions and --nodes-per-target size the organization for benchmarks;
--single-account serves one standalone account instead. Signatures are not
checked; keys from AssumeRole act in their role's account until they expire.`,
		Example: `  # The sample fleet on the default port
  patchready sim serve

  # 10,000 generated nodes, 60x real time, with a 20 calls/s rate limit
  patchready sim serve --size 10000 --time-scale 60 --throttle-rate 20

  # A fleet fast enough to apply to in seconds
  patchready sim serve --size 500 --time-scale 300

  # An organization of 100 accounts x 3 regions x 1,000 nodes
  patchready sim serve --accounts 100 --regions 3 --nodes-per-target 1000

  # Then, in another terminal
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
  aws ssm describe-instance-information --endpoint-url http://127.0.0.1:4566
  aws organizations list-accounts --endpoint-url http://127.0.0.1:4566
  aws sts assume-role --role-arn arn:aws:iam::200000000001:role/PatchReadyRole \
      --role-session-name try --endpoint-url http://127.0.0.1:4566
  patchready plan --endpoint-url http://127.0.0.1:4566 --out plan.json
  patchready apply plan.json --endpoint-url http://127.0.0.1:4566 --poll-interval 1s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The global flag is read once parsed.
			o.Region = f.Globals.Region
			if err := o.CheckAndSetDefaults(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return simServeRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Addr, "addr", "127.0.0.1:4566", "address to listen on")
	fl.StringVar(&o.FleetFile, "fleet", "", "fleet file (YAML or JSON) instead of the built-in sample")
	fl.IntVar(&o.Size, "size", 0, "generate a fleet of this many nodes instead of the built-in sample")
	fl.Uint64Var(&o.Seed, "seed", 1, "seed for the generated fleet and the simulator's randomness")
	fl.Float64Var(&o.TimeScale, "time-scale", 1, "how many times faster than real time the simulated fleet runs")
	fl.Float64Var(&o.ThrottleRate, "throttle-rate", 0, "limit each operation to this many calls per second of simulated time (0: no limit)")
	o.operationRates.what = "OPERATION=RATE"
	fl.Var(&o.operationRates, "operation-rate", "limit one operation to its own rate instead, e.g. sts:AssumeRole=100 (SSM's by bare name; repeatable)")
	fl.Float64Var(&o.ErrorRate, "error-rate", 0, "answer this fraction of calls (0 to 1) with a 500 InternalServerError")
	fl.DurationVar(&o.Latency, "latency", 0, "add this much (simulated) latency to every call")
	fl.IntVar(&o.Accounts, "accounts", 0, "member accounts with the role in the sample organization (0: 2)")
	fl.IntVar(&o.Regions, "regions", 0, "regions with a fleet in each account (0: 2)")
	fl.IntVar(&o.NodesPerTarget, "nodes-per-target", 0, "generated nodes in each account and region (0: the sample's sizes)")
	fl.StringVar(&o.RoleName, "role-name", ssmsim.DefaultRoleName, "the role each account has for patchready to assume")
	fl.BoolVar(&o.SingleAccount, "single-account", false, "serve one standalone account instead of the sample organization")
	return cmd
}

// CheckAndSetDefaults checks the flags before the fleet is built.
func (o *SimServeOptions) CheckAndSetDefaults() error {
	switch {
	case o.FleetFile != "" && o.Size > 0:
		return errors.New("--fleet and --size both choose the fleet: give one")
	case o.Size < 0 || o.Size > 1000000:
		return fmt.Errorf("--size %d: use 1 to 1000000", o.Size)
	case o.TimeScale < 1 || o.TimeScale > 100000:
		return fmt.Errorf("--time-scale %g: use 1 to 100000", o.TimeScale)
	case o.ThrottleRate < 0:
		return fmt.Errorf("--throttle-rate %g must not be negative", o.ThrottleRate)
	case o.ErrorRate < 0 || o.ErrorRate > 1:
		return fmt.Errorf("--error-rate %g: use 0 to 1", o.ErrorRate)
	case o.Latency < 0:
		return fmt.Errorf("--latency %s must not be negative", o.Latency)
	case o.Accounts < 0 || o.Accounts > 10000:
		return fmt.Errorf("--accounts %d: use 1 to 10000", o.Accounts)
	case o.Regions < 0 || o.Regions > 10:
		return fmt.Errorf("--regions %d: use 1 to 10", o.Regions)
	case o.NodesPerTarget < 0 || o.NodesPerTarget > 100000:
		return fmt.Errorf("--nodes-per-target %d: use 1 to 100000", o.NodesPerTarget)
	case o.SingleAccount && (o.Accounts > 0 || o.Regions > 0 || o.NodesPerTarget > 0 || (o.RoleName != "" && o.RoleName != ssmsim.DefaultRoleName)):
		return errors.New("--single-account serves no organization: leave out --accounts, --regions, --nodes-per-target and --role-name")
	}
	for _, item := range o.operationRates.items {
		op, rate, ok := strings.Cut(item, "=")
		r, err := strconv.ParseFloat(rate, 64)
		if !ok || op == "" || err != nil || r <= 0 {
			return fmt.Errorf("--operation-rate %q: want OPERATION=RATE, e.g. sts:AssumeRole=100", item)
		}
		if o.opRates == nil {
			o.opRates = map[string]float64{}
		}
		o.opRates[op] = r
	}
	return nil
}

// simServeRun serves the simulator, with options that passed
// CheckAndSetDefaults.
func simServeRun(ctx context.Context, o *SimServeOptions) error {
	ios := o.IO
	fl, what, err := o.fleet()
	if err != nil {
		return err
	}
	region := "*"
	if o.Region != "" {
		region = o.Region
	}
	opts := ssmsim.Options{
		Clock:  clock.NewScaled(time.Now(), o.TimeScale),
		Seed:   o.Seed,
		Faults: ssmsim.Faults{RatePerSecond: o.ThrottleRate, OperationRates: o.opRates, ServerErrorRate: o.ErrorRate, Latency: o.Latency},
	}
	orgText := "one standalone account"
	if o.RoleName == "" {
		o.RoleName = ssmsim.DefaultRoleName
	}
	if !o.SingleAccount {
		opts.Organization = ssmsim.SampleOrganization(ssmsim.SampleOrgOptions{RoleName: o.RoleName, Accounts: o.Accounts,
			Regions: o.Regions, NodesPerTarget: o.NodesPerTarget, Seed: o.Seed})
		orgText = fmt.Sprintf("sample organization, %d accounts (role %s)", len(opts.Organization.Accounts), o.RoleName)
	}
	fleetText := fmt.Sprintf("%d nodes (%s) in the management account, served in every region", len(fl.Nodes), what)
	if region != "*" {
		fleetText = fmt.Sprintf("%d nodes (%s) in the management account, served in region %s", len(fl.Nodes), what, region)
	}
	if o.SingleAccount || o.FleetFile != "" || o.Size > 0 {
		opts.Fleets = map[string]ssmsim.Fleet{region: fl}
	} else {
		fleetText = "the sample organization's: a fleet in each account and region"
	}
	sim := ssmsim.New(opts)
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	url := "http://" + ln.Addr().String()
	if !isLoopback(ln.Addr()) {
		fmt.Fprintf(ios.ErrOut, "warning: listening on %s, reachable from other hosts; the simulator has no authentication\n", ln.Addr())
	}
	fmt.Fprintf(ios.ErrOut, `patchready fleet simulator
  endpoint:  %[1]s
  accounts:  %[2]s
  fleet:     %[3]s
  time:      %[4]gx real time

Point the AWS CLI or patchready at it (any credentials will do):
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
  aws ssm describe-instance-information --endpoint-url %[1]s
  aws organizations list-accounts --endpoint-url %[1]s
  patchready plan --endpoint-url %[1]s%[5]s

Press Ctrl-C to stop.
`, url, orgText, fleetText, o.TimeScale, pollHint(o.TimeScale))

	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Let calls in flight finish, briefly: clients retry what is cut off.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	total := sim.Stats().Total()
	fmt.Fprintf(ios.ErrOut, "simulator stopped after %d API calls (%d throttled, %d errors)\n", total.Calls, total.Throttled, total.ClientErrors+total.ServerErrors)
	return nil
}

// fleet returns the fleet the flags choose and a description of it.
func (o *SimServeOptions) fleet() (ssmsim.Fleet, string, error) {
	switch {
	case o.FleetFile != "":
		fl, err := ssmsim.LoadFleetFile(o.FleetFile)
		if err != nil {
			return ssmsim.Fleet{}, "", err
		}
		return fl, o.FleetFile, nil
	case o.Size > 0:
		return ssmsim.Generate(o.Size, o.Seed), fmt.Sprintf("generated, seed %d", o.Seed), nil
	}
	return ssmsim.SampleFleet(), "built-in sample", nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// pollHint suggests a poll interval that matches the simulator's time
// scale: patchready waits in real time.
func pollHint(scale float64) string {
	if scale < 10 {
		return "\n  (at 1x an apply takes as long as on AWS; --time-scale 300 makes it seconds)"
	}
	return fmt.Sprintf("\n  (patchready waits in real time: give apply --poll-interval %s to match %gx)", max(time.Second, time.Duration(float64(15*time.Second)/scale).Round(time.Second)), scale)
}
