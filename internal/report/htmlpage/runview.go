package htmlpage

import (
	"fmt"

	"github.com/patchready/patchready/internal/report"
)

// maxFailureRows caps the failures, and the nodes scanned, listed in a
// run's section; the node table, filtered by outcome, has them all.
const maxFailureRows = 200

// nextStep says, under the nodes Patch Manager's scan passed, whose work
// patching them is.
const nextStep = "Patch Manager scanned these nodes and recorded what patching them would face. Patching them is the next step, and it is Patch Manager's, not patchready's: a patch baseline, then a patch policy or a maintenance window running AWS-RunPatchBaseline with Operation=Install."

type runView struct {
	ID, RunID    string
	Meta         []fact
	Warnings     []string
	States       []stateView
	Over         figure
	Reasons      figure
	HasFailures  bool
	Failures     []failureView
	FailureCount string
	MoreFailures string
	// Scanned are the nodes Patch Manager's scan passed in the run, with
	// what patching them would face; NextStep says whose work that is.
	Scanned      []scannedView
	ScannedCount string
	MoreScanned  string
	NextStep     string
}

type scannedView struct {
	InstanceID, PatchState, At string
}

type stateView struct {
	Name, Tone, Icon, N string
}

type failureView struct {
	InstanceID, State, Tone, Icon, Reason, At string
}

func newRunView(i int, r report.Run, planFingerprint string) runView {
	rv := runView{ID: fmt.Sprintf("run-%d", i+1), RunID: r.ID}
	if rv.RunID == "" {
		rv.RunID = "(no run-started entry)"
	}
	status := "interrupted or still running"
	if r.Finished {
		status = fmt.Sprintf("finished, exit code %d", r.ExitCode)
	}
	rv.Meta = []fact{
		{"Started", utc(r.Started)},
		{"Took", shortDuration(r.Ended.Sub(r.Started))},
		{"Status", status},
	}
	if r.Strategy != "" {
		rv.Meta = append(rv.Meta, fact{"Strategy", r.Strategy})
	}
	if r.Fingerprint != "" && planFingerprint != "" && r.Fingerprint != planFingerprint {
		rv.Warnings = append(rv.Warnings, "This run was made from another plan than the one above (the fingerprints differ): its nodes and the plan's may not match.")
	}
	for j, s := range r.States {
		l := lookFor(s.Name, j)
		rv.States = append(rv.States, stateView{Name: s.Name, Tone: l.Tone, Icon: l.Icon, N: thousands(s.N)})
	}
	rv.Over, rv.Reasons = runFigures(i, r)
	rv.Over, rv.Reasons = rv.Over.cleaned(), rv.Reasons.cleaned()
	rv.HasFailures = len(r.Failures) > 0
	rv.FailureCount = thousands(len(r.Failures))
	for j, f := range r.Failures {
		if j == maxFailureRows {
			rv.MoreFailures = thousands(len(r.Failures) - maxFailureRows)
			break
		}
		l := lookFor(f.State, 0)
		rv.Failures = append(rv.Failures, failureView{InstanceID: f.InstanceID, State: f.State, Tone: l.Tone, Icon: l.Icon,
			Reason: clean(f.Reason), At: "+" + shortDuration(f.At.Sub(r.Started))})
	}
	if len(r.Scanned) > 0 {
		rv.ScannedCount = thousands(len(r.Scanned))
		rv.NextStep = nextStep
	}
	for j, s := range r.Scanned {
		if j == maxFailureRows {
			rv.MoreScanned = thousands(len(r.Scanned) - maxFailureRows)
			break
		}
		rv.Scanned = append(rv.Scanned, scannedView{InstanceID: s.InstanceID, PatchState: clean(s.PatchState.Summary()),
			At: "+" + shortDuration(s.At.Sub(r.Started))})
	}
	return rv
}

type cycleView struct {
	RunID, Tone, Icon, Sentence, Error string
	BackingOff                         []backingOffView
}

type backingOffView struct {
	InstanceID, Failures, RetryAfter, Reason string
}

// resultLooks colour a heal cycle's result; any other result is neutral.
var resultLooks = map[string]look{
	"compliant":     {Tone: "good", Icon: "✓"},
	"not-compliant": {Tone: "bad", Icon: "✗"},
	"error":         {Tone: "bad", Icon: "⚠"},
}

func newCycleView(c Cycle) *cycleView {
	l, ok := resultLooks[c.Result]
	if !ok {
		l = look{Tone: "neutral", Icon: "–"}
	}
	s := fmt.Sprintf("Result %s. Started %s, finished %s (%s).", c.Result, utc(c.Started), utc(c.Finished), shortDuration(c.Finished.Sub(c.Started)))
	if c.Targets > 0 {
		s += fmt.Sprintf(" Fixed and read back %s of %s targeted.", thousands(c.Verified), plural(c.Targets, "node", "nodes"))
	} else {
		s += " Nothing to fix this cycle."
	}
	if n := len(c.BackingOff); n > 0 {
		s += fmt.Sprintf(" %s backing off after earlier failures.", plural(n, "node is", "nodes are"))
	}
	cv := &cycleView{RunID: c.RunID, Tone: l.Tone, Icon: l.Icon, Sentence: s, Error: clean(c.Error)}
	for _, b := range c.BackingOff {
		cv.BackingOff = append(cv.BackingOff, backingOffView{InstanceID: b.InstanceID, Failures: fmt.Sprint(b.Failures), RetryAfter: utc(b.RetryAfter), Reason: clean(b.Reason)})
	}
	return cv
}
