package ssmsim

import "time"

// rollout runs one document over a list of nodes with Run Command's rate
// controls: at most maxConc nodes in flight, and no new node started once
// the errors exceed maxErrors. It is driven entirely by runOnNode's
// completion callbacks on the event queue, so it needs no goroutine and
// runs under Server.mu like every other state change.
type rollout struct {
	queue     []string
	next      int
	inFlight  int
	maxConc   int // -1: no limit
	maxErrors int // -1: no limit
	errors    int
	halted    bool
	finished  bool
	// deadline, when set, is the last time a node may start (a
	// maintenance window's cutoff).
	deadline time.Time

	run      func(node string, at time.Time, done func(execResult))
	onStart  func(node string, at time.Time)
	onResult func(node string, res execResult)
	// onFinish gets the end time and the nodes never started.
	onFinish func(end time.Time, skipped []string)
}

// pump starts as many nodes as the limits allow at now, and finishes the
// rollout when nothing is left to run.
func (ro *rollout) pump(now time.Time) {
	for !ro.halted && ro.next < len(ro.queue) && (ro.maxConc < 0 || ro.inFlight < ro.maxConc) {
		if !ro.deadline.IsZero() && now.After(ro.deadline) {
			ro.halted = true
			break
		}
		id := ro.queue[ro.next]
		ro.next++
		ro.inFlight++
		ro.onStart(id, now)
		ro.run(id, now, func(res execResult) { ro.complete(id, now, res) })
	}
	if !ro.finished && ro.inFlight == 0 && (ro.halted || ro.next >= len(ro.queue)) {
		ro.finished = true
		ro.onFinish(now, ro.queue[ro.next:])
	}
}

func (ro *rollout) complete(id string, started time.Time, res execResult) {
	ro.inFlight--
	if res.Status != "Success" {
		ro.errors++
		if ro.maxErrors >= 0 && ro.errors > ro.maxErrors {
			ro.halted = true
		}
	}
	ro.onResult(id, res)
	end := res.End
	if end.IsZero() || end.Before(started) {
		end = started
	}
	ro.pump(end)
}
