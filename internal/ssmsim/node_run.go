package ssmsim

import (
	"fmt"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/docparse"
)

// slowed scales a duration by the node's Slow fault.
func slowed(n *Node, d time.Duration) time.Duration {
	if n.Faults.Slow > 1 {
		return time.Duration(float64(d) * n.Faults.Slow)
	}
	return d
}

// execute runs a delivered document on node n. Effects on the node happen
// when the run ends, through the event queue, so a reader between start
// and end sees the node as it was.
func (r *region) execute(n *Node, x *run, now time.Time) {
	b := r.server.opts.Behaviour
	end := now.Add(slowed(n, b.CommandDuration))
	if step, skip := skippedStep(x.doc, n.PlatformType); skip {
		// A false precondition skips the step; the invocation still
		// succeeds, as the agent reports it.
		out := fmt.Sprintf("Step execution skipped due to unsatisfied preconditions: '\"StringEquals\": [platformType, %s]'. Step name: %s\n", step.Platform, step.Name)
		r.finishAt(x, end, execResult{Status: "Success", StatusDetails: "Success", Output: out})
		return
	}
	if x.doc.Kind == docparse.UpdateAgent {
		r.updateAgent(n, x, now)
		return
	}
	if r.isPatchBaseline(x) {
		r.patchBaseline(n, x, now)
		return
	}
	// The script runs now, against the node as it is when the run starts;
	// its effects land when the run ends.
	res, after := r.runShellSteps(n, x)
	r.schedule(end, func(t time.Time) {
		if node := r.byID[x.node]; node != nil && after != nil && after != node.sw {
			node.sw = after
			node.mirrorSoftware()
		}
		res.End = t
		x.finish(res)
	})
}

// finishAt reports res at simulated time at.
func (r *region) finishAt(x *run, at time.Time, res execResult) {
	r.schedule(at, func(t time.Time) {
		res.End = t
		x.finish(res)
	})
}

// skippedStep reports whether every step of the document has a platform
// precondition the node fails, returning the first such step.
func skippedStep(d *docparse.Doc, platform string) (docparse.Step, bool) {
	if len(d.Steps) == 0 {
		return docparse.Step{}, false
	}
	for _, s := range d.Steps {
		if s.Platform == "" || s.Platform == platform {
			return docparse.Step{}, false
		}
	}
	return d.Steps[0], true
}
