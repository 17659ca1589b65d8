package cli

import (
	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/render"
	"github.com/patchready/patchready/internal/report"
	"github.com/patchready/patchready/internal/report/htmlpage"
)

// ShowOptions are the arguments and flags of `patchready show`.
type ShowOptions struct {
	IO *IOStreams

	PlanFile string
	Output   string
	Verbose  bool
}

// NewCmdShow is `patchready show`; runF replaces showRun in tests.
func NewCmdShow(f *Factory, runF func(*ShowOptions) error) *cobra.Command {
	o := &ShowOptions{IO: f.IOStreams}
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
			o.PlanFile = args[0]
			if runF != nil {
				return runF(o)
			}
			return showRun(o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text, json, markdown or html")
	cmd.Flags().BoolVar(&o.Verbose, "verbose", false, "list every node instead of collapsing long groups")
	return cmd
}

func showRun(o *ShowOptions) error {
	if o.Output == "html" {
		// The same page as patchready report, for the plan alone.
		p, err := plan.LoadFile(o.PlanFile)
		if err != nil {
			return err
		}
		return htmlpage.Write(o.IO.Out, report.Build(p, report.Options{}), htmlpage.Options{})
	}
	format, err := render.ParseFormat(o.Output)
	if err != nil {
		return err
	}
	p, err := plan.LoadFile(o.PlanFile)
	if err != nil {
		return err
	}
	return render.Plan(o.IO.Out, p, format, render.Options{Verbose: o.Verbose, Color: o.IO.ColorEnabled()})
}
