package ssmsim

import (
	"time"

	"github.com/patchready/patchready/internal/ssmsim/schedexpr"
	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// Maintenance-window quotas from the Systems Manager quotas page: 50
// windows per Region, 50 targets and 20 tasks per window. Past them AWS
// answers ResourceLimitExceededException.
const (
	maxWindows       = 50
	maxWindowTargets = 50
	maxWindowTasks   = 20
)

// windowStore holds the maintenance windows of one region.
type windowStore struct {
	byID  map[string]*window
	order []*window
	seq   uint64
	// tokens remembers ClientTokens for idempotent creation: the request's
	// fingerprint and the resource it created.
	tokens map[string]idempotentCall
	// executions indexes every window execution by ID.
	executions map[string]*windowExecution
}

type idempotentCall struct {
	fingerprint string
	id          string
}

func newWindowStore() *windowStore {
	return &windowStore{byID: map[string]*window{}, tokens: map[string]idempotentCall{}, executions: map[string]*windowExecution{}}
}

// exists reports whether a window with this ID exists, for the tagging
// operations.
func (st *windowStore) exists(id string) bool {
	_, ok := st.byID[id]
	return ok
}

// window is one maintenance window with its targets, tasks and history.
type window struct {
	ID                       string
	seq                      uint64
	Name                     string
	Description              string
	Schedule                 string
	sched                    *schedexpr.Schedule
	Timezone                 string
	loc                      *time.Location
	ScheduleOffset           *int
	Duration                 int // hours
	Cutoff                   int // hours
	AllowUnassociatedTargets bool
	Enabled                  bool
	StartDate, EndDate       string
	start, end               time.Time // parsed StartDate / EndDate; zero = open
	Created, Modified        time.Time
	nextFire                 time.Time

	targets    []*windowTarget
	tasks      []*windowTask
	executions []*windowExecution // oldest first
	gen        uint64             // bumped to disarm a pending fire event
	deleted    bool
}

type windowTarget struct {
	ID               string
	ResourceType     string
	Targets          []targetSpec
	OwnerInformation string
	Name             string
	Description      string
}

type windowTask struct {
	ID             string
	seq            uint64
	TaskArn        string
	Type           string
	Targets        []targetSpec
	Priority       int
	MaxConcurrency string
	MaxErrors      string
	Name           string
	Description    string
	Parameters     map[string][]string
	DocVersion     string
	TimeoutSeconds *int
	Comment        string
	CutoffBehavior string
}

type windowExecution struct {
	ID            string
	seq           uint64
	WindowID      string
	Status        string
	StatusDetails string
	Start, End    time.Time
	tasks         []*windowTaskExecution
}

type windowTaskExecution struct {
	ID            string
	task          *windowTask
	Status        string
	StatusDetails string
	Start, End    time.Time
	invocations   []*windowInvocation
}

type windowInvocation struct {
	ID               string
	seq              uint64
	ExecutionID      string // the Run Command CommandId
	NodeID           string
	WindowTargetID   string
	OwnerInformation string
	Parameters       string
	Status           string
	StatusDetails    string
	Start, End       time.Time
}

func (st *windowStore) add(w *window) {
	st.seq++
	w.seq = st.seq
	st.byID[w.ID] = w
	st.order = append(st.order, w)
}

func (st *windowStore) remove(w *window) {
	delete(st.byID, w.ID)
	for i, x := range st.order {
		if x == w {
			st.order = append(st.order[:i:i], st.order[i+1:]...)
			break
		}
	}
	for _, e := range w.executions {
		delete(st.executions, e.ID)
	}
	w.deleted = true
	w.gen++
}

// lookupWindow finds a window by ID; the error is DoesNotExistException.
func (r *region) lookupWindow(id string) (*window, *wire.Error) {
	w, ok := r.windows.byID[id]
	if !ok {
		return nil, wire.Errorf("DoesNotExistException", "Maintenance window %s does not exist", id)
	}
	return w, nil
}
