package remedy

import (
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/runcmd"
)

// ScanFailure is why a patch scan failed, as data: what plan --scan
// records per node and decides a verdict from. StageResult.Reason says the
// same in one sentence.
type ScanFailure struct {
	// ExitCode is the patch run's exit code (negative when the step never
	// ran: not delivered, timed out).
	ExitCode int32
	// Cause names the failure when one of scanCauses recognises it; ""
	// when patchready does not.
	Cause string
	// Check is the preflight check the cause points at, or "".
	Check prereq.CheckID
	// Advice says what to do: the cause's own, or its check's.
	Advice string
}

// scanFailureOf names a failed scan's cause as scanFailure does in words:
// the same causes, matched in the same order.
func scanFailureOf(r runcmd.Result) ScanFailure {
	f := ScanFailure{ExitCode: r.ResponseCode}
	if !r.StepFound {
		return f
	}
	for _, c := range scanCauses {
		if c.matches(r.ResponseCode, r.Output) {
			f.Cause, f.Advice = c.words, c.advice
			if ch, ok := prereq.Lookup(c.check); ok {
				f.Check = c.check
				if f.Advice == "" {
					f.Advice = ch.Advice
				}
			}
			return f
		}
	}
	return f
}
