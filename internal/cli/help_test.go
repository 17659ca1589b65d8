package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command's --help must teach by example: a user who runs
// `patchready X --help` sees at least one command line to copy.
func TestEveryCommandHelpHasAnExample(t *testing.T) {
	root := NewRootCmd(NewFactory(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}))
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	seen := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.Hidden || c.Name() == "help" || strings.HasPrefix(c.CommandPath(), "patchready completion ") {
			return
		}
		seen++
		t.Run(c.CommandPath(), func(t *testing.T) {
			args := append(strings.Fields(c.CommandPath())[1:], "--help")
			var out, errOut bytes.Buffer
			code := Run(context.Background(), &IOStreams{Out: &out, ErrOut: &errOut}, args)
			if code != 0 {
				t.Fatalf("%v exited %d: %s", args, code, errOut.String())
			}
			help := out.String()
			if !strings.Contains(help, "Examples:") {
				t.Errorf("%s --help has no Examples section:\n%s", c.CommandPath(), help)
			}
			if !strings.Contains(help, "patchready") {
				t.Errorf("%s --help shows no command line", c.CommandPath())
			}
		})
	}
	walk(root)
	if seen < 8 {
		t.Fatalf("only %d commands found; the command tree is not wired", seen)
	}
}
