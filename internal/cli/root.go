package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// IOStreams are where a command reads and writes: stdout is data, stderr is
// talk (logs, progress, prompts).
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Drain is closed by the first interrupt (nil: never).
	Drain <-chan struct{}
	// IsTerminal reports whether stdin and stderr are an interactive
	// terminal: progress bars and confirmation prompts need one.
	IsTerminal bool
}

// Main runs patchready with os.Args and returns the process exit code.
func Main() int {
	// The first SIGINT/SIGTERM closes Drain: apply and heal stop starting
	// new work and let running work report; other commands stop at once.
	// The second cancels the context.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	drain := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
		case <-ctx.Done():
			return
		}
		close(drain)
		fmt.Fprintln(os.Stderr, "\nInterrupt: no new work will start; waiting for running work to report. Press Ctrl-C again to stop at once.")
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	ios := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Drain: drain, IsTerminal: isTerminal(os.Stdin) && isTerminal(os.Stderr)}
	return Run(ctx, ios, os.Args[1:])
}

// Run runs patchready with args and returns the exit code. Tests call it
// with buffers.
func Run(ctx context.Context, ios *IOStreams, args []string) int {
	if !drainAware[firstCommand(args)] {
		// Commands without a graceful stop end at the first interrupt.
		ctx = untilClosed(ctx, ios.Drain)
	}
	root := NewRootCmd(ios)
	root.SetArgs(args)
	err := explain(root.ExecuteContext(ctx))
	if err != nil {
		if msg := err.Error(); msg != "" {
			fmt.Fprintf(ios.ErrOut, "Error: %s\n", msg)
		}
	}
	return exitCode(err)
}

// NewRootCmd builds the command tree.
func NewRootCmd(ios *IOStreams) *cobra.Command {
	g := &GlobalOptions{}
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
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetVersionTemplate("patchready {{.Version}}\n")
	g.bind(root)

	root.AddCommand(newVersionCmd(ios))
	for _, add := range subcommands {
		root.AddCommand(add(ios, g))
	}
	return root
}

// subcommands lists the constructors of the commands that need the global
// options; each command file appends itself in an init function, so command
// files stay independent.
var subcommands []func(*IOStreams, *GlobalOptions) *cobra.Command

func newVersionCmd(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version and build information",
		Example: "  patchready version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := io.WriteString(ios.Out, buildInfo())
			return err
		},
	}
}

// drainAware lists the commands that handle the first interrupt themselves.
var drainAware = map[string]bool{"apply": true, "heal": true, "demo": true}

func firstCommand(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// untilClosed returns a context cancelled when ch closes.
func untilClosed(ctx context.Context, ch <-chan struct{}) context.Context {
	if ch == nil {
		return ctx
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx
}
