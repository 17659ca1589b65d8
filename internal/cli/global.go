package cli

import (
	"context"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// GlobalOptions are the flags every command accepts, named as the AWS CLI
// names them.
type GlobalOptions struct {
	Region      string
	Profile     string
	EndpointURL string
	LogLevel    string
	LogFormat   string
	NoColor     bool

	// newSession replaces how commands reach SSM (the demo, tests).
	newSession sessionFactory
}

func (g *GlobalOptions) bind(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&g.Region, "region", "", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region)")
	f.StringVar(&g.Profile, "profile", "", "named profile from the AWS shared config (default: AWS_PROFILE)")
	f.StringVar(&g.EndpointURL, "endpoint-url", "", "SSM endpoint override, e.g. a simulator at http://127.0.0.1:4566 (also AWS_ENDPOINT_URL_SSM)")
	f.StringVar(&g.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&g.LogFormat, "log-format", "console", "log format on stderr: console or json")
	f.BoolVar(&g.NoColor, "no-color", os.Getenv("NO_COLOR") != "", "disable colour in output (also NO_COLOR)")
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// session returns the SSM session for a command: the one the demo or a
// test installed, or a new one from the flags and environment.
func (g *GlobalOptions) session(ctx context.Context, ios *IOStreams) (*session, error) {
	if g.newSession != nil {
		return g.newSession(ctx, g, ios)
	}
	return newSession(ctx, g, ios)
}

// color reports whether human output may use ANSI colour.
func (g *GlobalOptions) color(ios *IOStreams) bool { return !g.NoColor && ios.IsTerminal }
