package bench

import (
	"time"

	"github.com/patchready/patchready/internal/plan"
)

// pageSize is what patchready asks for per page and per SendCommand or
// CreateAssociation target list: the most SSM allows.
const pageSize = 50

// Naive AWS CLI loop: describe-instance-information pages at the CLI's
// default of 10, one send-command per 50 nodes, then every 30 seconds one
// list-command-invocations per command until the command is done.
const (
	naivePageSize    = 10
	naivePollEvery   = 30 * time.Second
	naiveCommandSize = 50
)

func ceilDiv(a, b int) int {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// work is what the plan asked for, from which the floors are computed.
type work struct {
	nodes, targets, probed, requests int
	// strategy delivers the agent update: its floor is one association,
	// or one window target (and one window per 50 of them), per 50 targets
	// (run-command's commands share
	// SendCommand with the probe and the fixes, whose floor is the probe's).
	strategy plan.Strategy
	// scanned counts the nodes an apply --scan=all scans, by platform
	// (each platform's scan is a command of its own); nil without a scan.
	// scanPassed counts those whose scan passed: only they have a patch
	// state to read back.
	scanned    map[string]int
	scanPassed int
}

// scanOp is the row of the scan's SendCommand calls, apart from the
// probe's and the fixes'.
const scanOp = "SendCommand (scan)"

// minimums are the fewest calls of each operation the work allows: one
// page per 50 nodes to discover them, one association per 50 targets, one
// probe command per 50 probed nodes. Operations without a floor here (polling, read-back,
// document set-up) are reported without one, because their count depends on
// how long the fleet takes, not on its size alone.
//
// With a scan, its commands have a floor of one per 50 nodes of each
// platform, and reading back the patch states Patch Manager recorded one
// DescribeInstancePatchStates call per 50 nodes whose scan passed.
func minimums(w work) map[string]int {
	m := map[string]int{
		"DescribeInstanceInformation": ceilDiv(w.nodes, pageSize),
		"SendCommand":                 ceilDiv(w.probed, pageSize),
	}
	switch w.strategy {
	case "", plan.DefaultStrategy:
		m["CreateAssociation"] = ceilDiv(w.targets, pageSize)
	case "maintenance-window":
		// A window holds at most 50 targets.
		m["CreateMaintenanceWindow"] = ceilDiv(ceilDiv(w.targets, pageSize), 50)
		m["RegisterTargetWithMaintenanceWindow"] = ceilDiv(w.targets, pageSize)
	}
	if w.scanned != nil {
		for _, k := range w.scanned {
			m[scanOp] += ceilDiv(k, pageSize)
		}
		m["DescribeInstancePatchStates"] = ceilDiv(w.scanPassed, pageSize)
	}
	return m
}

// naive computes, from first principles, the calls of a shell loop with the
// AWS CLI doing the agent update on the same fleet: discover at page size
// 10, send AWS-UpdateSSMAgent to 50 nodes per command, and poll each command
// with list-command-invocations every 30 s until it ends. A command ends when
// its last node's update does, so it is polled ceil(update/30s) times plus
// the poll that sees it done. The loop probes nothing and verifies nothing,
// so it does strictly less work than patchready for those counts.
func naive(w work, update time.Duration) map[string]int {
	cmds := ceilDiv(w.targets, naiveCommandSize)
	polls := int(update/naivePollEvery) + 1
	if update%naivePollEvery != 0 {
		polls++
	}
	return map[string]int{
		"DescribeInstanceInformation": ceilDiv(w.nodes, naivePageSize),
		"SendCommand":                 cmds,
		"ListCommandInvocations":      cmds * polls,
	}
}
