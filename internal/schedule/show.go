package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
)

// Status is what exists of one schedule association.
type Status struct {
	Name     string `json:"name"`
	Exists   bool   `json:"exists"`
	ID       string `json:"id,omitempty"`
	Document string `json:"document,omitempty"`
	Schedule string `json:"schedule,omitempty"`
	Targets  string `json:"targets,omitempty"`
	// Overview is the association's status as State Manager summarises it
	// (Success, Failed, Pending), with its detail.
	Overview string `json:"overview,omitempty"`
	// LastRun and LastRunStatus describe the newest execution.
	LastRun       time.Time `json:"last_run,omitzero"`
	LastRunStatus string    `json:"last_run_status,omitempty"`
	LastRunDetail string    `json:"last_run_detail,omitempty"`
}

// Names lists the schedule's associations in the order install makes them.
func Names() []string { return []string{AgentAssociationName, RequestsAssociationName} }

// Show reports each schedule association: whether it exists, its schedule
// and targets, and its last execution as AWS recorded it.
func Show(ctx context.Context, api API) ([]Status, error) {
	var out []Status
	for _, name := range Names() {
		st := Status{Name: name}
		found, err := findByName(ctx, api, name)
		if err != nil {
			return nil, err
		}
		if len(found) > 0 {
			a := found[0]
			st.Exists, st.ID, st.Document = true, aws.ToString(a.AssociationId), aws.ToString(a.Name)
			st.Schedule, st.Targets = aws.ToString(a.ScheduleExpression), TargetsString(a.Targets)
			if ov := a.Overview; ov != nil {
				st.Overview = aws.ToString(ov.Status)
				if d := aws.ToString(ov.DetailedStatus); d != "" && d != st.Overview {
					st.Overview += " (" + d + ")"
				}
			}
			if a.LastExecutionDate != nil {
				st.LastRun = a.LastExecutionDate.UTC()
			}
			// Only the newest execution is wanted, and executions are
			// listed newest first: one page of one, not the paginator.
			ex, err := api.DescribeAssociationExecutions(ctx, &ssm.DescribeAssociationExecutionsInput{AssociationId: a.AssociationId, MaxResults: aws.Int32(1)})
			if err != nil {
				return nil, fmt.Errorf("describe executions of %s: %w", name, err)
			}
			if len(ex.AssociationExecutions) > 0 {
				e := ex.AssociationExecutions[0]
				st.LastRunStatus, st.LastRunDetail = aws.ToString(e.Status), aws.ToString(e.DetailedStatus)
				if e.CreatedTime != nil {
					st.LastRun = e.CreatedTime.UTC()
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// Remove deletes the schedule's associations (every one with a schedule
// name, should a race have made two) and returns what it deleted. An
// association already gone is not an error. The requests document stays:
// apply uses it too, and cleanup removes it.
func Remove(ctx context.Context, api API, opts Options) ([]Status, error) {
	log := opts.logger()
	var removed []Status
	for _, name := range Names() {
		found, err := findByName(ctx, api, name)
		if err != nil {
			return removed, err
		}
		for _, a := range found {
			id := aws.ToString(a.AssociationId)
			_, err := api.DeleteAssociation(ctx, &ssm.DeleteAssociationInput{AssociationId: a.AssociationId})
			if awsclient.IsNotFound(err) {
				continue
			}
			if err != nil {
				return removed, fmt.Errorf("delete association %s: %w", name, err)
			}
			log.Info("schedule association deleted", zap.String("name", name), zap.String("association_id", id))
			removed = append(removed, Status{Name: name, ID: id, Document: aws.ToString(a.Name),
				Schedule: aws.ToString(a.ScheduleExpression), Targets: TargetsString(a.Targets)})
		}
	}
	return removed, nil
}
