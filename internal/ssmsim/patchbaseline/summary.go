package patchbaseline

import (
	"errors"
	"strings"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// SummaryPrefix starts the line a successful simulated scan prints with
// the patch counts it found (host.PatchCounts.String after it).
const SummaryPrefix = "Patch compliance summary: "

// ErrNoSummary means a scan's output holds no summary line.
var ErrNoSummary = errors.New("no patch compliance summary in the scan's output")

// ParseSummary reads the counts from the last summary line of a scan's
// standard output.
func ParseSummary(stdout string) (host.PatchCounts, error) {
	lines := strings.Split(stdout, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if _, rest, ok := strings.Cut(lines[i], SummaryPrefix); ok {
			return host.ParsePatchCounts(rest)
		}
	}
	return host.PatchCounts{}, ErrNoSummary
}
