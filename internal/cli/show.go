package cli

import (
	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/render"
	"github.com/patchready/patchready/internal/report"
	"github.com/patchready/patchready/internal/report/htmlpage"
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
  patchready show plan.json -o markdown > plan.md   # for a pull request or ticket
  patchready show plan.json -o html > plan.html     # a self-contained page with charts`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output == "html" {
				// The same page as patchready report, for the plan alone.
				p, err := plan.LoadFile(args[0])
				if err != nil {
					return err
				}
				return htmlpage.Write(ios.Out, report.Build(p, report.Options{}), htmlpage.Options{})
			}
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
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, json, markdown or html")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "list every node instead of collapsing long groups")
	return cmd
}
