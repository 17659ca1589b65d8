package report

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/remedy"
)

// maxJournalLine is the longest journal line read; a real one is well
// under a kilobyte, a resource line with 50 instance IDs a few.
const maxJournalLine = 1 << 20

// ReadRunFile reads the journal at path (a run's <state dir>/runs/ID.jsonl).
// The journal of a run across accounts and regions names each target's own
// journal: their nodes' outcomes are read from there.
func ReadRunFile(path string) (Run, error) {
	run, targets, err := readRunFile(path)
	if err != nil {
		return Run{}, err
	}
	for _, t := range targets {
		sub, _, err := readRunFile(t)
		if err != nil {
			return Run{}, fmt.Errorf("a target of run %s: %w", run.ID, err)
		}
		for id, o := range sub.Nodes {
			run.Nodes[id] = o
		}
		if sub.Ended.After(run.Ended) {
			run.Ended = sub.Ended
		}
	}
	summarizeRun(&run)
	return run, nil
}

func readRunFile(path string) (Run, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return Run{}, nil, fmt.Errorf("open journal: %w", err)
	}
	defer f.Close()
	r, targets, err := readRun(f)
	if err != nil {
		return Run{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, targets, nil
}

// ReadRun reads a run journal (JSON lines of remedy.Entry). As when a run
// is resumed, a torn last line (the process died mid-write) is ignored and
// a bad line followed by more lines is an error.
func ReadRun(r io.Reader) (Run, error) {
	run, _, err := readRun(r)
	if err != nil {
		return Run{}, err
	}
	summarizeRun(&run)
	return run, nil
}

// readRun reads a journal without summarizing it, and returns the
// journals of its targets, if it ran across several.
func readRun(r io.Reader) (Run, []string, error) {
	run := Run{Nodes: map[string]Outcome{}}
	var targets []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxJournalLine)
	line := 0
	var pending error
	for sc.Scan() {
		line++
		if pending != nil {
			return Run{}, nil, pending
		}
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var e remedy.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			pending = fmt.Errorf("journal line %d is not valid: %w", line, err)
			continue
		}
		if run.Started.IsZero() || e.Kind == remedy.EntryRunStarted && e.Time.Before(run.Started) {
			run.Started = e.Time
		}
		if e.Time.After(run.Ended) {
			run.Ended = e.Time
		}
		switch e.Kind {
		case remedy.EntryRunStarted:
			run.ID, run.PlanFile, run.Fingerprint, run.Strategy = e.RunID, e.PlanFile, e.Fingerprint, e.Strategy
			run.Started = e.Time
		case remedy.EntryNode:
			run.Nodes[e.InstanceID] = Outcome{InstanceID: e.InstanceID, State: e.State, Reason: e.Reason, At: e.Time, PatchState: e.PatchState}
		case remedy.EntryRunFinished:
			run.Finished = true
			if e.ExitCode != nil {
				run.ExitCode = *e.ExitCode
			}
		case remedy.EntryTarget:
			if e.Journal != "" && !slices.Contains(targets, e.Journal) {
				targets = append(targets, e.Journal)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Run{}, nil, fmt.Errorf("read journal: %w", err)
	}
	if line == 0 {
		return Run{}, nil, fmt.Errorf("journal is empty")
	}
	return run, targets, nil
}

// summarizeRun computes a run's counts, series and failures from its
// nodes' outcomes.
func summarizeRun(run *Run) {
	outcomes := make([]Outcome, 0, len(run.Nodes))
	for id, o := range run.Nodes {
		o.RunID = run.ID
		run.Nodes[id] = o
		outcomes = append(outcomes, o)
	}
	slices.SortFunc(outcomes, func(a, b Outcome) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.InstanceID, b.InstanceID))
	})
	states := map[string]int{}
	reasons := map[string]int{}
	verified, other := 0, 0
	for _, o := range outcomes {
		states[o.State]++
		if o.PatchState != nil {
			run.Scanned = append(run.Scanned, o)
		}
		after := o.At.Sub(run.Started)
		if converge.State(o.State) == converge.StateVerified {
			verified++
			run.Verified = append(run.Verified, Point{After: after, N: verified})
			continue
		}
		other++
		run.NotVerified = append(run.NotVerified, Point{After: after, N: other})
		run.Failures = append(run.Failures, o)
		reason := o.Reason
		if reason == "" {
			reason = "(no reason recorded)"
		}
		reasons[reason]++
	}
	run.States = rank(states)
	run.FailureReasons = rank(reasons)
	slices.SortFunc(run.Failures, func(a, b Outcome) int { return strings.Compare(a.InstanceID, b.InstanceID) })
	slices.SortFunc(run.Scanned, func(a, b Outcome) int { return strings.Compare(a.InstanceID, b.InstanceID) })
}
