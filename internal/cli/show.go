package cli

import (
	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/render"
)

func init() { subcommands = append(subcommands, newShowCmd) }

func newShowCmd(ios *IOStreams, g *GlobalOptions) *cobra.Command {
	var output string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "show PLANFILE",
		Short: "Render a saved plan for review",
		Long: `show reads a plan saved with plan --out, checks its format version and
checksum, and renders it. It makes no AWS call: reviewers need no credentials.`,
		Example: `  patchready show plan.json
  patchready show plan.json -o markdown > plan.md   # for a pull request or ticket`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := render.ParseFormat(output)
			if err != nil {
				return err
			}
			p, err := plan.LoadFile(args[0])
			if err != nil {
				return err
			}
			return render.Plan(ios.Out, p, format, render.Options{Verbose: verbose, Color: g.color(ios)})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, json or markdown")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "list every node instead of collapsing long groups")
	return cmd
}
