package remedy

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/internal/awsclient"
)

// Status follows the windows' executions through their tasks to the Run
// Command invocations, and returns how the pending nodes' invocations
// ended. Commands whose invocations have all settled are not read again:
// each outcome is reported once.
func (w *Window) Status(ctx context.Context, pending map[string]bool) (AgentStatus, error) {
	out := newAgentStatus()
	for _, mw := range w.windows {
		execs := ssm.NewDescribeMaintenanceWindowExecutionsPaginator(w.api, &ssm.DescribeMaintenanceWindowExecutionsInput{WindowId: aws.String(mw.id), MaxResults: aws.Int32(100)})
		for execs.HasMorePages() {
			page, err := execs.NextPage(ctx)
			if err != nil {
				return AgentStatus{}, fmt.Errorf("describe executions of window %s: %w", mw.id, err)
			}
			for _, ex := range page.WindowExecutions {
				if err := w.executionStatus(ctx, aws.ToString(ex.WindowExecutionId), pending, out); err != nil {
					return AgentStatus{}, err
				}
			}
		}
	}
	return out, nil
}

func (w *Window) executionStatus(ctx context.Context, execID string, pending map[string]bool, out AgentStatus) error {
	tasks := ssm.NewDescribeMaintenanceWindowExecutionTasksPaginator(w.api, &ssm.DescribeMaintenanceWindowExecutionTasksInput{WindowExecutionId: aws.String(execID), MaxResults: aws.Int32(100)})
	for tasks.HasMorePages() {
		page, err := tasks.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe tasks of window execution %s: %w", execID, err)
		}
		for _, t := range page.WindowExecutionTaskIdentities {
			invs := ssm.NewDescribeMaintenanceWindowExecutionTaskInvocationsPaginator(w.api, &ssm.DescribeMaintenanceWindowExecutionTaskInvocationsInput{
				WindowExecutionId: aws.String(execID), TaskId: t.TaskExecutionId, MaxResults: aws.Int32(100),
			})
			for invs.HasMorePages() {
				ipage, err := invs.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("describe task invocations of window execution %s: %w", execID, err)
				}
				for _, inv := range ipage.WindowExecutionTaskInvocationIdentities {
					if invocationStatus(inv, pending, out) {
						continue
					}
					cmdID := aws.ToString(inv.ExecutionId)
					if cmdID == "" || w.settledCommands[cmdID] {
						continue
					}
					if err := w.commandStatus(ctx, cmdID, pending, out); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func (w *Window) commandStatus(ctx context.Context, cmdID string, pending map[string]bool, out AgentStatus) error {
	p := ssm.NewListCommandInvocationsPaginator(w.api, &ssm.ListCommandInvocationsInput{CommandId: aws.String(cmdID), MaxResults: aws.Int32(50)})
	allSettled, seen := true, 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list invocations of command %s: %w", cmdID, err)
		}
		for _, inv := range page.CommandInvocations {
			seen++
			id := aws.ToString(inv.InstanceId)
			switch {
			case !awsclient.InvocationFinished(inv.Status):
				allSettled = false
			case !pending[id]:
			case inv.Status == types.CommandInvocationStatusSuccess:
				out.Succeeded[id] = true
			default:
				out.Failed[id] = agentFailure(string(inv.Status), aws.ToString(inv.StatusDetails))
			}
		}
	}
	// An empty listing may only mean the invocations are not visible yet.
	w.settledCommands[cmdID] = allSettled && seen > 0
	return nil
}

// invocationStatus reads a Run Command task invocation of one node from the
// invocation itself: its Parameters name the node ({"instanceIds":[ID],
// ...}) and its Status says how the command ended there, so no
// ListCommandInvocations call is needed (one per node, at fleet size). It
// reports false when the invocation does not name exactly one node, for
// the caller to read the command's invocations instead.
func invocationStatus(inv types.MaintenanceWindowExecutionTaskInvocationIdentity, pending map[string]bool, out AgentStatus) bool {
	var params struct {
		InstanceIDs []string `json:"instanceIds"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(inv.Parameters)), &params); err != nil || len(params.InstanceIDs) != 1 {
		return false
	}
	id := params.InstanceIDs[0]
	if !pending[id] {
		return true
	}
	detail := aws.ToString(inv.StatusDetails)
	switch inv.Status {
	case types.MaintenanceWindowExecutionStatusSuccess:
		out.Succeeded[id] = true
	case types.MaintenanceWindowExecutionStatusFailed:
		out.Failed[id] = agentFailure("Failed", detail)
	case types.MaintenanceWindowExecutionStatusTimedOut:
		out.Failed[id] = agentFailure("TimedOut", detail)
	case types.MaintenanceWindowExecutionStatusCancelled:
		out.Failed[id] = agentFailure("Cancelled", detail)
	}
	return true
}
