package runcmd

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/internal/awsclient"
)

// listedOutputLimit is where ListCommandInvocations cuts a plugin's Output.
// An output that long is read again in full with GetCommandInvocation.
const listedOutputLimit = 2500

// maxPages bounds one listing of a command's invocations. A command has at
// most 50 invocations, one page; more pages than this is a service loop.
const maxPages = 100

// Result is how one node's invocation of a command stands.
type Result struct {
	InstanceID string
	Status     types.CommandInvocationStatus
	// Details is SSM's StatusDetails (DeliveryTimedOut, Undeliverable...).
	Details string
	// Finished says the invocation will not change any more.
	Finished bool
	// StepFound says the invocation had a step of the name asked for.
	StepFound    bool
	ResponseCode int32
	// Output is the named step's whole output (stdout, then SSM's stderr
	// section), read in full, both streams, when the listing cut it.
	Output string
}

// Results reads every invocation of command id (one ListCommandInvocations
// call for up to 50 nodes, where GetCommandInvocation would take one per
// node) and returns those of the nodes in only (all when only is nil) with
// the output of step. Leaving out nodes already settled saves reading their
// cut outputs again in full every poll. Right after SendCommand
// the invocations may not be visible yet (SSM is eventually consistent): an
// empty listing, or InvalidCommandId / InvocationDoesNotExist, just means
// no results yet, and Results returns none without an error.
func Results(ctx context.Context, api API, id, step string, only map[string]bool) ([]Result, error) {
	p := ssm.NewListCommandInvocationsPaginator(api, &ssm.ListCommandInvocationsInput{
		CommandId:  aws.String(id),
		Details:    true,
		MaxResults: aws.Int32(MaxTargets),
	})
	var out []Result
	for pages := 0; p.HasMorePages(); pages++ {
		if pages == maxPages {
			return nil, fmt.Errorf("list invocations of %s: more than %d pages; giving up", id, maxPages)
		}
		page, err := p.NextPage(ctx)
		if awsclient.IsInvocationNotYetVisible(err) || awsclient.Code(err) == "InvalidCommandId" {
			// id came from our own SendCommand: "invalid" only means "not
			// visible yet".
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list invocations of %s: %w", id, err)
		}
		for i := range page.CommandInvocations {
			if only != nil && !only[aws.ToString(page.CommandInvocations[i].InstanceId)] {
				continue
			}
			r, err := resultOf(ctx, api, id, step, &page.CommandInvocations[i])
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func resultOf(ctx context.Context, api API, id, step string, inv *types.CommandInvocation) (Result, error) {
	r := Result{
		InstanceID: aws.ToString(inv.InstanceId),
		Status:     inv.Status,
		Details:    aws.ToString(inv.StatusDetails),
		Finished:   awsclient.InvocationFinished(inv.Status),
	}
	if !r.Finished {
		return r, nil
	}
	for _, pl := range inv.CommandPlugins {
		if aws.ToString(pl.Name) == step {
			r.StepFound, r.ResponseCode, r.Output = true, pl.ResponseCode, aws.ToString(pl.Output)
		}
	}
	if r.StepFound && len(r.Output) >= listedOutputLimit {
		full, err := api.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{
			CommandId: aws.String(id), InstanceId: inv.InstanceId, PluginName: aws.String(step),
		})
		if err != nil {
			return Result{}, fmt.Errorf("get output of %s on %s: %w", id, r.InstanceID, err)
		}
		r.Output = joinOutput(aws.ToString(full.StandardOutputContent), aws.ToString(full.StandardErrorContent))
	}
	return r, nil
}

// errorTitle is the line the agent puts between a step's standard output
// and its standard error in the step's Output.
const errorTitle = "\n----------ERROR-------\n"

// joinOutput puts a step's two streams together as its listed Output does:
// standard error, where the patch run writes why it stopped ("Unable to
// download payload"), must not be lost when the listing cut the Output
// and it is read again in full.
func joinOutput(stdout, stderr string) string {
	if stderr == "" {
		return stdout
	}
	return stdout + errorTitle + stderr
}

// FailureReason says in plain words why a finished invocation of what (e.g.
// "probe", "agent update") did not succeed, keeping SSM's own status detail
// in brackets for searching.
func FailureReason(what string, r Result) string {
	switch r.Details {
	case "DeliveryTimedOut", "Undeliverable":
		return fmt.Sprintf("%s not delivered (%s): node unreachable", what, r.Details)
	case "ExecutionTimedOut":
		return fmt.Sprintf("%s ran out of time on the node (ExecutionTimedOut)", what)
	case "InvalidPlatform":
		return fmt.Sprintf("%s cannot run on this platform (InvalidPlatform)", what)
	case "AccessDenied":
		return fmt.Sprintf("%s refused on the node (AccessDenied)", what)
	case "Terminated":
		return fmt.Sprintf("node terminated during the %s (Terminated)", what)
	}
	details := r.Details
	if details == "" {
		details = string(r.Status)
	}
	switch r.Status {
	case types.CommandInvocationStatusCancelled:
		return fmt.Sprintf("%s cancelled (%s)", what, details)
	case types.CommandInvocationStatusTimedOut:
		return fmt.Sprintf("%s timed out (%s)", what, details)
	}
	if r.StepFound && r.ResponseCode != 0 {
		return fmt.Sprintf("%s failed on the node (%s, exit code %d)", what, details, r.ResponseCode)
	}
	return fmt.Sprintf("%s failed on the node (%s)", what, details)
}
