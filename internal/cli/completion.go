package cli

import "github.com/spf13/cobra"

// NewCmdCompletion is `patchready completion`: cobra's own scripts, with an
// example like every other command.
func NewCmdCompletion(f *Factory) *cobra.Command {
	ios := f.IOStreams
	return &cobra.Command{
		Use:   "completion [bash|zsh|fish|powershell]",
		Short: "Print a shell completion script",
		Long: `completion prints a script that makes your shell complete patchready's
commands and flags. Load it from your shell's startup file.`,
		Example: `  # bash, for this shell
  source <(patchready completion bash)

  # zsh, for every new shell
  patchready completion zsh > "${fpath[1]}/_patchready"`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(ios.Out, true)
			case "zsh":
				return root.GenZshCompletion(ios.Out)
			case "fish":
				return root.GenFishCompletion(ios.Out, true)
			default:
				return root.GenPowerShellCompletionWithDesc(ios.Out)
			}
		},
	}
}
