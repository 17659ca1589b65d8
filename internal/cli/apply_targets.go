package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/orgrun"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/render"
	"github.com/patchready/patchready/internal/targets"
)

// checkSavedTargetFlags checks the target flags against a saved plan (or a
// resumed run's): a plan of one account and region takes none of them;
// a plan across targets is narrowed by --accounts, --regions and
// --exclude-accounts, and reached with --role-name, --external-id and
// --parallel-targets. Flags that list targets anew are refused before
// (refusedWithPlanFile, refusedWithResume).
func (o *ApplyOptions) checkSavedTargetFlags() error {
	sp := o.saved
	if !sp.plan.HasTargets() {
		for _, name := range targetFlagNames {
			if o.given[name] {
				return fmt.Errorf("--%s: %s covers one account and region; make a plan with --%s to run across accounts and regions", name, sp.what, name)
			}
		}
		return nil
	}
	f := &o.tgt
	if len(f.accounts.items)+len(f.regions.items)+len(f.exclude.items) > 0 {
		if err := o.narrowTargets(); err != nil {
			return err
		}
	}
	spec := targets.Spec{RoleName: f.roleName.value, ExternalID: f.externalID.value, Parallel: f.parallel}
	for _, t := range sp.plan.Targets {
		if !slices.Contains(spec.Accounts, t.Account) {
			spec.Accounts = append(spec.Accounts, t.Account)
		}
	}
	if err := spec.CheckAndSetDefaults(); err != nil {
		return err
	}
	o.spec = spec
	return nil
}

// narrowTargets cuts a saved plan across targets down to the accounts and
// regions named, never to a target the plan does not have.
func (o *ApplyOptions) narrowTargets() error {
	sp, f := o.saved, &o.tgt
	for _, list := range []struct {
		flag  string
		items []string
		of    func(plan.Target) string
	}{
		{"accounts", f.accounts.items, func(t plan.Target) string { return t.Account }},
		{"regions", f.regions.items, func(t plan.Target) string { return t.Region }},
		{"exclude-accounts", f.exclude.items, func(t plan.Target) string { return t.Account }},
	} {
		for _, v := range list.items {
			if !slices.ContainsFunc(sp.plan.Targets, func(t plan.Target) bool { return list.of(t) == v }) {
				return fmt.Errorf("--%s %s: not in the plan's targets (%s); a saved plan can only be narrowed to targets it covers",
					list.flag, v, describeTargets(sp.plan.Targets))
			}
		}
	}
	sp.plan = plan.NarrowTargets(sp.plan, func(t plan.Target) bool {
		return (len(f.accounts.items) == 0 || slices.Contains(f.accounts.items, t.Account)) &&
			(len(f.regions.items) == 0 || slices.Contains(f.regions.items, t.Region)) &&
			!slices.Contains(f.exclude.items, t.Account)
	})
	if len(sp.plan.Targets) == 0 {
		return errors.New("--accounts, --regions and --exclude-accounts leave none of the plan's targets")
	}
	sp.narrowed = true
	return nil
}

// applyAcrossRun is applyRun for a run across targets.
func applyAcrossRun(ctx context.Context, o *ApplyOptions, s *session) error {
	ios := o.IO
	t, set, err := o.planAcrossToApply(ctx, s)
	if err != nil {
		return err
	}
	notPlanned := t.plan.FailedTargets()
	if !engine.HasWork(t.plan, engine.ScanMode(o.Scan)) {
		if len(notPlanned) > 0 {
			return withExitCode(ExitTargetFailed, fmt.Errorf("nothing to apply, and %d targets could not be planned: %s", len(notPlanned), describeTargets(notPlanned)))
		}
		return nil
	}
	maxTargets, err := parseMaxTargets(o.MaxTargets, len(t.plan.Nodes))
	if err != nil {
		return err
	}
	if isClosed(o.Shutdown.Drain()) {
		return errors.New("interrupted before the apply started: nothing was changed")
	}
	verb := "Applying"
	if o.Resume != "" {
		verb = "Resuming"
	}
	fmt.Fprintf(ios.ErrOut, "%s run %s: %d nodes to fix in %d targets, %d at a time; journal %s\n",
		verb, t.runID, t.plan.Summary.Fix, len(planTargets(t.plan)), o.spec.Parallel, remedy.JournalPath(o.StateDir, t.runID))
	// --window-id is refused across targets, so the window options are
	// the same for every target.
	var res orgrun.ApplyResult
	hint, err := o.guarded(ctx, ios, s, t.runID, func(prog *progress) (journal string, err error) {
		res, err = orgrun.Apply(ctx, orgrun.ApplyInput{Set: set, Parallel: o.spec.Parallel,
			ApplyInput: o.engineInput(t.plan, t.file, t.runID, t.fresh, maxTargets, prog, s)})
		return res.JournalPath, err
	})
	if err != nil {
		return err
	}
	if res.NoWait {
		fmt.Fprintf(ios.ErrOut, "Started the updates of %d nodes in %d targets (run %s) and returned without waiting (--no-wait).\n"+
			"Follow up with: patchready plan   (nodes read back compliant drop out of the plan)\n", res.Nodes, len(planTargets(t.plan)), t.runID)
		if len(res.Failed()) > 0 {
			return withExitCode(ExitTargetFailed, fmt.Errorf("%d targets failed: %s", len(res.Failed()), describeTargets(res.Failed())))
		}
		return nil
	}
	o.report, o.failed = &res.Report, res.Failed()
	code := res.ExitCode()
	rep := render.NewApplyReport(t.runID, res.JournalPath, res.Nodes, res.Report, code)
	rep.Targets = targetReports(res)
	if err := render.Report(ios.Out, rep, o.format, render.Options{Verbose: o.Verbose, Color: ios.ColorOut()}); err != nil {
		return err
	}
	switch {
	case res.Report.Counts[converge.StateNotStarted] > 0 || res.Report.Resumable() > 0:
		fmt.Fprint(ios.ErrOut, "\n"+hint)
	case isClosed(o.Shutdown.Drain()):
		fmt.Fprintln(ios.ErrOut, "Interrupted, but every targeted node had already settled: the run is complete.")
	}
	if code != ExitOK {
		return withExitCode(code, nil)
	}
	return nil
}

// planAcrossToApply returns the plan an apply across targets carries out
// and the targets' clients: the saved plan's targets reached again, or a
// plan made now and confirmed.
func (o *ApplyOptions) planAcrossToApply(ctx context.Context, s *session) (toApply, *targets.Set, error) {
	ios := o.IO
	if sp := o.saved; sp != nil {
		t := toApply{plan: sp.plan, runID: newRunID(o.Clock.Now())}
		switch {
		case o.Resume != "":
			t = toApply{plan: sp.plan, file: sp.file, runID: o.Resume, fresh: true}
		case sp.narrowed:
			fmt.Fprintf(ios.ErrOut, "Narrowed the saved plan %s to %d of its targets: %d of its %d nodes to fix.\n",
				sp.file, len(sp.plan.Targets), sp.plan.Summary.Fix, sp.reviewed)
			var err error
			if t.file, err = o.keepPlan(t.runID, sp.plan); err != nil {
				return t, nil, err
			}
		default:
			abs, err := filepath.Abs(sp.file)
			if err != nil {
				return t, nil, fmt.Errorf("plan file: %w", err)
			}
			t.file = abs
		}
		h, err := s.newHub(ctx, o.spec, o.Clock, t.runID)
		if err != nil {
			return t, nil, err
		}
		set, err := targets.ResolveList(ctx, h, planTargets(t.plan), o.spec.Parallel)
		return t, set, explain(err)
	}
	t := toApply{runID: newRunID(o.Clock.Now()), fresh: true}
	h, err := s.newHub(ctx, o.spec, o.Clock, t.runID)
	if err != nil {
		return t, nil, err
	}
	set, err := resolveTargets(ctx, h, o.spec, ios.ErrOut)
	if err != nil {
		return t, nil, err
	}
	p, err := orgrun.MakePlan(ctx, set, engine.PlanInput{
		Selection: o.sel, Rules: o.settings.rules, Strategy: o.settings.strategy, Probe: !o.plan.NoProbe,
		ToolVersion: toolVersion(), RunID: t.runID, Clock: o.Clock, Logger: s.log,
	}, orgrun.PlanOptions{Parallel: o.spec.Parallel})
	if err != nil {
		return t, nil, explain(err)
	}
	t.plan = p
	w := ios.Out
	if o.format == render.JSON {
		w = ios.ErrOut
	}
	if err := render.Plan(w, p, render.Text, render.Options{Verbose: o.Verbose, Color: o.colorFor(w)}); err != nil {
		return t, nil, err
	}
	if !engine.HasWork(p, engine.ScanMode(o.Scan)) {
		return t, set, nil
	}
	if err := confirm(ios, o.AutoApprove); err != nil {
		return t, nil, err
	}
	t.file, err = o.keepPlan(t.runID, p)
	return t, set, err
}

// targetReports is the per-target table of an apply across targets.
func targetReports(res orgrun.ApplyResult) []render.TargetReport {
	out := make([]render.TargetReport, 0, len(res.Targets))
	for _, tr := range res.Targets {
		r := render.TargetReport{Account: tr.Target.Account, AccountName: tr.Target.AccountName, Region: tr.Target.Region,
			Failure: tr.Failure, Journal: tr.Result.JournalPath, Counts: map[string]int{}}
		for st, n := range tr.Result.Report.Counts {
			r.Counts[string(st)] = n
			r.Targeted += n
		}
		switch {
		case tr.Failure != nil:
			r.Status = "failed"
		case tr.Idle:
			r.Status = "nothing to do"
		case tr.Earlier:
			r.Status = "earlier"
		case tr.Result.NoWait:
			r.Status = "started"
		case tr.Result.Report.Resumable() > 0:
			r.Status = "interrupted"
		default:
			r.Status = "applied"
		}
		out = append(out, r)
	}
	return out
}
