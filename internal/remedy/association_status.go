package remedy

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
)

// Failures asks State Manager which pending nodes failed. Only associations
// that still have pending nodes are read, each with two calls: its newest
// execution, then that execution's targets (≤ 50, one page). Targets are
// read unfiltered because two statuses are final without an update: Failed,
// and Skipped, which SSM gives the nodes it never started once the
// association's MaxErrors was passed. A one-shot association does not run
// again, so a skipped node would otherwise wait for the timeout.
func (a *Associations) Failures(ctx context.Context, pending map[string]bool) (map[string]string, error) {
	a.mu.Lock()
	owned := append([]association(nil), a.owned...)
	a.mu.Unlock()
	out := map[string]string{}
	for _, as := range owned {
		if !anyPending(as.ids, pending) {
			continue
		}
		execs, err := a.api.DescribeAssociationExecutions(ctx, &ssm.DescribeAssociationExecutionsInput{
			AssociationId: aws.String(as.id),
			MaxResults:    aws.Int32(1),
		})
		if err != nil {
			return nil, fmt.Errorf("describe executions of association %s: %w", as.id, err)
		}
		if len(execs.AssociationExecutions) == 0 {
			continue // not run yet
		}
		exec := execs.AssociationExecutions[0]
		p := ssm.NewDescribeAssociationExecutionTargetsPaginator(a.api, &ssm.DescribeAssociationExecutionTargetsInput{
			AssociationId: aws.String(as.id),
			ExecutionId:   exec.ExecutionId,
			MaxResults:    aws.Int32(50),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describe targets of association %s: %w", as.id, err)
			}
			for _, t := range page.AssociationExecutionTargets {
				id := aws.ToString(t.ResourceId)
				if !pending[id] {
					continue
				}
				switch status := aws.ToString(t.Status); status {
				case "Failed":
					out[id] = agentFailure(status, aws.ToString(t.DetailedStatus))
				case "Skipped":
					out[id] = "agent update not started: SSM skipped the node after the association passed --max-errors"
				}
			}
		}
	}
	return out, nil
}

func anyPending(ids []string, pending map[string]bool) bool {
	for _, id := range ids {
		if pending[id] {
			return true
		}
	}
	return false
}

// Finish deletes the one-shot associations this run created or reused,
// unless Keep. An association already gone is not an error.
func (a *Associations) Finish(ctx context.Context) error {
	if a.opts.Keep {
		return nil
	}
	a.mu.Lock()
	owned := append([]association(nil), a.owned...)
	a.mu.Unlock()
	for _, as := range owned {
		if !as.created {
			continue
		}
		_, err := a.api.DeleteAssociation(ctx, &ssm.DeleteAssociationInput{AssociationId: aws.String(as.id)})
		if err != nil && !awsclient.IsNotFound(err) {
			return fmt.Errorf("delete association %s: %w", as.id, err)
		}
		a.opts.Logger.Info("deleted association", zap.String("association_id", as.id))
		if err := a.opts.Journal.Deleted(Resource{Type: ResourceAssociation, ID: as.id, Name: as.name}); err != nil {
			return err
		}
	}
	return nil
}

// agentFailure words SSM's status for a failed agent update. A command that
// never reached the node says so, since the cure (the node's connectivity,
// not its updater) differs.
func agentFailure(status, detail string) string {
	switch detail {
	case "Undeliverable", "DeliveryTimedOut", "Terminated":
		return "agent update not delivered (" + detail + "): the command never ran on the node"
	}
	words := map[string]string{"Failed": "failed", "TimedOut": "timed out", "Cancelled": "cancelled"}[status]
	if words == "" {
		words = "ended " + status
	}
	if detail == "" || detail == status {
		return "agent update " + words + " (" + status + ")"
	}
	return "agent update " + words + " (" + detail + ")"
}
