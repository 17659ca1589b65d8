package remedy

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
)

// Failures asks State Manager which pending nodes failed. One listing of
// the AWS-UpdateSSMAgent associations (ceil(n/50) calls, however many
// associations the run owns) gives each association's overview: its latest
// execution's targets counted by status. Only an association that still
// has pending nodes and whose count of settled-but-unsuccessful targets
// changed since it was last read is drilled into, with two calls: its
// newest execution, then that execution's targets (≤ 50, one page). The
// drill-down reads targets unfiltered because two statuses are final
// without an update: Failed, and Skipped, which SSM gives the nodes it
// never started once the association's MaxErrors was passed. A one-shot
// association does not run again, so a skipped node would otherwise wait
// for the timeout.
func (a *Associations) Failures(ctx context.Context, pending map[string]bool) (map[string]string, error) {
	a.mu.Lock()
	owned := append([]association(nil), a.owned...)
	a.mu.Unlock()
	var live []association
	for _, as := range owned {
		if anyPending(as.ids, pending) {
			live = append(live, as)
		}
	}
	if len(live) == 0 {
		return map[string]string{}, nil
	}
	unsettled, err := a.unsuccessfulCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	// What was drilled is remembered only once every call succeeded: on an
	// error the caller drops out, and the failures found so far would be
	// lost with it.
	drilled := map[string]int{}
	a.mu.Lock()
	seen := maps.Clone(a.drilled)
	a.mu.Unlock()
	for _, as := range live {
		n, listed := unsettled[as.id]
		last, read := seen[as.id]
		// An association missing from the listing (its overview unknown)
		// is drilled into every time, as before overviews were read.
		if listed && (n == 0 || (read && n == last)) {
			continue
		}
		read, err := a.drill(ctx, as, pending, out)
		if err != nil {
			return nil, err
		}
		if read {
			drilled[as.id] = n
		}
	}
	a.mu.Lock()
	if a.drilled == nil {
		a.drilled = map[string]int{}
	}
	maps.Copy(a.drilled, drilled)
	a.mu.Unlock()
	return out, nil
}

// unsuccessfulCounts lists the AWS-UpdateSSMAgent associations and returns,
// by association ID, how many targets of each one's latest execution ended
// neither in success nor still running (Failed, Skipped, TimedOut, …).
// An association that has not run yet counts 0.
func (a *Associations) unsuccessfulCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	p := ssm.NewListAssociationsPaginator(a.api, &ssm.ListAssociationsInput{
		MaxResults:            aws.Int32(50),
		AssociationFilterList: []types.AssociationFilter{{Key: types.AssociationFilterKeyName, Value: aws.String(documents.UpdateAgentDocumentName)}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list agent update associations: %w", err)
		}
		for _, as := range page.Associations {
			n := 0
			if as.Overview != nil {
				for status, c := range as.Overview.AssociationStatusAggregatedCount {
					switch status {
					case "Success", "Pending", "InProgress":
					default:
						n += int(c)
					}
				}
			}
			out[aws.ToString(as.AssociationId)] = n
		}
	}
	return out, nil
}

// drill reads one association's newest execution and its targets, and
// adds the pending nodes that failed or were skipped to out. It reports
// false when no execution was listed: the association has not run yet, or
// SSM answered with an empty page (AWS's list calls sometimes do, with a
// token onward); either way it must be read again next time.
func (a *Associations) drill(ctx context.Context, as association, pending map[string]bool, out map[string]string) (bool, error) {
	execs, err := a.api.DescribeAssociationExecutions(ctx, &ssm.DescribeAssociationExecutionsInput{
		AssociationId: aws.String(as.id),
		MaxResults:    aws.Int32(1),
	})
	if err != nil {
		return false, fmt.Errorf("describe executions of association %s: %w", as.id, err)
	}
	if len(execs.AssociationExecutions) == 0 {
		return false, nil
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
			return false, fmt.Errorf("describe targets of association %s: %w", as.id, err)
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
	return true, nil
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
