package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/render"
)

// savedPlan is a plan apply did not make itself: PLANFILE, or the plan of
// the run being resumed.
type savedPlan struct {
	plan plan.Plan
	// file is the plan file as given (PLANFILE) or recorded (resume).
	file string
	// what names the plan in messages: "plan.json", "the plan of run X".
	what string
	// narrowed is true when selection flags cut the plan down.
	narrowed bool
	// reviewed counts the nodes to fix in the plan before narrowing.
	reviewed int
}

// toApply is the plan an apply carries out, and how the run is known.
type toApply struct {
	plan plan.Plan
	// file is recorded in the journal so that --resume finds the plan.
	file  string
	runID string
	// fresh says the plan was made or re-checked moments ago (no
	// staleness check needed).
	fresh bool
}

// loadSaved reads PLANFILE or the resumed run's plan, and narrows PLANFILE
// by the selection flags given. It reads local files only.
func (o *ApplyOptions) loadSaved() (*savedPlan, error) {
	if o.Resume != "" {
		st, err := remedy.ReadJournal(remedy.JournalPath(o.StateDir, o.Resume))
		if err != nil {
			return nil, err
		}
		if st.Finished {
			return nil, fmt.Errorf("run %s already finished (exit code %d): nothing to resume", o.Resume, st.ExitCode)
		}
		p, err := plan.LoadFile(st.PlanFile)
		if err != nil {
			return nil, fmt.Errorf("plan of run %s: %w", o.Resume, err)
		}
		if p.Fingerprint != st.Fingerprint {
			return nil, fmt.Errorf("plan file %s has changed since run %s started: refusing to resume with a different plan", st.PlanFile, o.Resume)
		}
		return &savedPlan{plan: p, file: st.PlanFile, what: "the plan of run " + o.Resume, reviewed: p.Summary.Fix}, nil
	}
	p, err := plan.LoadFile(o.PlanFile)
	if err != nil {
		return nil, err
	}
	sp := &savedPlan{plan: p, file: o.PlanFile, what: o.PlanFile, reviewed: p.Summary.Fix}
	sel, err := o.plan.sel.selection()
	if err != nil {
		return nil, err
	}
	if !narrowingGiven(sel) {
		return sp, nil
	}
	n, err := plan.Narrow(p, sel)
	var nip *plan.NotInPlanError
	if errors.As(err, &nip) {
		return nil, fmt.Errorf("--instance-ids: %w; a saved plan can only be narrowed to nodes it reviewed (make a new plan to include others)", err)
	}
	if err != nil {
		return nil, err
	}
	sp.plan, sp.narrowed = n, true
	return sp, nil
}

// planToApply returns the saved plan (narrowed), or makes a new one and
// has the user confirm it. A plan apply made or narrowed is kept beside
// the journal, so that --resume continues exactly it.
func (o *ApplyOptions) planToApply(ctx context.Context, s *session) (toApply, error) {
	ios := o.IO
	if sp := o.saved; sp != nil {
		if o.Resume != "" {
			return toApply{plan: sp.plan, file: sp.file, runID: o.Resume, fresh: true}, nil
		}
		t := toApply{plan: sp.plan, runID: newRunID(o.Clock.Now())}
		if !sp.narrowed {
			abs, err := filepath.Abs(sp.file)
			if err != nil {
				return t, fmt.Errorf("plan file: %w", err)
			}
			t.file = abs
			return t, nil
		}
		fmt.Fprintf(ios.ErrOut, "Narrowed the saved plan %s to %s: %d of its %d nodes to fix.\n",
			sp.file, plan.DescribeSelection(sp.plan.Selection), sp.plan.Summary.Fix, sp.reviewed)
		if !engine.HasWork(sp.plan, engine.ScanMode(o.Scan)) {
			fmt.Fprintln(ios.ErrOut, "Nothing to do: no node of the narrowed plan needs a fix.")
			return t, nil
		}
		var err error
		t.file, err = o.keepPlan(t.runID, sp.plan)
		return t, err
	}
	t := toApply{runID: newRunID(o.Clock.Now()), fresh: true}
	p, err := engine.MakePlan(ctx, s.ssm, engine.PlanInput{
		Selection: o.sel, Rules: o.settings.rules, Strategy: o.settings.strategy, Probe: !o.plan.NoProbe,
		Region: s.region, ToolVersion: toolVersion(), RunID: t.runID, Clock: o.Clock, Logger: s.log,
		Estate: s.estate, Fixes: o.plan.asked,
	})
	if err != nil {
		return t, explain(err)
	}
	t.plan = p
	// The plan is for the person who approves it; with -o json stdout is
	// the report alone, so the plan goes to stderr.
	w := ios.Out
	if o.format == render.JSON {
		w = ios.ErrOut
	}
	if err := render.Plan(w, p, render.Text, render.Options{Verbose: o.Verbose, Color: o.colorFor(w)}); err != nil {
		return t, err
	}
	if !engine.HasWork(p, engine.ScanMode(o.Scan)) {
		return t, nil
	}
	if err := confirm(ios, o.AutoApprove); err != nil {
		return t, err
	}
	t.file, err = o.keepPlan(t.runID, p)
	return t, err
}

// keepPlan saves p beside the run's journal.
func (o *ApplyOptions) keepPlan(runID string, p plan.Plan) (string, error) {
	file := filepath.Join(o.StateDir, "runs", runID+".plan.json")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return "", fmt.Errorf("create state directory: %w", err)
	}
	if err := plan.SaveFile(file, p); err != nil {
		return "", fmt.Errorf("save plan for the journal: %w", err)
	}
	return file, nil
}

// colorFor reports whether text written to w may be coloured.
func (o *ApplyOptions) colorFor(w any) bool {
	if w == o.IO.ErrOut {
		return o.IO.ColorErr()
	}
	return o.IO.ColorOut()
}

// narrowingGiven reports whether sel narrows anything.
func narrowingGiven(sel fleet.Selection) bool {
	return len(sel.InstanceIDs) > 0 || len(sel.ExcludeInstanceIDs) > 0 || sel.Platform != ""
}
