package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/cleanup"
	"github.com/patchready/patchready/internal/render"
	"github.com/patchready/patchready/internal/targets"
)

// CleanupOptions are the flags of `patchready cleanup` and what it depends
// on.
type CleanupOptions struct {
	IO      *IOStreams
	Session func(context.Context) (*session, error)

	DryRun   bool
	RunID    string
	Output   string
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
With --dry-run nothing is deleted: cleanup prints what it would remove.

What apply's fixes for unmanaged instances changed stays, on purpose, and
cleanup lists it from the run journals under --state-dir: the Default Host
Management setting and the role it created, a policy attached to a role, an
instance profile associated with an instance. Each keeps instances managed;
undoing it would take them out of SSM again, which is yours to decide.`,
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
	fl.StringVarP(&o.Output, "output", "o", "text", "output format: text (a line per resource) or json (one document at the end)")
	fl.StringVar(&o.StateDir, "state-dir", defaultStateDir(), "where run journals are kept: to list what the fixes for unmanaged instances changed (which stays), and to find each target of a run across accounts and regions (--run-id)")
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
	if o.Output != "text" && o.Output != "json" {
		return fmt.Errorf("-o %q: cleanup prints text or json", o.Output)
	}
	if o.RunID != "" && !reRunID.MatchString(o.RunID) {
		return fmt.Errorf("--run-id %q: not a run ID (they look like 20261125T201500Z-1a2b3c)", o.RunID)
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
	// With -o json, stdout is the one document at the end; the lines a
	// person reads go to stderr.
	lines := ios.Out
	if o.Output == "json" {
		lines = ios.ErrOut
	}
	doc := cleanupJSON{FormatVersion: render.ReportFormatVersion, DryRun: o.DryRun, RunID: o.RunID,
		Removed: []cleanup.Resource{}, Kept: orEmpty(found.Keep), LeftOnPurpose: []cleanup.Kept{}}
	finish := func(err error) error {
		doc.Counts = map[string]int{"removed": len(doc.Removed), "kept": len(doc.Kept), "failed": len(found.Remove) - len(doc.Removed)}
		if o.DryRun {
			doc.Counts["failed"] = 0
		}
		if err != nil {
			doc.Error = explain(err).Error()
		}
		if o.Output == "json" {
			if werr := writeJSON(ios.Out, doc); werr != nil && err == nil {
				return werr
			}
		}
		return explain(err)
	}
	for _, k := range found.Keep {
		fmt.Fprintf(ios.ErrOut, "keeping %s: %s\n", describeResource(k.Resource), k.Why)
	}
	left, err := cleanup.LeftOnPurpose(o.StateDir, o.RunID)
	if err != nil {
		return finish(err)
	}
	doc.LeftOnPurpose = orEmpty(left)
	for _, k := range left {
		fmt.Fprintf(ios.ErrOut, "leaving %s on purpose: %s\n", describeResource(k.Resource), k.Why)
	}
	if len(found.Remove) == 0 {
		fmt.Fprintln(ios.ErrOut, "Nothing of patchready's to remove.")
		return finish(nil)
	}
	if o.DryRun {
		for _, r := range found.Remove {
			fmt.Fprintf(lines, "would remove %s\n", describeResource(r))
		}
		doc.Removed = found.Remove
		fmt.Fprintf(ios.ErrOut, "Dry run: %d resources would be removed. Run without --dry-run to remove them.\n", len(found.Remove))
		return finish(nil)
	}
	err = cleanup.Remove(ctx, s.ssm, found.Remove, s.log, func(r cleanup.Resource) {
		doc.Removed = append(doc.Removed, r)
		fmt.Fprintf(lines, "removed %s\n", describeResource(r))
	})
	fmt.Fprintf(ios.ErrOut, "Removed %d of %d resources.\n", len(doc.Removed), len(found.Remove))
	return finish(err)
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
