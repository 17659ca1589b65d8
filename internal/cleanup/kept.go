package cleanup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/remedy"
)

// LeftOnPurpose lists, from the run journals under stateDir (only runID's
// when given), what the fixes for unmanaged instances changed and cleanup
// leaves in place on purpose: a role and its policies, the Default Host
// Management setting, profile associations. Removing them would take
// instances out of SSM again, which is the owner's call, not cleanup's.
// It reads local files only; a state directory without journals lists
// nothing.
func LeftOnPurpose(stateDir, runID string) ([]Kept, error) {
	paths, err := filepath.Glob(filepath.Join(stateDir, "runs", "*.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("list run journals: %w", err)
	}
	if runID != "" {
		paths = []string{remedy.JournalPath(stateDir, runID)}
	}
	slices.Sort(paths)
	var out []Kept
	for _, p := range paths {
		st, err := remedy.ReadJournal(p)
		if errors.Is(err, os.ErrNotExist) || (err != nil && runID != "" && strings.Contains(err.Error(), "no journal at")) {
			continue
		}
		if err != nil {
			return nil, err
		}
		id := st.RunID
		if id == "" {
			id = strings.TrimSuffix(filepath.Base(p), ".jsonl")
		}
		for _, r := range st.Live {
			why := remedy.LeftOnPurpose(r.Type)
			if why == "" {
				continue
			}
			k := Kept{Resource: Resource{Type: r.Type, ID: r.ID, Name: r.Name, RunID: id, Purpose: r.Action}, Why: why}
			if len(r.InstanceIDs) == 1 {
				k.Name += " on " + r.InstanceIDs[0]
			}
			out = append(out, k)
		}
	}
	return out, nil
}
