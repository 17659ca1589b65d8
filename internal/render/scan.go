package render

import (
	"fmt"
	"strings"

	"github.com/patchready/patchready/internal/plan"
)

// scanNextStep says whose work patching is once the scan has proved a node
// ready: every view of a scanned plan ends with it.
const scanNextStep = "Patching is the next step, and it is Patch Manager's, not patchready's: a patch baseline, then a patch policy or a maintenance window running AWS-RunPatchBaseline with Operation=Install."

// scanCounts counts a scanned plan's nodes: passed, failed, and not
// scanned because the preflight blocks them.
func scanCounts(p plan.Plan) (passed, failed, notScanned int) {
	for _, n := range p.Nodes {
		switch {
		case n.Scan != nil && n.Scan.Passed:
			passed++
		case n.Scan != nil:
			failed++
		case n.Verdict == plan.Blocked:
			notScanned++
		}
	}
	return passed, failed, notScanned
}

// scanLine describes a scanned plan's scan in one line.
func scanLine(p plan.Plan) string {
	passed, failed, notScanned := scanCounts(p)
	s := fmt.Sprintf("Patch Manager's scan (AWS-RunPatchBaseline, Operation=Scan) passed on %d, failed on %d", passed, failed)
	if notScanned > 0 {
		s += fmt.Sprintf("; %s the preflight blocks not scanned", plural(notScanned, "node", "nodes"))
	}
	return s
}

// scanSummary is what the summary line adds for a scanned plan.
func scanSummary(p plan.Plan) string {
	if !p.Scanned {
		return ""
	}
	return fmt.Sprintf(" Patch Manager's scan: %d passed, %d failed.", p.Summary.ScanPassed, p.Summary.ScanFailed)
}

// scanResult says how a node's scan went: its patch state, or why it
// failed and, on a node still to fix, whether the fix mends it.
func scanResult(n plan.NodePlan) string {
	s := n.Scan
	switch {
	case s == nil:
		return ""
	case s.Passed && s.PatchState != nil:
		return s.PatchState.Summary()
	case s.Passed:
		return "passed"
	case n.Verdict == plan.Fix:
		return s.Reason + " (the node stays to fix: see its notes)"
	}
	return s.Reason
}

// scannedNodes splits a scanned plan's scanned nodes by result.
func scannedNodes(p plan.Plan) (passed, failed []plan.NodePlan) {
	for _, n := range p.Nodes {
		switch {
		case n.Scan == nil:
		case n.Scan.Passed:
			passed = append(passed, n)
		default:
			failed = append(failed, n)
		}
	}
	return passed, failed
}

// scan prints the scan's results: the nodes it proved ready with what
// patching them would face, those it did not with why, and whose the next
// step is.
func (t *textWriter) scan(p plan.Plan) {
	if !p.Scanned {
		return
	}
	t.line("%s", t.style(ansiBold, scanLine(p)+":"))
	passed, failed := scannedNodes(p)
	if len(passed) > 0 {
		t.line("")
		rows := make([][]string, len(passed))
		for i, n := range passed {
			rows[i] = []string{short(n.Node.InstanceID), platform(n), clean(scanResult(n))}
		}
		t.rows(t.style(ansiGreen, "✓"), rows)
	}
	if len(failed) > 0 {
		t.line("")
		rows := make([][]string, len(failed))
		for i, n := range failed {
			rows[i] = []string{short(n.Node.InstanceID), platform(n), clean(scanResult(n))}
		}
		t.rows(t.style(ansiRed, "✗"), rows)
	}
	t.line("")
	for _, l := range wrap(scanNextStep, 78) {
		t.line("  %s", l)
	}
	t.line("")
}

// mdScan writes the scan's results as a table.
func mdScan(b *strings.Builder, p plan.Plan, h string) {
	if !p.Scanned {
		return
	}
	passed, failed := scannedNodes(p)
	nodes := append(passed, failed...)
	fmt.Fprintf(b, "%s Patch Manager's scan\n\n%s.\n\n", h, md(scanLine(p)))
	if len(nodes) > 0 {
		fold := len(nodes) > collapseOver
		if fold {
			fmt.Fprintf(b, "<details><summary>Show %s</summary>\n\n", plural(len(nodes), "node", "nodes"))
		}
		b.WriteString("| Node | Platform | Scan | Result |\n|---|---|---|---|\n")
		for _, n := range nodes {
			mark := "✓ passed"
			if !n.Scan.Passed {
				mark = "✗ failed"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", code(short(n.Node.InstanceID)), md(platform(n)), mark, md(scanResult(n)))
		}
		if fold {
			b.WriteString("\n</details>\n")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "%s\n\n", md(scanNextStep))
}
