package ssmsim

import (
	"fmt"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/schedexpr"
)

// maxAssociations is the quota behind AssociationLimitExceeded ("You can
// have at most 2,000 active associations", API model).
const maxAssociations = 2000

// associationStore holds the State Manager associations of one region.
type associationStore struct {
	byID  map[string]*association
	order []*association // by creation, for stable listing
	seq   uint64
	// nodeStatus is each node's latest status per association (Success,
	// Failed, Pending), the source of InstanceInformation.AssociationStatus.
	nodeStatus map[string]map[string]string
}

func newAssociationStore() *associationStore {
	return &associationStore{byID: map[string]*association{}, nodeStatus: map[string]map[string]string{}}
}

// exists reports whether an association with this ID exists, for the
// tagging operations.
func (st *associationStore) exists(id string) bool {
	_, ok := st.byID[id]
	return ok
}

// association is one State Manager association, at its current version.
type association struct {
	ID              string
	Version         int
	seq             uint64
	Name            string // the document
	DocumentVersion string
	AssociationName string
	InstanceID      string // legacy single-instance form
	Targets         []targetSpec
	Parameters      map[string][]string
	Schedule        string
	sched           *schedexpr.Schedule
	ScheduleOffset  *int
	ApplyOnlyAtCron bool
	MaxConcurrency  string
	MaxErrors       string
	Severity        string
	SyncCompliance  string
	Created         time.Time
	Updated         time.Time
	LastExecution   time.Time
	LastSuccess     time.Time

	executions []*assocExecution // oldest first
	execSeq    uint64
	// gen changes on every update and on delete, so that a fire time armed
	// for an older version does nothing.
	gen     uint64
	deleted bool
}

// assocExecution is one run of an association over its targets.
type assocExecution struct {
	ID             string
	seq            uint64
	Version        int
	Status         string // Pending | InProgress | Success | Failed
	DetailedStatus string
	Created        time.Time
	LastExecution  time.Time
	targets        []*assocExecTarget
	byNode         map[string]*assocExecTarget
}

// assocExecTarget is the result of one execution on one node.
type assocExecTarget struct {
	ResourceID     string
	Status         string
	DetailedStatus string
	OutputSourceID string
	LastExecution  time.Time
}

// add stores a new association.
func (st *associationStore) add(a *association) {
	st.seq++
	a.seq = st.seq
	st.byID[a.ID] = a
	st.order = append(st.order, a)
}

// remove deletes an association and forgets its node statuses.
func (st *associationStore) remove(a *association) {
	delete(st.byID, a.ID)
	for i, x := range st.order {
		if x == a {
			st.order = append(st.order[:i:i], st.order[i+1:]...)
			break
		}
	}
	for node, m := range st.nodeStatus {
		delete(m, a.ID)
		if len(m) == 0 {
			delete(st.nodeStatus, node)
		}
	}
	a.deleted = true
	a.gen++
}

// execution finds one execution of a by ID.
func (a *association) execution(id string) *assocExecution {
	for _, e := range a.executions {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// seqKey renders a sequence number as a key that sorts as the number does.
func seqKey(n uint64) string { return fmt.Sprintf("%020d", n) }

// associationStatusOf is a node's association status as
// DescribeInstanceInformation reports it: Failed if any association failed
// on it last time, Pending if any is still pending, Success if all
// succeeded, "" if no association has targeted it.
func (r *region) associationStatusOf(nodeID string) string {
	m := r.associations.nodeStatus[nodeID]
	if len(m) == 0 {
		return ""
	}
	status := "Success"
	for _, s := range m {
		switch s {
		case "Failed":
			return "Failed"
		case "Pending", "InProgress":
			status = "Pending"
		}
	}
	return status
}

func (st *associationStore) setNodeStatus(node, assocID, status string) {
	m, ok := st.nodeStatus[node]
	if !ok {
		m = map[string]string{}
		st.nodeStatus[node] = m
	}
	m[assocID] = status
}
