package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Main runs patchready with os.Args and returns the process exit code.
func Main() int {
	f := NewFactory(SystemIO())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		for sig := range sigs {
			f.Shutdown.Signal(sig)
		}
	}()
	return run(context.Background(), f, os.Args[1:])
}

// Run runs patchready with args and returns the exit code. Tests call it
// with buffers.
func Run(ctx context.Context, ios *IOStreams, args []string) int {
	return run(ctx, NewFactory(ios), args)
}

func run(ctx context.Context, f *Factory, args []string) int {
	ctx = f.Shutdown.bind(ctx)
	root := NewRootCmd(f)
	root.SetArgs(args)
	err := explain(root.ExecuteContext(ctx))
	f.Shutdown.done()
	if err != nil {
		if msg := err.Error(); msg != "" {
			fmt.Fprintf(f.IOStreams.ErrOut, "Error: %s\n", msg)
		}
	}
	return f.Shutdown.exitCode(exitCode(err))
}

// NewRootCmd builds the command tree.
func NewRootCmd(f *Factory) *cobra.Command { return newRoot(f, commands(f)) }

// newRoot builds the root command over cmds (tests pass commands built
// with runF).
func newRoot(f *Factory, cmds []*cobra.Command) *cobra.Command {
	root := &cobra.Command{
		Use:   "patchready",
		Short: "Make an AWS fleet ready for Systems Manager Patch Manager, and keep it so",
		Long: `patchready reads every managed node, checks it against Patch Manager's
prerequisites (SSM Agent 2.0.834.0 or later, a supported operating system, and
a current Python requests module on Amazon Linux behind a proxy), shows a plan
you can review, fixes what SSM can fix, and reads back that every node complies.`,
		Example: `  # Try the whole story on a simulated fleet, no AWS account needed
  patchready demo

  # Review what would change in your account, then apply exactly that
  patchready plan --region eu-west-1 --out plan.json
  patchready apply plan.json`,
		Version:       toolVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// Runs once the command line is parsed, for whichever command runs.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			f.IOStreams.noColor = f.Globals.NoColor
			if err := checkAWSFlags(cmd); err != nil {
				return err
			}
			return f.Shutdown.configure(cmd)
		},
	}
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetVersionTemplate("patchready {{.Version}}\n")
	f.Globals.bind(root)
	root.AddCommand(cmds...)
	return root
}

// commands is every command under the root: adding a command is its file
// (options, NewCmdX, run function) and one line here.
func commands(f *Factory) []*cobra.Command {
	return []*cobra.Command{
		NewCmdPlan(f, nil),
		NewCmdShow(f, nil),
		NewCmdReport(f, nil),
		NewCmdApply(f, nil),
		NewCmdHeal(f, nil),
		NewCmdSchedule(f),
		NewCmdCleanup(f, nil),
		NewCmdDemo(f, nil),
		NewCmdSim(f),
		NewCmdBench(f, nil),
		NewCmdChecks(f, nil),
		NewCmdIAMPolicy(f),
		NewCmdCompletion(f),
		NewCmdVersion(f),
	}
}

// NewCmdVersion is `patchready version`.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version and build information",
		Example: "  patchready version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := io.WriteString(f.IOStreams.Out, buildInfo())
			return err
		},
	}
}
