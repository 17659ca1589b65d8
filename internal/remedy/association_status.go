package remedy

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
)

// Status asks State Manager how the pending nodes' updates ended. One
// listing of the AWS-UpdateSSMAgent associations (ceil(n/50) calls,
// however many associations the run owns) gives each association's
// overview: its latest execution's targets counted by status. Only an
// association that still has pending nodes and whose overview holds news
// for them is drilled into (see overviewCounts.news), with two calls:
// its newest execution, then that execution's targets (≤ 50, one page).
// The drill-down reads targets unfiltered because two statuses are final
// without an update: Failed, and Skipped, which SSM gives the nodes it
// never started once the association's MaxErrors was passed. A one-shot
// association does not run again, so a skipped node would otherwise wait
// for the timeout. Success is reported too, for converge to tell an
// update that was skipped (the version read back stays below the floor)
// from one that is still restarting the agent.
func (a *Associations) Status(ctx context.Context, pending map[string]bool) (AgentStatus, error) {
	a.mu.Lock()
	owned := append([]association(nil), a.owned...)
	a.mu.Unlock()
	var live []association
	for _, as := range owned {
		if anyPending(as.ids, pending) {
			live = append(live, as)
		}
	}
	out := newAgentStatus()
	if len(live) == 0 {
		return out, nil
	}
	overviews, err := a.overviews(ctx)
	if err != nil {
		return AgentStatus{}, err
	}
	// What was drilled is remembered only once every call succeeded: on an
	// error the caller drops out, and the failures found so far would be
	// lost with it.
	drilled, unexplained := map[string]overviewCounts{}, map[string]overviewCounts{}
	a.mu.Lock()
	seen, waited := maps.Clone(a.drilled), a.unexplained
	a.mu.Unlock()
	for _, as := range live {
		c, listed := overviews[as.id]
		last, read := seen[as.id]
		failures, successes := c.news(last, read, settledCount(as.ids, pending))
		// Unexplained successes are mostly nodes restarting their agent
		// after the update, soon read back: they are drilled into only
		// when the same counts stay unexplained from one call to the
		// next, as a skipped update does.
		if successes && waited[as.id] != c {
			unexplained[as.id] = c
			successes = false
		}
		// An association missing from the listing (its overview unknown)
		// is drilled into every time, as before overviews were read.
		if listed && !failures && !successes {
			continue
		}
		read, err := a.drill(ctx, as, pending, out)
		if err != nil {
			return AgentStatus{}, err
		}
		if read {
			drilled[as.id] = c
		}
	}
	a.mu.Lock()
	if a.drilled == nil {
		a.drilled = map[string]overviewCounts{}
	}
	maps.Copy(a.drilled, drilled)
	a.unexplained = unexplained
	a.mu.Unlock()
	return out, nil
}

// overviewCounts are an association's latest execution's targets by how
// they ended.
type overviewCounts struct {
	unsuccessful int // Failed, Skipped, TimedOut, …
	success      int
}

// news reports what the overview may hold for the association's pending
// nodes, given the counts when it was last drilled into (if read) and how
// many of its nodes are no longer pending: new unsuccessful targets, or
// new successes beyond what the settled nodes account for (converge
// settles SSM's unsuccessful nodes too, so both counts are set against
// them). A pending node that succeeded is restarting its agent, or had its
// update skipped.
func (c overviewCounts) news(last overviewCounts, read bool, settled int) (failures, successes bool) {
	if read && c == last {
		return false, false
	}
	failures = c.unsuccessful > 0 && (!read || c.unsuccessful != last.unsuccessful)
	successes = c.success+c.unsuccessful > settled && (!read || c.success != last.success)
	return failures, successes
}

func settledCount(ids []string, pending map[string]bool) int {
	n := 0
	for _, id := range ids {
		if !pending[id] {
			n++
		}
	}
	return n
}

// overviews lists the AWS-UpdateSSMAgent associations and returns their
// overview counts by association ID. An association that has not run yet
// counts 0 of each.
func (a *Associations) overviews(ctx context.Context) (map[string]overviewCounts, error) {
	out := map[string]overviewCounts{}
	err := a.eachUpdateAssociation(ctx, func(as types.Association) bool {
		var c overviewCounts
		if as.Overview != nil {
			for status, n := range as.Overview.AssociationStatusAggregatedCount {
				switch status {
				case "Pending", "InProgress":
				case "Success":
					c.success += int(n)
				default:
					c.unsuccessful += int(n)
				}
			}
		}
		out[aws.ToString(as.AssociationId)] = c
		return true
	})
	return out, err
}

// drill reads one association's newest execution and its targets, and
// adds the pending nodes that failed, were skipped or succeeded to out. It reports
// false when no execution was listed: the association has not run yet, or
// SSM answered with an empty page (AWS's list calls sometimes do, with a
// token onward); either way it must be read again next time.
func (a *Associations) drill(ctx context.Context, as association, pending map[string]bool, out AgentStatus) (bool, error) {
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
			case "Success":
				out.Succeeded[id] = true
			case "Failed":
				out.Failed[id] = agentFailure(status, aws.ToString(t.DetailedStatus))
			case "Skipped":
				out.Failed[id] = "agent update not started: SSM skipped the node after the association passed --max-errors"
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
