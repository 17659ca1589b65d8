package cli

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// givenFlags returns the flags given on cmd's command line, globals
// included.
func givenFlags(cmd *cobra.Command) map[string]bool {
	given := map[string]bool{}
	cmd.Flags().Visit(func(f *pflag.Flag) { given[f.Name] = true })
	return given
}

// awsFlag reports whether a flag says which account, region and endpoint
// to reach: every command about a run needs them again.
func awsFlag(name string) bool {
	return name == "region" || name == "profile" || name == "endpoint-url"
}

// keptOnResume reports whether a flag given to apply is repeated in the
// hint that resumes it: where the run is (account, state directory) and
// how it acts (rate controls, agent version, waits, window). Flags that
// decide or narrow a plan are refused with --resume; output, logging and
// the prompt are the user's choice again.
func keptOnResume(name string) bool {
	if awsFlag(name) {
		return true
	}
	if refusedWithResume[name] != "" {
		return false
	}
	switch name {
	case "resume", "auto-approve", "strategy", "output", "verbose", "log-level", "log-format", "no-color", "shutdown-grace":
		return false
	}
	return true
}

// hintArgs returns the flags given on cmd's command line that keep says
// to repeat, as shell words.
func hintArgs(cmd *cobra.Command, keep func(string) bool) []string {
	var out []string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if !keep(f.Name) {
			return
		}
		if f.Value.Type() == "bool" {
			out = append(out, "--"+f.Name)
			return
		}
		out = append(out, "--"+f.Name, shellQuote(f.Value.String()))
	})
	return out
}

// applyHint says how to continue or undo an interrupted apply. It never
// suggests a cleanup without --run-id: that would also remove what
// `schedule install` and other runs made.
func applyHint(runID string, resumeArgs, cleanupArgs []string) string {
	return fmt.Sprintf("Run %s is not finished; what it started in SSM stays in place.\n"+
		"  Continue it: %s\n"+
		"  Or undo it:  %s\n",
		runID, command("patchready apply --resume "+runID, resumeArgs), command("patchready cleanup --run-id "+runID, cleanupArgs))
}

// healHint says what becomes of an interrupted heal cycle.
func healHint(runID string, cleanupArgs []string) string {
	return fmt.Sprintf("Heal cycle %s is not finished; what it started in SSM stays in place.\n"+
		"  The next heal cycle plans again and picks up what is left.\n"+
		"  To undo this cycle: %s\n",
		runID, command("patchready cleanup --run-id "+runID, cleanupArgs))
}

func command(base string, args []string) string {
	if len(args) == 0 {
		return base
	}
	return base + " " + strings.Join(args, " ")
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
