package ssmsim

import (
	"encoding/json"
	"sort"
	"time"
)

// armWindow schedules the window's next firing after from, and records it
// as NextExecutionTime. Each firing arms the next one, so a window has at
// most one pending event; an update or delete bumps w.gen to disarm it.
func (r *region) armWindow(w *window, from time.Time) {
	w.nextFire = time.Time{}
	if w.deleted || w.sched == nil {
		return
	}
	after := from
	if !w.start.IsZero() && w.start.After(after) {
		after = w.start
	}
	offset := 0
	if w.ScheduleOffset != nil {
		offset = *w.ScheduleOffset
	}
	at, ok := w.sched.Next(after, w.loc, offset)
	if !ok || (!w.end.IsZero() && at.After(w.end)) {
		return
	}
	w.nextFire = at
	gen := w.gen
	r.schedule(at, func(now time.Time) {
		if w.deleted || w.gen != gen {
			return
		}
		if w.Enabled {
			r.fireWindow(w, now)
		}
		r.armWindow(w, now)
	})
}

// fireWindow opens one execution of the window at now. Tasks run in
// priority order (lower first); tasks of equal priority run together. No
// task starts, and no task starts a new node, after Duration − Cutoff.
func (r *region) fireWindow(w *window, now time.Time) {
	e := &windowExecution{ID: r.newUUID(), WindowID: w.ID, Status: "IN_PROGRESS", Start: now}
	if prev := w.latestExecution(); prev != nil && prev.Status == "IN_PROGRESS" {
		e.Status, e.StatusDetails, e.End = "SKIPPED_OVERLAPPING", "The previous execution of this window was still running.", now
	}
	r.windows.seq++
	e.seq = r.windows.seq
	w.executions = append(w.executions, e)
	r.windows.executions[e.ID] = e
	if e.Status != "IN_PROGRESS" {
		return
	}
	cutoff := now.Add(time.Duration(w.Duration-w.Cutoff) * time.Hour)
	windowEnd := now.Add(time.Duration(w.Duration) * time.Hour)
	tasks := append([]*windowTask(nil), w.tasks...)
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].Priority < tasks[j].Priority })
	var runGroup func(i int, at time.Time)
	runGroup = func(i int, at time.Time) {
		if i >= len(tasks) {
			r.finishWindowExecution(e, at, windowEnd)
			return
		}
		j := i
		for j < len(tasks) && tasks[j].Priority == tasks[i].Priority {
			j++
		}
		pending := j - i
		for _, t := range tasks[i:j] {
			r.startWindowTask(w, e, t, at, cutoff, func(end time.Time) {
				pending--
				if pending == 0 {
					runGroup(j, end)
				}
			})
		}
	}
	runGroup(0, now)
}

func (w *window) latestExecution() *windowExecution {
	if len(w.executions) == 0 {
		return nil
	}
	return w.executions[len(w.executions)-1]
}

// finishWindowExecution sets the execution's final status: FAILED if a
// task failed, TIMED_OUT if a task was cut off or the run outlasted the
// window's duration, SUCCESS otherwise.
func (r *region) finishWindowExecution(e *windowExecution, end, windowEnd time.Time) {
	e.Status, e.End = "SUCCESS", end
	for _, t := range e.tasks {
		switch {
		case t.Status == "FAILED":
			e.Status = "FAILED"
		case (t.Status == "TIMED_OUT" || t.Status == "CANCELLED") && e.Status == "SUCCESS":
			e.Status = "TIMED_OUT"
		}
	}
	if e.Status == "SUCCESS" && end.After(windowEnd) {
		e.Status = "TIMED_OUT"
	}
	if e.Status != "SUCCESS" {
		e.StatusDetails = "One or more tasks in the orchestration did not succeed."
	}
}

// taskGroup is the nodes of one task target, run as a unit: a task with
// several targets runs them one after another.
type taskGroup struct {
	windowTargetID string
	owner          string
	nodes          []string
}

// taskGroups resolves a task's targets to node groups at now, each node
// once, in the order the task lists its targets.
func (r *region) taskGroups(w *window, t *windowTask, now time.Time) []taskGroup {
	seen := map[string]bool{}
	var groups []taskGroup
	add := func(g taskGroup, ids []string) {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				g.nodes = append(g.nodes, id)
			}
		}
		if len(g.nodes) > 0 {
			groups = append(groups, g)
		}
	}
	for _, tg := range t.Targets {
		switch tg.Key {
		case "WindowTargetIds":
			for _, id := range tg.Values {
				if wt := w.target(id); wt != nil {
					add(taskGroup{windowTargetID: wt.ID, owner: wt.OwnerInformation}, r.resolveTargets(wt.Targets, now))
				}
			}
		case "InstanceIds":
			add(taskGroup{}, r.resolveTargets([]targetSpec{tg}, now))
		}
	}
	return groups
}

// startWindowTask runs one task of an execution and calls done when every
// invocation has ended.
func (r *region) startWindowTask(w *window, e *windowExecution, t *windowTask, now, cutoff time.Time, done func(end time.Time)) {
	te := &windowTaskExecution{ID: r.newUUID(), task: t, Status: "IN_PROGRESS", Start: now}
	e.tasks = append(e.tasks, te)
	if now.After(cutoff) {
		te.Status, te.StatusDetails, te.End = "CANCELLED", "The maintenance window cutoff passed before the task started.", now
		done(now)
		return
	}
	groups := r.taskGroups(w, t, now)
	total := 0
	for _, g := range groups {
		total += len(g.nodes)
	}
	maxConc := rateLimit(t.MaxConcurrency, total, true)
	maxErrs := rateLimit(t.MaxErrors, total, false)
	errs, cut := 0, false
	var runGroup func(i int, at time.Time)
	runGroup = func(i int, at time.Time) {
		if i >= len(groups) || cut || (maxErrs >= 0 && errs > maxErrs) {
			r.finishWindowTask(te, at, cut, maxErrs >= 0 && errs > maxErrs)
			done(at)
			return
		}
		g := groups[i]
		invs := map[string]*windowInvocation{}
		ro := &rollout{queue: g.nodes, maxConc: maxConc, maxErrors: -1, deadline: cutoff}
		if maxErrs >= 0 {
			ro.maxErrors = maxErrs - errs
		}
		ro.run = func(node string, at time.Time, done func(execResult)) {
			invs[node].ExecutionID = r.runTracked(node, t.TaskArn, t.DocVersion, t.Parameters, t.Comment, t.TimeoutSeconds, at, done)
		}
		ro.onStart = func(node string, at time.Time) {
			inv := &windowInvocation{
				ID: r.newUUID(), NodeID: node, WindowTargetID: g.windowTargetID, OwnerInformation: g.owner,
				Status: "IN_PROGRESS", Start: at, Parameters: invocationParameters(t, node),
			}
			r.windows.seq++
			inv.seq = r.windows.seq
			invs[node] = inv
			te.invocations = append(te.invocations, inv)
		}
		ro.onResult = func(node string, res execResult) {
			inv := invs[node]
			inv.Status, inv.StatusDetails, inv.End = "SUCCESS", res.StatusDetails, res.End
			if res.Status != "Success" {
				switch res.Status {
				case "TimedOut":
					inv.Status = "TIMED_OUT"
				case "Cancelled":
					inv.Status = "CANCELLED" // CancelCommand on its ExecutionId
				default:
					inv.Status = "FAILED"
				}
				errs++
			}
		}
		ro.onFinish = func(end time.Time, skipped []string) {
			if len(skipped) > 0 && !end.Before(cutoff) {
				cut = true
			}
			runGroup(i+1, end)
		}
		ro.pump(at)
	}
	runGroup(0, now)
}

func (r *region) finishWindowTask(te *windowTaskExecution, end time.Time, cut, tooManyErrors bool) {
	te.Status, te.End = "SUCCESS", end
	failed := false
	for _, inv := range te.invocations {
		failed = failed || inv.Status != "SUCCESS"
	}
	switch {
	case len(te.invocations) == 0 && !cut:
		te.StatusDetails = "No invocations to execute"
	case tooManyErrors || failed:
		te.Status, te.StatusDetails = "FAILED", "The task did not succeed on every target."
	case cut:
		te.Status, te.StatusDetails = "TIMED_OUT", "The maintenance window cutoff stopped the task before every target ran."
	}
}

// invocationParameters renders what AWS shows as an invocation's
// Parameters: the Run Command request made for it, as JSON.
func invocationParameters(t *windowTask, node string) string {
	b, _ := json.Marshal(map[string]any{
		"documentName": t.TaskArn, "instanceIds": []string{node}, "parameters": t.Parameters,
		"comment": t.Comment, "maxConcurrency": t.MaxConcurrency, "maxErrors": t.MaxErrors,
	})
	return string(b)
}
