package fleet

import (
	"fmt"
	"strings"
	"time"
)

// PatchState is a node's patch compliance as Patch Manager records it after
// a scan (DescribeInstancePatchStates): what the next step, patching, would
// face. It lives here, beside the other facts about a node, so that plans,
// run outcomes and reports can all carry it.
type PatchState struct {
	Missing                int       `json:"missing"`
	Failed                 int       `json:"failed"`
	Installed              int       `json:"installed"`
	InstalledPendingReboot int       `json:"installed_pending_reboot"`
	Operation              string    `json:"operation"`
	OperationEnd           time.Time `json:"operation_end,omitzero"`
}

// Summary says what patching the node would face, e.g. "ready; 7 patches
// missing".
func (p PatchState) Summary() string {
	var parts []string
	if p.Missing > 0 {
		parts = append(parts, patchCount(p.Missing)+" missing")
	}
	if p.Failed > 0 {
		parts = append(parts, patchCount(p.Failed)+" failed to install earlier")
	}
	if p.InstalledPendingReboot > 0 {
		parts = append(parts, patchCount(p.InstalledPendingReboot)+" waiting for a reboot")
	}
	if len(parts) == 0 {
		return "ready; nothing missing"
	}
	return "ready; " + strings.Join(parts, ", ")
}

func patchCount(n int) string {
	if n == 1 {
		return "1 patch"
	}
	return fmt.Sprintf("%d patches", n)
}
