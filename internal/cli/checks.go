package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/prereq"
)

// ChecksOptions are the flags of `patchready checks`.
type ChecksOptions struct {
	IO *IOStreams

	rules    ruleFlags
	Markdown bool
}

// NewCmdChecks is `patchready checks`; runF replaces checksRun in tests.
func NewCmdChecks(f *Factory, runF func(*ChecksOptions) error) *cobra.Command {
	o := &ChecksOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List every prerequisite check and the rules in force",
		Long: `checks lists the prerequisites a plan checks, in the order it makes them: what
each makes sure of, which nodes it applies to, the facts it reads (from
DescribeInstanceInformation or the read-only probe), and what a failure means:
a fix apply makes (and when it cannot), a block with the reason patchready
leaves it to you, or a note. Then it prints the rules those checks are held
to: the agent and requests minimums, the patch run's Python range and the
operating systems supported, as --rules, --rules-file and --min-agent-version
make them. It makes no AWS call.`,
		Example: `  patchready checks
  patchready checks --rules aws-current
  patchready checks --rules-file my-rules.yaml   # see what your file changes
  patchready checks --markdown                   # the README's table`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return checksRun(o)
		},
	}
	o.rules.bind(cmd)
	cmd.Flags().BoolVar(&o.Markdown, "markdown", false, "print a Markdown table (the README's prerequisite table is this output)")
	return cmd
}

func checksRun(o *ChecksOptions) error {
	s, err := o.rules.settings("")
	if err != nil {
		return err
	}
	if o.Markdown {
		return writeChecksMarkdown(o.IO.Out, s.rules)
	}
	return writeChecksText(o.IO.Out, s.rules)
}

// checkRow is one check in words.
type checkRow struct {
	ID, Ensures, AppliesTo, Reads, OnFailure string
}

func checkRows() []checkRow {
	var rows []checkRow
	for _, c := range prereq.Checks() {
		rows = append(rows, checkRow{
			ID:        string(c.ID),
			Ensures:   c.Ensures,
			AppliesTo: appliesTo(c.AppliesTo),
			Reads:     strings.Join(c.Facts, ", "),
			OnFailure: onFailure(c),
		})
	}
	return rows
}

func appliesTo(a prereq.Applicability) string {
	who := "every node"
	switch {
	case a.AmazonLinux:
		who = "Amazon Linux"
	case len(a.PlatformTypes) > 0:
		who = strings.Join(a.PlatformTypes, ", ")
	}
	if a.Probe {
		who += ", probed"
	}
	return who
}

func onFailure(c prereq.Check) string {
	var what string
	switch c.OnFail {
	case prereq.Fix:
		what = fmt.Sprintf("fix `%s`: %s", c.Fix.Kind, c.Fix.Doing)
		if c.Fix.Kind == prereq.UpdateAgent {
			what += " (AWS-UpdateSSMAgent, by the --strategy)"
		} else {
			what += " (patchready-Fix step " + c.Fix.FixStep + ")"
		}
	case prereq.Block:
		what = "blocks the node"
	case prereq.Warn:
		what = "warns"
	case prereq.Note:
		what = "notes"
	default:
		what = "recorded only"
	}
	if c.NotFixed != "" {
		what += "; " + c.NotFixed
	}
	return what
}

func writeChecksText(w io.Writer, r prereq.Rules) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Checks, in the order a plan makes them (%d):\n", len(prereq.Checks()))
	for _, row := range checkRows() {
		fmt.Fprintf(&b, "\n  %s\n", row.ID)
		fmt.Fprintf(&b, "    ensures     %s\n", row.Ensures)
		fmt.Fprintf(&b, "    applies to  %s\n", row.AppliesTo)
		fmt.Fprintf(&b, "    reads       %s\n", row.Reads)
		fmt.Fprintf(&b, "    on failure  %s\n", strings.ReplaceAll(row.OnFailure, "`", ""))
	}
	b.WriteString("\n")
	writeRules(&b, r, "")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeChecksMarkdown(w io.Writer, r prereq.Rules) error {
	var b strings.Builder
	b.WriteString("| check | makes sure | applies to | reads | on failure |\n|---|---|---|---|---|\n")
	for _, row := range checkRows() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", row.ID, mdCell(row.Ensures), row.AppliesTo,
			mdCell(row.Reads), mdCell(row.OnFailure))
	}
	b.WriteString("\n")
	writeRules(&b, r, "- ")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRules prints the rules in force, each line led by bullet.
func writeRules(b *strings.Builder, r prereq.Rules, bullet string) {
	fmt.Fprintf(b, "Rules in force: %s (%s)", r.Name, r.Version)
	if r.Source != "" {
		fmt.Fprintf(b, ", from the %s", r.Source)
	}
	b.WriteString(":\n\n")
	line := func(format string, a ...any) {
		fmt.Fprintf(b, "%s"+format+"\n", append([]any{bulletOr(bullet)}, a...)...)
	}
	line("SSM Agent %s or later", r.MinAgentVersion)
	line("requests %s or later on Amazon Linux behind a proxy", r.MinRequestsVersion)
	py := "Python " + r.Python.Min + " or later"
	if r.Python.Max != "" {
		py = "Python " + r.Python.Min + " to " + r.Python.Max
	}
	if len(r.Python.Python3Required) > 0 {
		py += "; Python 3 on " + strings.Join(r.Python.Python3Required, ", ")
	}
	line("the patch run's interpreter: %s", py)
	if r.VarWarnMiB > 0 {
		line("a warning below %d MiB free in /var", r.VarWarnMiB)
	}
	for _, os := range r.Supported {
		line("supported: %s%s", os.Name, versionsText(os.Versions))
	}
	for _, os := range r.Unsupported {
		line("not supported: %s (%s)", os.Name, os.Reason)
	}
}

func bulletOr(b string) string {
	if b == "" {
		return "  "
	}
	return b
}

func versionsText(vs []prereq.VersionRange) string {
	var parts []string
	for _, v := range vs {
		switch {
		case v.Min == v.Max:
			parts = append(parts, v.Min)
		case v.Max == "":
			parts = append(parts, v.Min+" and later")
		case v.Min == "":
			parts = append(parts, "up to "+v.Max)
		default:
			parts = append(parts, v.Min+"–"+v.Max)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

// mdCell keeps a table cell on one line and its pipes literal.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
