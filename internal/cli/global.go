package cli

import (
	"os"

	"github.com/spf13/cobra"
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
}

func (g *GlobalOptions) bind(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&g.Region, "region", "", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region)")
	f.StringVar(&g.Profile, "profile", "", "named profile from the AWS shared config (default: AWS_PROFILE)")
	f.StringVar(&g.EndpointURL, "endpoint-url", "", "endpoint of every AWS service patchready calls (SSM, EC2 and IAM, and STS and Organizations across accounts), e.g. a simulator at http://127.0.0.1:4566 (per service: AWS_ENDPOINT_URL_SSM, _EC2, _IAM, _STS, _ORGANIZATIONS)")
	f.StringVar(&g.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&g.LogFormat, "log-format", "console", "log format on stderr: console or json")
	f.BoolVar(&g.NoColor, "no-color", os.Getenv("NO_COLOR") != "", "disable colour in output (also NO_COLOR)")
}
