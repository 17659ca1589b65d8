package ssmsim

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// runAssociation starts one execution of a over the nodes its targets
// resolve to now, and returns it. Results arrive through runOnNode's
// callbacks on the event queue.
func (r *region) runAssociation(a *association, now time.Time) *assocExecution {
	a.execSeq++
	e := &assocExecution{
		ID: r.newUUID(), seq: a.execSeq, Version: a.Version,
		Status: "Pending", DetailedStatus: "Pending", Created: now,
		byNode: map[string]*assocExecTarget{},
	}
	a.executions = append(a.executions, e)
	ids := r.resolveTargets(a.targetList(), now)
	for _, id := range ids {
		t := &assocExecTarget{ResourceID: id, Status: "Pending", DetailedStatus: "Pending"}
		e.targets = append(e.targets, t)
		e.byNode[id] = t
		r.associations.setNodeStatus(id, a.ID, "Pending")
	}
	name, version, params := a.Name, a.DocumentVersion, a.Parameters
	ro := &rollout{
		queue:     ids,
		maxConc:   rateLimit(a.MaxConcurrency, len(ids), true),
		maxErrors: rateLimit(a.MaxErrors, len(ids), false),
		run: func(node string, at time.Time, done func(execResult)) {
			e.byNode[node].OutputSourceID = r.runTracked(node, name, version, params, "", nil, at, done)
		},
		onStart: func(node string, at time.Time) {
			t := e.byNode[node]
			t.Status, t.DetailedStatus = "InProgress", "InProgress"
			t.LastExecution = at
			e.Status, e.DetailedStatus = "InProgress", "InProgress"
		},
		onResult: func(node string, res execResult) {
			t := e.byNode[node]
			t.Status = "Failed"
			if res.Status == "Success" {
				t.Status = "Success"
			}
			t.DetailedStatus = res.StatusDetails
			if t.DetailedStatus == "" {
				t.DetailedStatus = t.Status
			}
			if !res.End.IsZero() {
				t.LastExecution = res.End
			}
			if !a.deleted {
				r.associations.setNodeStatus(node, a.ID, t.Status)
			}
		},
		onFinish: func(end time.Time, skipped []string) {
			// Nodes never started because MaxErrors was exceeded are
			// reported as Skipped; their association status is left out
			// rather than guessed.
			for _, node := range skipped {
				t := e.byNode[node]
				t.Status, t.DetailedStatus = "Skipped", "Skipped"
				if m := r.associations.nodeStatus[node]; m != nil {
					delete(m, a.ID)
				}
			}
			r.finishAssocExecution(a, e, end)
		},
	}
	ro.pump(now)
	return e
}

// finishAssocExecution sets the final status of an execution: Failed if
// any node failed, else Success (an execution that matched no node
// succeeds, having nothing to do).
func (r *region) finishAssocExecution(a *association, e *assocExecution, end time.Time) {
	e.Status = "Success"
	for _, t := range e.targets {
		if t.Status == "Failed" {
			e.Status = "Failed"
		}
	}
	e.DetailedStatus = e.Status
	e.LastExecution = end
	a.LastExecution = end
	if e.Status == "Success" {
		a.LastSuccess = end
	}
}

// targetList returns the association's targets, turning the legacy
// InstanceId form into an InstanceIds target.
func (a *association) targetList() []targetSpec {
	if a.InstanceID != "" {
		return []targetSpec{{Key: "InstanceIds", Values: []string{a.InstanceID}}}
	}
	return a.Targets
}

// armAssociation schedules the association's next fire time after from.
// Each firing runs the association and arms the next, so one event is
// pending per scheduled association. An update or delete changes a.gen,
// which disarms the pending event.
func (r *region) armAssociation(a *association, from time.Time) {
	if a.sched == nil {
		return
	}
	offset := 0
	if a.ScheduleOffset != nil {
		offset = *a.ScheduleOffset
	}
	at, ok := a.sched.Next(from, time.UTC, offset)
	if !ok {
		return
	}
	gen := a.gen
	r.schedule(at, func(now time.Time) {
		if a.deleted || a.gen != gen {
			return
		}
		r.runAssociation(a, now)
		r.armAssociation(a, now)
	})
}

// latestExecution returns the newest execution, or nil.
func (a *association) latestExecution() *assocExecution {
	if len(a.executions) == 0 {
		return nil
	}
	return a.executions[len(a.executions)-1]
}

// countByStatus counts an execution's targets by status.
func (e *assocExecution) countByStatus() map[string]int {
	m := map[string]int{}
	for _, t := range e.targets {
		m[t.Status]++
	}
	return m
}

// resourceCountByStatus renders counts as AWS does, "{Success=3, Failed=1}",
// with a fixed order so the text is stable.
func resourceCountByStatus(m map[string]int) string {
	rank := map[string]int{"Success": 0, "Failed": 1, "Pending": 2, "InProgress": 3, "Skipped": 4}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, iok := rank[keys[i]]
		rj, jok := rank[keys[j]]
		if iok != jok {
			return iok
		}
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Itoa(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
