package plan

import (
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
)

// NodeScan is what Patch Manager's own scan (AWS-RunPatchBaseline,
// Operation=Scan, made by plan --scan) found on one node: the deepest
// read-only probe there is, since it runs the patch run itself.
type NodeScan struct {
	// Passed says the scan succeeded and Patch Manager recorded the
	// node's patch state.
	Passed bool `json:"passed"`
	// PatchState is what Patch Manager recorded after a scan that passed.
	PatchState *fleet.PatchState `json:"patch_state,omitempty"`
	// Reason says why a scan failed, in words: the patch run's own cause
	// mapped to the check it points at, and what to do.
	Reason string `json:"reason,omitempty"`
	// Cause names the failure when patchready recognises it (the patch
	// run's messages and exit codes); "" when it does not.
	Cause string `json:"cause,omitempty"`
	// Check is the preflight check the failure points at; "" when it
	// points at none (the repositories, a lock held) or is not recognised.
	Check prereq.CheckID `json:"check,omitempty"`
	// Advice says what to do about the failure.
	Advice string `json:"advice,omitempty"`
	// Detail is the last lines of the scan's own output.
	Detail string `json:"detail,omitempty"`
}

// ScanCheck is what a node blocked by a failed scan is blocked by when the
// failure points at no preflight check: the scan itself.
const ScanCheck prereq.CheckID = "patch-scan"

// ScanHeading and ScanAdvice name the nodes ScanCheck blocks in views.
const (
	ScanHeading = "Patch Manager's scan failed"
	ScanAdvice  = "each node's reason is the patch run's own; fix what it names, then plan --scan again"
)

// applyScan lets the scan of a node correct what the preflight decided.
// The scan is Patch Manager working on the node, so where the two
// disagree the scan wins, in one direction only:
//
//   - a node the preflight calls compliant whose scan fails is blocked by
//     the check the failure points at (or by the scan itself), with the
//     scan's reason: it is not ready, whatever the facts said;
//   - a node that needs fixing stays fix when one of its actions mends the
//     check the failure points at (the scan failed as the preflight
//     expects), or when the failure is not recognised (the fix may cure
//     it; apply --scan will tell); a recognised failure that no action
//     mends blocks it, since the fixes would leave it failing;
//   - a scan that passes changes no verdict: a node the preflight blocks
//     stays blocked (a check that passes the scan today, such as free
//     space, can still fail a patching run), with a note that the two
//     disagree.
func applyScan(np *NodePlan, s NodeScan) {
	np.Scan = &s
	if s.Passed {
		if np.Verdict == Blocked {
			np.Notes = append(np.Notes, "Patch Manager's scan passed although the preflight blocks the node: check the blocking facts")
		}
		return
	}
	switch np.Verdict {
	case Compliant:
		blockByScan(np, s)
	case Fix:
		if mends(np, s.Check) {
			np.Notes = append(np.Notes, "Patch Manager's scan failed as the preflight expects ("+s.Cause+"); the planned fix mends it")
			return
		}
		if s.Cause == "" {
			np.Notes = append(np.Notes, "warning: Patch Manager's scan failed for a reason patchready does not recognise; apply --scan shows whether the planned fix cures it: "+s.Reason)
			return
		}
		blockByScan(np, s)
	}
}

// mends reports whether one of np's actions mends the check id.
func mends(np *NodePlan, id prereq.CheckID) bool {
	c, ok := prereq.Lookup(id)
	return ok && c.Fix != nil && np.HasAction(c.Fix.Kind)
}

func blockByScan(np *NodePlan, s NodeScan) {
	by := s.Check
	if by == "" {
		by = ScanCheck
	}
	np.Verdict = Blocked
	np.BlockedBy = []prereq.CheckID{by}
	np.Reasons = []string{s.Reason}
	np.Actions = nil
}
