package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/patchready/patchready/internal/cleanup"
	"github.com/patchready/patchready/internal/orgrun"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/targets"
)

// cleanupTargets returns the targets cleanup looks in across accounts and
// regions: those the target flags name, or, for --run-id of a run across
// targets, those its journal records. nil means one account and region.
func (o *CleanupOptions) cleanupTargets(ctx context.Context, s *session) (*targets.Set, error) {
	if o.spec.Multi() {
		h, err := s.newHub(ctx, o.spec, nil, "cleanup")
		if err != nil {
			return nil, err
		}
		return resolveTargets(ctx, h, o.spec, o.IO.ErrOut)
	}
	if o.RunID == "" {
		return nil, nil
	}
	recs, err := orgrun.RunTargets(o.StateDir, o.RunID)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(recs) == 0) {
		// No journal here, or a run of one account and region: look in
		// the caller's, as before.
		return nil, nil
	}
	if err != nil {
		if _, statErr := os.Stat(remedy.JournalPath(o.StateDir, o.RunID)); errors.Is(statErr, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	// Only targets the run started can hold what it created: those its
	// journal gives a journal of their own.
	var started []remedy.TargetRecord
	for _, r := range recs {
		if r.Journal != "" {
			started = append(started, r)
		}
	}
	if len(started) == 0 {
		fmt.Fprintf(o.IO.ErrOut, "Run %s started in none of its targets: nothing of it to remove.\n", o.RunID)
		return &targets.Set{}, nil
	}
	list := orgrun.ListOf(started)
	spec := o.spec
	for _, t := range list {
		spec.Accounts = append(spec.Accounts, t.Account)
	}
	if err := spec.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	fmt.Fprintf(o.IO.ErrOut, "Run %s started in %d targets (its journal in %s): looking in each.\n", o.RunID, len(list), o.StateDir)
	h, err := s.newHub(ctx, spec, nil, "cleanup")
	if err != nil {
		return nil, err
	}
	set, err := targets.ResolveList(ctx, h, list, spec.Parallel)
	return set, explain(err)
}

// cleanupAcross is cleanupRun across targets: what patchready created is
// found and removed in each target; a target that cannot be reached is
// reported, the others are cleaned, and the exit code is 4.
func cleanupAcross(ctx context.Context, o *CleanupOptions, s *session, set *targets.Set) error {
	ios := o.IO
	parallel := max(1, o.spec.Parallel)
	if o.spec.Parallel == 0 {
		parallel = targets.DefaultParallel
	}
	found, err := orgrun.FindLeft(ctx, set, parallel, o.RunID)
	if err != nil {
		return explain(err)
	}
	total := 0
	var failed []plan.Target
	for _, f := range found {
		if f.Failure != nil {
			ft := f.Target
			ft.Failure = f.Failure
			failed = append(failed, ft)
			continue
		}
		for _, k := range f.Value.Keep {
			fmt.Fprintf(ios.ErrOut, "keeping %s in %s: %s\n", describeResource(k.Resource), f.Target.Key(), k.Why)
		}
		for _, r := range f.Value.Remove {
			total++
			if o.DryRun {
				fmt.Fprintf(ios.Out, "would remove %s in %s\n", describeResource(r), f.Target.Key())
			}
		}
	}
	switch {
	case total == 0:
		fmt.Fprintf(ios.ErrOut, "Nothing of patchready's to remove in %d targets.\n", len(found)-len(failed))
	case o.DryRun:
		fmt.Fprintf(ios.ErrOut, "Dry run: %d resources would be removed. Run without --dry-run to remove them.\n", total)
	default:
		done, err := orgrun.RemoveLeft(ctx, set, parallel, found, s.log, func(t plan.Target, r cleanup.Resource) {
			fmt.Fprintf(ios.Out, "removed %s in %s\n", describeResource(r), t.Key())
		})
		n := 0
		for _, d := range done {
			n += d.Value
			if d.Failure != nil {
				ft := d.Target
				ft.Failure = d.Failure
				failed = append(failed, ft)
			}
		}
		fmt.Fprintf(ios.ErrOut, "Removed %d of %d resources.\n", n, total)
		if err != nil {
			return explain(err)
		}
	}
	return failedTargetsError(ios.ErrOut, failed)
}
