package remedy

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/patchready/patchready/internal/safefile"
)

// Journal is the append-only record of one run: every resource created or
// deleted and every node outcome, written and synced as it happens. A run
// that is killed can be resumed or cleaned up from its journal.
//
// The file is JSON lines, mode 0600, at <state dir>/runs/<run id>.jsonl.
type Journal struct {
	mu   sync.Mutex
	f    *os.File
	path string
	now  func() time.Time
}

// Entry kinds.
const (
	EntryRunStarted      = "run-started"
	EntryResourceCreated = "resource-created"
	EntryResourceDeleted = "resource-deleted"
	EntryNode            = "node"
	EntryRunFinished     = "run-finished"
	// EntryLatePlan records the plan a run made for a node it brought
	// under management: its verdict (State), reasons and actions.
	EntryLatePlan = "late-plan"
	// EntryTarget is one target of a run across accounts and regions: where
	// its own journal is, then how it ended. The run's journal holds these;
	// each target's journal is a journal of one account and region, with
	// the resources created there.
	EntryTarget = "target"
)

// Target states in EntryTarget entries.
const (
	TargetStarted  = "started"
	TargetFinished = "finished"
	TargetFailed   = "failed"
)

// Entry is one line of the journal.
type Entry struct {
	Time time.Time `json:"time"`
	Kind string    `json:"kind"`
	// run-started
	RunID       string `json:"run_id,omitempty"`
	PlanFile    string `json:"plan_file,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Strategy    string `json:"strategy,omitempty"`
	// resource-created / resource-deleted
	Resource *Resource `json:"resource,omitempty"`
	// node, late-plan
	InstanceID string `json:"instance_id,omitempty"`
	State      string `json:"state,omitempty"`
	Reason     string `json:"reason,omitempty"`
	// Detail is the node's own words (the tail of a failed scan's output),
	// kept for whoever investigates.
	Detail string `json:"detail,omitempty"`
	// PatchState is what Patch Manager recorded after the node's scan
	// (apply --scan), for reports made from the journal.
	PatchState *PatchState `json:"patch_state,omitempty"`
	// late-plan
	Actions []string `json:"actions,omitempty"`
	// run-finished, and a finished target
	ExitCode *int `json:"exit_code,omitempty"`
	// target (State and Reason above say how it stands)
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// Journal is the target's own journal; FailureKind says how it failed.
	Journal     string `json:"journal,omitempty"`
	FailureKind string `json:"failure_kind,omitempty"`
}

// Resource is something patchready created in the account.
type Resource struct {
	Type string `json:"type"` // association | maintenance-window | window-target | window-task | command | document
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Parent is the window ID of a window target or task.
	Parent string `json:"parent,omitempty"`
	// InstanceIDs are the nodes the resource targets.
	InstanceIDs []string `json:"instance_ids,omitempty"`
	// Action is the plan action the resource carries out.
	Action string `json:"action,omitempty"`
	// Before is what a changed setting held before patchready changed it.
	Before string `json:"before,omitempty"`
}

// Resource types.
const (
	ResourceAssociation = "association"
	ResourceWindow      = "maintenance-window"
	ResourceWindowTgt   = "window-target"
	ResourceWindowTask  = "window-task"
	ResourceCommand     = "command"
	ResourceDocument    = "document"
	// What the fixes for unmanaged instances change. patchready never
	// removes them: they are what keeps the instances managed (see
	// LeftOnPurpose).
	ResourceRole               = "iam-role"
	ResourceRolePolicy         = "iam-role-policy"
	ResourceServiceSetting     = "service-setting"
	ResourceProfileAssociation = "profile-association"
)

// LeftOnPurpose says why a resource of type typ stays when its run ends
// and when cleanup runs, or "" for a resource patchready removes.
func LeftOnPurpose(typ string) string {
	switch typ {
	case ResourceRole, ResourceRolePolicy:
		return "instances registered through it would lose their credentials and drop out of SSM; remove it yourself if you mean that"
	case ResourceServiceSetting:
		return "turning Default Host Management off again deregisters every instance that relies on it; it is your choice to keep (aws ssm reset-service-setting)"
	case ResourceProfileAssociation:
		return "the instance needs its profile to stay managed; it is your choice to keep (aws ec2 disassociate-iam-instance-profile)"
	}
	return ""
}

// JournalPath returns where the journal of runID lives under stateDir.
func JournalPath(stateDir, runID string) string {
	return filepath.Join(stateDir, "runs", runID+".jsonl")
}

// OpenJournal opens (creating if needed) the journal of runID for appending.
// Anything at its path that is not a regular file, a symbolic link
// included, is refused (see package safefile).
func OpenJournal(stateDir, runID string, now func() time.Time) (*Journal, error) {
	path := JournalPath(stateDir, runID)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create state directory: %w", err)
	}
	f, err := safefile.OpenAppend(path, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Journal{f: f, path: path, now: now}, nil
}

// Path returns the journal's file path.
func (j *Journal) Path() string { return j.path }

// Append writes one entry and syncs it to disk before returning, so that
// what the journal says happened survives a crash right after.
func (j *Journal) Append(e Entry) error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if e.Time.IsZero() {
		e.Time = j.now()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode journal entry: %w", err)
	}
	b = append(b, '\n')
	if _, err := j.f.Write(b); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync journal: %w", err)
	}
	return nil
}

// Created records a resource just created.
func (j *Journal) Created(r Resource) error {
	return j.Append(Entry{Kind: EntryResourceCreated, Resource: &r})
}

// Deleted records a resource just deleted.
func (j *Journal) Deleted(r Resource) error {
	return j.Append(Entry{Kind: EntryResourceDeleted, Resource: &r})
}

// Node records a node's outcome.
func (j *Journal) Node(id, state, reason string) error {
	return j.Append(Entry{Kind: EntryNode, InstanceID: id, State: state, Reason: reason})
}

// NodeDetail records a node's outcome with the node's own words and, after
// a scan, the patch state Patch Manager recorded (nil otherwise).
func (j *Journal) NodeDetail(id, state, reason, detail string, ps *PatchState) error {
	return j.Append(Entry{Kind: EntryNode, InstanceID: id, State: state, Reason: reason, Detail: detail, PatchState: ps})
}

// Close closes the file.
func (j *Journal) Close() error {
	if j == nil {
		return nil
	}
	return j.f.Close()
}

// RunState is what a journal says about a run.
type RunState struct {
	RunID       string
	PlanFile    string
	Fingerprint string
	Strategy    string
	// Live are the resources created and not deleted, in creation order.
	Live []Resource
	// Nodes holds each node's last recorded state and reason.
	Nodes    map[string]NodeRecord
	Finished bool
	ExitCode int
	// Targets are the targets of a run across accounts and regions, in
	// the order they were first recorded, each as last recorded.
	Targets []TargetRecord
}

// TargetRecord is where one target of a run stands.
type TargetRecord struct {
	Account, Region string
	Journal         string
	State           string
	Reason          string
	FailureKind     string
	ExitCode        int
}

// NodeRecord is a node's last recorded state.
type NodeRecord struct {
	State  string
	Reason string
	// Detail and PatchState are the outcome's, when it had them.
	Detail     string
	PatchState *PatchState
}

// ReadJournal reads a run's journal. A torn last line (the process died
// mid-write) is ignored: every complete line before it counts.
func ReadJournal(path string) (RunState, error) {
	// A named pipe at the path would block the read for ever.
	f, err := safefile.OpenRead(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return RunState{}, fmt.Errorf("no journal at %s: check the run ID and --state-dir", path)
		}
		return RunState{}, fmt.Errorf("open journal: %w", err)
	}
	defer f.Close()
	return readJournal(f)
}

func readJournal(r io.Reader) (RunState, error) {
	st := RunState{Nodes: map[string]NodeRecord{}}
	live := map[string]int{}     // type/id → position in order
	targetAt := map[string]int{} // account/region → position in st.Targets
	var order []Resource
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	line := 0
	var pendingErr error
	for sc.Scan() {
		line++
		if pendingErr != nil {
			// A bad line followed by more lines is corruption, not a torn write.
			return RunState{}, pendingErr
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			pendingErr = fmt.Errorf("journal line %d is not valid: %w", line, err)
			continue
		}
		switch e.Kind {
		case EntryRunStarted:
			st.RunID, st.PlanFile, st.Fingerprint, st.Strategy = e.RunID, e.PlanFile, e.Fingerprint, e.Strategy
		case EntryResourceCreated:
			if e.Resource != nil {
				live[e.Resource.Type+"/"+e.Resource.ID] = len(order)
				order = append(order, *e.Resource)
			}
		case EntryResourceDeleted:
			if e.Resource != nil {
				delete(live, e.Resource.Type+"/"+e.Resource.ID)
			}
		case EntryNode:
			st.Nodes[e.InstanceID] = NodeRecord{State: e.State, Reason: e.Reason, Detail: e.Detail, PatchState: e.PatchState}
		case EntryTarget:
			i, ok := targetAt[e.Account+"/"+e.Region]
			if !ok {
				i = len(st.Targets)
				targetAt[e.Account+"/"+e.Region] = i
				st.Targets = append(st.Targets, TargetRecord{Account: e.Account, Region: e.Region})
			}
			t := &st.Targets[i]
			t.State, t.Reason, t.FailureKind = e.State, e.Reason, e.FailureKind
			if e.Journal != "" {
				t.Journal = e.Journal
			}
			if e.ExitCode != nil {
				t.ExitCode = *e.ExitCode
			}
		case EntryRunFinished:
			st.Finished = true
			if e.ExitCode != nil {
				st.ExitCode = *e.ExitCode
			}
		}
	}
	if err := sc.Err(); err != nil {
		return RunState{}, fmt.Errorf("read journal: %w", err)
	}
	idx := make([]int, 0, len(live))
	for _, i := range live {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		st.Live = append(st.Live, order[i])
	}
	return st, nil
}
