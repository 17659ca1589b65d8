package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/report"
	"github.com/patchready/patchready/internal/report/htmlpage"
)

// ReportOptions are the arguments and flags of `patchready report`.
type ReportOptions struct {
	IO *IOStreams

	PlanFile string
	Journals []string
	RunIDs   []string
	StateDir string
	Out      string
}

// NewCmdReport is `patchready report`; runF replaces reportRun in tests.
func NewCmdReport(f *Factory, runF func(*ReportOptions) error) *cobra.Command {
	o := &ReportOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "report PLANFILE",
		Short: "Write a self-contained HTML readiness report of a saved plan and its runs",
		Long: `report reads a plan saved with plan --out (checking its format version and
checksum, as show does) and, optionally, the journals of runs made from it, and
writes one HTML file: verdicts, nodes by platform, agent versions against the
floor, blocked causes ranked with advice, check outcomes, for each run the
nodes verified over time and the failures, and a searchable, sortable table of
every node.

The file loads nothing from anywhere (no script, font or stylesheet from the
network), so it opens offline and can be attached to a change ticket. It
prints readably. It makes no AWS call.`,
		Example: `  patchready report plan.json --out readiness.html
  patchready report plan.json --run 20261125T201500Z-1a2b3c --out after-apply.html
  patchready report plan.json --journal /var/lib/patchready/runs/20261125T201500Z-1a2b3c.jsonl > report.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.PlanFile = args[0]
			if runF != nil {
				return runF(o)
			}
			return reportRun(o)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&o.Journals, "journal", nil, "a run journal (.jsonl) to include; repeatable, oldest first")
	fl.StringArrayVar(&o.RunIDs, "run", nil, "a run ID whose journal is under --state-dir; repeatable, oldest first")
	fl.StringVar(&o.StateDir, "state-dir", defaultStateDir(), "where run journals live (for --run)")
	fl.StringVar(&o.Out, "out", "", "write the report to this file (mode 0600) instead of stdout")
	return cmd
}

func reportRun(o *ReportOptions) error {
	ios := o.IO
	p, err := plan.LoadFile(o.PlanFile)
	if err != nil {
		return err
	}
	paths := append([]string(nil), o.Journals...)
	for _, id := range o.RunIDs {
		paths = append(paths, remedy.JournalPath(o.StateDir, id))
	}
	var runs []report.Run
	for _, path := range paths {
		r, err := report.ReadRunFile(path)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	pg := report.Build(p, report.Options{Runs: runs})
	if o.Out == "" {
		return htmlpage.Write(ios.Out, pg, htmlpage.Options{})
	}
	if err := htmlpage.WriteFile(o.Out, pg, htmlpage.Options{}); err != nil {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "Wrote %s (%d nodes, %d runs).\n", o.Out, len(p.Nodes), len(runs))
	return nil
}
