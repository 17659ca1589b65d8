package probe

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/fleet"
)

// pluginOutputLimit is where ListCommandInvocations cuts a plugin's Output.
// A report cut there is read again in full with GetCommandInvocation.
const pluginOutputLimit = 2500

// maxPages bounds one listing of a command's invocations. A command has at
// most 50 invocations, one page; more pages than this is a service loop.
const maxPages = 100

// collect polls the command's invocations until every node in ids has
// finished or the batch's timeout passes. It reads with
// ListCommandInvocations (Details on): one call answers for up to 50 nodes,
// where GetCommandInvocation would take one call per node.
//
// Right after SendCommand the invocations may not be visible yet (SSM is
// eventually consistent): an empty listing, a missing node, or
// InvalidCommandId / InvocationDoesNotExist just mean "poll again".
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
		invs, err := r.list(ctx, cmdID)
		if err != nil {
			return nil, err
		}
		for i := range invs {
			inv := &invs[i]
			id := aws.ToString(inv.InstanceId)
			if _, ok := pending[id]; !ok {
				continue
			}
			if !awsclient.InvocationFinished(inv.Status) {
				pending[id] = string(inv.Status)
				continue
			}
			f, err := r.factsFrom(ctx, cmdID, inv)
			if err != nil {
				return nil, err
			}
			facts[id] = f
			delete(pending, id)
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

// list reads every invocation of the command, to exhaustion.
func (r *runner) list(ctx context.Context, cmdID string) ([]types.CommandInvocation, error) {
	p := ssm.NewListCommandInvocationsPaginator(r.api, &ssm.ListCommandInvocationsInput{
		CommandId:  aws.String(cmdID),
		Details:    true,
		MaxResults: aws.Int32(BatchSize),
	})
	var all []types.CommandInvocation
	for pages := 0; p.HasMorePages(); pages++ {
		if pages == maxPages {
			return nil, fmt.Errorf("list probe invocations %s: more than %d pages; giving up", cmdID, maxPages)
		}
		out, err := p.NextPage(ctx)
		if awsclient.IsInvocationNotYetVisible(err) || awsclient.Code(err) == "InvalidCommandId" {
			// cmdID came from our own SendCommand: "invalid" only means
			// "not visible yet".
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list probe invocations %s: %w", cmdID, err)
		}
		all = append(all, out.CommandInvocations...)
	}
	return all, nil
}

// factsFrom turns one finished invocation into facts.
func (r *runner) factsFrom(ctx context.Context, cmdID string, inv *types.CommandInvocation) (fleet.ProbeFacts, error) {
	if inv.Status != types.CommandInvocationStatusSuccess {
		return failed(failureReason(inv)), nil
	}
	output := ""
	for _, p := range inv.CommandPlugins {
		if aws.ToString(p.Name) == documents.ProbeStepName {
			output = aws.ToString(p.Output)
		}
	}
	rep, err := Parse(output)
	if err != nil && len(output) >= pluginOutputLimit {
		full, gerr := r.api.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{
			CommandId:  aws.String(cmdID),
			InstanceId: inv.InstanceId,
			PluginName: aws.String(documents.ProbeStepName),
		})
		if gerr != nil {
			return fleet.ProbeFacts{}, fmt.Errorf("get probe output %s on %s: %w", cmdID, aws.ToString(inv.InstanceId), gerr)
		}
		rep, err = Parse(aws.ToString(full.StandardOutputContent))
	}
	if err != nil {
		return failed("probe output unreadable: " + err.Error()), nil
	}
	return factsOf(rep), nil
}

// factsOf copies a checked report into facts.
func factsOf(rep documents.ProbeReport) fleet.ProbeFacts {
	return fleet.ProbeFacts{
		Status:          fleet.ProbeOK,
		Proxied:         rep.Proxied,
		ProxySource:     rep.ProxySource,
		ProxyScheme:     rep.ProxyScheme,
		NoProxyHasIMDS:  rep.NoProxyHasIMDS,
		Python:          rep.Python,
		Pip:             rep.Pip,
		RequestsVersion: rep.RequestsVersion,
	}
}

// failureReason says in plain words why a finished invocation did not
// succeed, keeping SSM's own status detail in brackets for searching.
func failureReason(inv *types.CommandInvocation) string {
	details := aws.ToString(inv.StatusDetails)
	switch details {
	case "DeliveryTimedOut", "Undeliverable":
		return fmt.Sprintf("probe not delivered (%s): node unreachable", details)
	case "ExecutionTimedOut":
		return "probe ran out of time on the node (ExecutionTimedOut)"
	case "InvalidPlatform":
		return "probe cannot run on this platform (InvalidPlatform)"
	case "AccessDenied":
		return "probe refused on the node (AccessDenied)"
	case "Terminated":
		return "node terminated during the probe (Terminated)"
	}
	if details == "" {
		details = string(inv.Status)
	}
	switch inv.Status {
	case types.CommandInvocationStatusCancelled:
		return fmt.Sprintf("probe cancelled (%s)", details)
	case types.CommandInvocationStatusTimedOut:
		return fmt.Sprintf("probe timed out (%s)", details)
	}
	for _, p := range inv.CommandPlugins {
		if aws.ToString(p.Name) == documents.ProbeStepName && p.ResponseCode != 0 {
			return fmt.Sprintf("probe failed on the node (%s, exit code %d)", details, p.ResponseCode)
		}
	}
	return fmt.Sprintf("probe failed on the node (%s)", details)
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
