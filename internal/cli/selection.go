package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/fleet"
)

// selectionFlags are the node selection flags of plan, apply and heal.
//
// An empty value never widens a selection: `--instance-ids "$IDS"` with IDS
// unset would otherwise select every node in the region. Each value is
// therefore checked as it is parsed (see listValue and nonEmptyValue).
type selectionFlags struct {
	instanceIDs listValue
	tags        listValue
	platform    nonEmptyValue
	exclude     listValue
}

// selectionFlagNames are the flags that choose nodes.
var selectionFlagNames = []string{"instance-ids", "tag", "platform", "exclude-instance-ids"}

func (s *selectionFlags) bind(cmd *cobra.Command) {
	fl := cmd.Flags()
	s.instanceIDs.what, s.tags.what, s.exclude.what = "instance IDs", "KEY=VALUE", "instance IDs"
	s.tags.noSplit = true
	s.platform.what = "Linux, Windows or MacOS"
	fl.Var(&s.instanceIDs, "instance-ids", "only these managed nodes (comma-separated or repeated)")
	fl.Var(&s.tags, "tag", "only nodes with this tag, KEY=VALUE (repeatable; all must match)")
	fl.Var(&s.platform, "platform", "only nodes of this platform: Linux, Windows or MacOS")
	fl.Var(&s.exclude, "exclude-instance-ids", "leave these nodes out (comma-separated or repeated)")
}

// selection parses the flags into a validated fleet.Selection.
func (s *selectionFlags) selection() (fleet.Selection, error) {
	sel := fleet.Selection{InstanceIDs: s.instanceIDs.items, ExcludeInstanceIDs: s.exclude.items, Platform: s.platform.value}
	for _, t := range s.tags.items {
		tag, err := parseTag(t)
		if err != nil {
			return fleet.Selection{}, fmt.Errorf("--tag %q: %w", t, err)
		}
		sel.Tags = append(sel.Tags, tag)
	}
	return sel.Normalize()
}

// parseTag is fleet.ParseTag, refusing also a key or value of spaces only:
// such a tag is a quoting mistake far more often than a real tag.
func parseTag(s string) (fleet.Tag, error) {
	t, err := fleet.ParseTag(s)
	if err != nil {
		return t, err
	}
	if strings.TrimSpace(t.Key) == "" || strings.TrimSpace(t.Value) == "" {
		return fleet.Tag{}, errors.New("key and value must not be blank")
	}
	return t, nil
}

// emptyValue is the error for a flag given an empty or blank value, worded
// as pflag words the errors of listValue and nonEmptyValue.
func emptyValue(flag, value, what string) error {
	return fmt.Errorf("invalid argument %q for \"--%s\" flag: empty value: give %s, or leave the flag out (is a shell variable unset?)", value, flag, what)
}

// listValue is a repeatable flag of comma-separated items. Unlike pflag's
// string slice it refuses an empty value and an empty item, and trims the
// spaces around items.
type listValue struct {
	items []string
	// what the items are, for the error message.
	what string
	// noSplit keeps commas inside a value (tag values may hold them).
	noSplit bool
}

func (v *listValue) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("empty value: give %s, or leave the flag out (is a shell variable unset?)", v.what)
	}
	parts := []string{s}
	if !v.noSplit {
		parts = strings.Split(s, ",")
	}
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return fmt.Errorf("item %d of %q is empty: give %s separated by single commas", i+1, s, v.what)
		}
		v.items = append(v.items, p)
	}
	return nil
}

func (v *listValue) String() string { return strings.Join(v.items, ",") }
func (v *listValue) Type() string   { return "strings" }

// nonEmptyValue is a string flag that refuses an empty or blank value.
type nonEmptyValue struct {
	value string
	what  string
}

func (v *nonEmptyValue) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("empty value: give %s, or leave the flag out (is a shell variable unset?)", v.what)
	}
	v.value = strings.TrimSpace(s)
	return nil
}

func (v *nonEmptyValue) String() string { return v.value }
func (v *nonEmptyValue) Type() string   { return "string" }
