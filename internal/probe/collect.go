package probe

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/runcmd"
)

// collect polls the command's invocations until every node in ids has
// finished or the batch's timeout passes.
func (r *runner) collect(ctx context.Context, cmdID string, ids []string) (map[string]fleet.ProbeFacts, error) {
	clk := r.opts.Clock
	deadline := clk.Now().Add(r.opts.Timeout)
	pending := make(map[string]string, len(ids)) // instance ID → last status seen
	for _, id := range ids {
		pending[id] = ""
	}
	facts := make(map[string]fleet.ProbeFacts, len(ids))
	interval := r.opts.PollInterval
	for {
		// Wait first: a command has not finished the instant it is sent.
		if err := clk.Sleep(ctx, jitter(interval)); err != nil {
			return nil, fmt.Errorf("probe command %s: %w", cmdID, err)
		}
		want := make(map[string]bool, len(pending))
		for id := range pending {
			want[id] = true
		}
		results, err := runcmd.Results(ctx, r.api, cmdID, documents.ProbeStepName, want)
		if err != nil {
			return nil, fmt.Errorf("probe: %w", err)
		}
		for _, res := range results {
			if _, ok := pending[res.InstanceID]; !ok {
				continue
			}
			if !res.Finished {
				pending[res.InstanceID] = string(res.Status)
				continue
			}
			facts[res.InstanceID] = FactsFrom(res)
			delete(pending, res.InstanceID)
		}
		if len(pending) == 0 {
			break
		}
		if !clk.Now().Before(deadline) {
			for id, last := range pending {
				facts[id] = failed(timeoutReason(r.opts.Timeout, last))
			}
			break
		}
		interval = min(interval*3/2, r.opts.MaxPollInterval)
	}
	ok := 0
	for id, f := range facts {
		if f.Status == fleet.ProbeOK {
			ok++
		} else {
			r.log.Debug("probe failed on node", zap.String("command_id", cmdID), zap.String("instance_id", id), zap.String("reason", f.Reason))
		}
	}
	r.log.Info("probe batch finished", zap.String("command_id", cmdID), zap.Int("ok", ok), zap.Int("failed", len(facts)-ok))
	return facts, nil
}

// FactsFrom turns one finished invocation of the probe into facts. The probe
// always exits 0 once it has printed its report, so anything but Success
// is a failure whatever the output holds.
func FactsFrom(res runcmd.Result) fleet.ProbeFacts {
	if res.Status != types.CommandInvocationStatusSuccess {
		if res.StepFound && res.ResponseCode == 126 {
			return failed(fleet.ReasonWorkdirNoexec)
		}
		return failed(runcmd.FailureReason("probe", res))
	}
	if !res.StepFound {
		return failed("probe output unreadable: no output from step " + documents.ProbeStepName)
	}
	rep, err := Parse(res.Output)
	if err != nil {
		return failed("probe output unreadable: " + err.Error())
	}
	return fleet.ProbeFacts{Status: fleet.ProbeOK, ProbeReport: rep}
}

func timeoutReason(timeout time.Duration, last string) string {
	if last == "" {
		return fmt.Sprintf("probe did not finish within %s (its invocation never became visible)", timeout)
	}
	return fmt.Sprintf("probe did not finish within %s (last status %s)", timeout, last)
}

// jitter spreads d by ±20%, so that batches sent together do not poll in
// lockstep and meet the rate limit together.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
