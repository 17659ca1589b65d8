package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/fleet"
)

// selectionFlags are the node selection flags of plan, apply and heal.
type selectionFlags struct {
	instanceIDs []string
	tags        []string
	platform    string
	exclude     []string
}

func (s *selectionFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringSliceVar(&s.instanceIDs, "instance-ids", nil, "only these managed nodes (comma-separated or repeated)")
	f.StringArrayVar(&s.tags, "tag", nil, "only nodes with this tag, KEY=VALUE (repeatable; all must match)")
	f.StringVar(&s.platform, "platform", "", "only nodes of this platform: Linux, Windows or MacOS")
	f.StringSliceVar(&s.exclude, "exclude-instance-ids", nil, "leave these nodes out")
}

// selection parses the flags into a validated fleet.Selection.
func (s *selectionFlags) selection() (fleet.Selection, error) {
	sel := fleet.Selection{InstanceIDs: s.instanceIDs, ExcludeInstanceIDs: s.exclude, Platform: s.platform}
	for _, t := range s.tags {
		tag, err := fleet.ParseTag(t)
		if err != nil {
			return fleet.Selection{}, fmt.Errorf("--tag %q: %w", t, err)
		}
		sel.Tags = append(sel.Tags, tag)
	}
	return sel.Normalize()
}
