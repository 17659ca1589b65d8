package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/cleanup"
	"github.com/patchready/patchready/internal/targets"
)

// CleanupOptions are the flags of `patchready cleanup` and what it depends
// on.
type CleanupOptions struct {
	IO      *IOStreams
	Session func(context.Context) (*session, error)

	DryRun   bool
	RunID    string
	StateDir string
	tgt      targetFlags

	// given are the flags on the command line, set by NewCmdCleanup.
	given map[string]bool
	// spec is the target flags', set by CheckAndSetDefaults.
	spec targets.Spec
}

// NewCmdCleanup is `patchready cleanup`; runF replaces cleanupRun in tests.
func NewCmdCleanup(f *Factory, runF func(*CleanupOptions) error) *cobra.Command {
	o := &CleanupOptions{IO: f.IOStreams, Session: f.Session}
	cmd := &cobra.Command{
		Use:         "cleanup",
		Annotations: usesAWS(),
		Short:       "Remove every resource patchready created (found by its tag)",
		Long: `cleanup finds the associations, maintenance windows and SSM documents that
patchready created (name starting with patchready- and tag
patchready:managed=true) and deletes them, printing each one. That includes
associations left by 'apply --keep-associations' or an interrupted run, and
the schedule from 'patchready schedule install'.

With --run-id, only the resources of that run (tag patchready:run-id) go;
for a run across accounts and regions, its journal under --state-dir names
its targets, and cleanup looks in each. --regions, --all-regions,
--accounts, --org and --ou look in those accounts and regions instead.
A document still used by an association that stays is kept, and said so.
With --dry-run nothing is deleted: cleanup prints what it would remove.`,
		Example: `  # What would go?
  patchready cleanup --dry-run

  # Remove what one interrupted run left behind
  patchready cleanup --run-id 20261125T201500Z-1a2b3c`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.given = givenFlags(cmd)
			if err := o.CheckAndSetDefaults(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return cleanupRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.DryRun, "dry-run", false, "print what would be removed, remove nothing")
	fl.StringVar(&o.RunID, "run-id", "", "remove only the resources of this run")
	fl.StringVar(&o.StateDir, "state-dir", defaultStateDir(), "where run journals are kept: --run-id of a run across accounts and regions is looked for in each of its targets")
	o.tgt.bind(cmd)
	return cmd
}

var reRunID = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$`)

// CheckAndSetDefaults checks the flags before anything is read.
func (o *CleanupOptions) CheckAndSetDefaults() error {
	if o.given["run-id"] && strings.TrimSpace(o.RunID) == "" {
		// Without a run ID cleanup removes everything patchready made,
		// the schedule included: never what an empty variable meant.
		return emptyValue("run-id", o.RunID, "a run ID")
	}
	if o.RunID != "" && !reRunID.MatchString(o.RunID) {
		return fmt.Errorf("--run-id %q: not a run ID (they look like 20261125T201500Z-1a2b3c)", o.RunID)
	}
	if o.given["state-dir"] && o.RunID == "" {
		return errors.New("--state-dir is where cleanup finds the journal of --run-id: give --run-id too, or leave it out")
	}
	var err error
	if o.given["parallel-targets"] || o.given["role-name"] || o.given["external-id"] {
		// These also reach the targets a run's journal records.
		o.spec = targets.Spec{RoleName: o.tgt.roleName.value, ExternalID: o.tgt.externalID.value, Parallel: o.tgt.parallel}
		if !o.tgt.chooses() && o.RunID == "" {
			return errors.New("--role-name, --external-id and --parallel-targets reach other accounts: give --accounts, --org, --ou, --regions or --run-id of a run across them")
		}
		if !o.tgt.chooses() {
			return nil
		}
	}
	o.spec, err = o.tgt.spec()
	return err
}

// cleanupRun removes what patchready made, with options that passed
// CheckAndSetDefaults.
func cleanupRun(ctx context.Context, o *CleanupOptions) error {
	ios := o.IO
	s, err := o.Session(ctx)
	if err != nil {
		return err
	}
	set, err := o.cleanupTargets(ctx, s)
	if err != nil {
		return err
	}
	if set != nil {
		return cleanupAcross(ctx, o, s, set)
	}
	found, err := cleanup.Find(ctx, s.ssm, o.RunID)
	if err != nil {
		return explain(err)
	}
	for _, k := range found.Keep {
		fmt.Fprintf(ios.ErrOut, "keeping %s: %s\n", describeResource(k.Resource), k.Why)
	}
	if len(found.Remove) == 0 {
		fmt.Fprintln(ios.ErrOut, "Nothing of patchready's to remove.")
		return nil
	}
	if o.DryRun {
		for _, r := range found.Remove {
			fmt.Fprintf(ios.Out, "would remove %s\n", describeResource(r))
		}
		fmt.Fprintf(ios.ErrOut, "Dry run: %d resources would be removed. Run without --dry-run to remove them.\n", len(found.Remove))
		return nil
	}
	n := 0
	err = cleanup.Remove(ctx, s.ssm, found.Remove, s.log, func(r cleanup.Resource) {
		n++
		fmt.Fprintf(ios.Out, "removed %s\n", describeResource(r))
	})
	fmt.Fprintf(ios.ErrOut, "Removed %d of %d resources.\n", n, len(found.Remove))
	return explain(err)
}

// describeResource is one resource in one line: type, name, ID, and whose.
func describeResource(r cleanup.Resource) string {
	s := r.Type + " " + r.Name
	if r.ID != r.Name {
		s += " (" + r.ID + ")"
	}
	switch {
	case r.RunID != "":
		s += ", run " + r.RunID
	case r.Purpose != "":
		s += ", " + r.Purpose
	}
	return s
}
