package ssmsim

import (
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("DescribeMaintenanceWindowExecutions", describeWindowExecutions)
	register("GetMaintenanceWindowExecution", getWindowExecution)
	register("DescribeMaintenanceWindowExecutionTasks", describeWindowExecutionTasks)
	register("DescribeMaintenanceWindowExecutionTaskInvocations", describeWindowTaskInvocations)
}

type windowExecutionOut struct {
	WindowId          string   `json:"WindowId"`
	WindowExecutionId string   `json:"WindowExecutionId"`
	Status            string   `json:"Status"`
	StatusDetails     string   `json:"StatusDetails,omitempty"`
	StartTime         *float64 `json:"StartTime,omitempty"`
	EndTime           *float64 `json:"EndTime,omitempty"`
}

type windowTaskExecutionOut struct {
	WindowExecutionId string   `json:"WindowExecutionId"`
	TaskExecutionId   string   `json:"TaskExecutionId"`
	Status            string   `json:"Status"`
	StatusDetails     string   `json:"StatusDetails,omitempty"`
	StartTime         *float64 `json:"StartTime,omitempty"`
	EndTime           *float64 `json:"EndTime,omitempty"`
	TaskArn           string   `json:"TaskArn"`
	TaskType          string   `json:"TaskType"`
}

type windowInvocationOut struct {
	WindowExecutionId string   `json:"WindowExecutionId"`
	TaskExecutionId   string   `json:"TaskExecutionId"`
	InvocationId      string   `json:"InvocationId"`
	ExecutionId       string   `json:"ExecutionId,omitempty"`
	TaskType          string   `json:"TaskType"`
	Parameters        string   `json:"Parameters,omitempty"`
	Status            string   `json:"Status"`
	StatusDetails     string   `json:"StatusDetails,omitempty"`
	StartTime         *float64 `json:"StartTime,omitempty"`
	EndTime           *float64 `json:"EndTime,omitempty"`
	OwnerInformation  string   `json:"OwnerInformation,omitempty"`
	WindowTargetId    string   `json:"WindowTargetId,omitempty"`
}

func (e *windowExecution) out() windowExecutionOut {
	return windowExecutionOut{WindowId: e.WindowID, WindowExecutionId: e.ID, Status: e.Status, StatusDetails: e.StatusDetails,
		StartTime: epochPtr(e.Start), EndTime: epochPtr(e.End)}
}

func describeWindowExecutions(s *Server, r *region, body []byte) (any, *wire.Error) {
	in, w, err := r.openWindowItems(body, "ExecutedBefore", "ExecutedAfter")
	if err != nil {
		return nil, err
	}
	var before, after time.Time
	for _, f := range in.Filters {
		for _, val := range f.Values {
			t, perr := time.Parse(time.RFC3339, val)
			if perr != nil {
				return nil, wire.ValidationError("Filter %s value %s is not an ISO-8601 timestamp.", deref(f.Key), wire.Clip(val))
			}
			if deref(f.Key) == "ExecutedBefore" {
				before = t
			} else {
				after = t
			}
		}
	}
	// Newest first, as the console and AWS list them.
	var matched []*windowExecution
	for i := len(w.executions) - 1; i >= 0; i-- {
		e := w.executions[i]
		if (before.IsZero() || e.Start.Before(before)) && (after.IsZero() || e.Start.After(after)) {
			matched = append(matched, e)
		}
	}
	page, next, err := windowPage(s, r, "DescribeMaintenanceWindowExecutions", in.windowListing, []any{in.WindowId}, matched,
		func(e *windowExecution) string { return seqKey(^e.seq) })
	if err != nil {
		return nil, err
	}
	out := make([]windowExecutionOut, len(page))
	for i, e := range page {
		out[i] = e.out()
	}
	return map[string]any{"WindowExecutions": out, "NextToken": omitEmpty(next)}, nil
}

// lookupWindowExecution finds an execution by its ID; the error is
// DoesNotExistException.
func (r *region) lookupWindowExecution(v *wire.Validator, id *string) (*windowExecution, *wire.Error) {
	v.Required("windowExecutionId", id != nil)
	if id != nil {
		v.Length("windowExecutionId", *id, 36, 36)
		v.Pattern("windowExecutionId", *id, reWindowTargetID)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	e, ok := r.windows.executions[*id]
	if !ok {
		return nil, wire.Errorf("DoesNotExistException", "Maintenance window execution %s does not exist", *id)
	}
	return e, nil
}

func getWindowExecution(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in struct {
		WindowExecutionId *string `json:"WindowExecutionId"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	e, err := r.lookupWindowExecution(&wire.Validator{}, in.WindowExecutionId)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(e.tasks))
	for i, t := range e.tasks {
		ids[i] = t.ID
	}
	return map[string]any{
		"WindowExecutionId": e.ID, "TaskIds": ids, "Status": e.Status, "StatusDetails": omitEmpty(e.StatusDetails),
		"StartTime": epochPtr(e.Start), "EndTime": epochPtr(e.End),
	}, nil
}

func describeWindowExecutionTasks(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in struct {
		WindowExecutionId *string `json:"WindowExecutionId"`
		windowListing
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	checkWindowFilters(v, in.Filters, in.MaxResults, "Status")
	e, err := r.lookupWindowExecution(v, in.WindowExecutionId)
	if err != nil {
		return nil, err
	}
	var matched []windowTaskExecutionOut
	for _, t := range e.tasks {
		if !filtersMatch(in.Filters, func(string) string { return t.Status }) {
			continue
		}
		matched = append(matched, windowTaskExecutionOut{
			WindowExecutionId: e.ID, TaskExecutionId: t.ID, Status: t.Status, StatusDetails: t.StatusDetails,
			StartTime: epochPtr(t.Start), EndTime: epochPtr(t.End), TaskArn: t.task.TaskArn, TaskType: t.task.Type,
		})
	}
	page, next, err := windowPage(s, r, "DescribeMaintenanceWindowExecutionTasks", in.windowListing, []any{in.WindowExecutionId}, matched,
		func(t windowTaskExecutionOut) string { return t.TaskExecutionId })
	if err != nil {
		return nil, err
	}
	return map[string]any{"WindowExecutionTaskIdentities": page, "NextToken": omitEmpty(next)}, nil
}

func describeWindowTaskInvocations(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in struct {
		WindowExecutionId *string `json:"WindowExecutionId"`
		TaskId            *string `json:"TaskId"`
		windowListing
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("taskId", in.TaskId != nil)
	if in.TaskId != nil {
		v.Pattern("taskId", *in.TaskId, reWindowTargetID)
	}
	checkWindowFilters(v, in.Filters, in.MaxResults, "Status")
	e, err := r.lookupWindowExecution(v, in.WindowExecutionId)
	if err != nil {
		return nil, err
	}
	var te *windowTaskExecution
	for _, t := range e.tasks {
		if t.ID == *in.TaskId {
			te = t
		}
	}
	if te == nil {
		return nil, wire.Errorf("DoesNotExistException", "Task execution %s does not exist in window execution %s", *in.TaskId, e.ID)
	}
	var matched []*windowInvocation
	for _, inv := range te.invocations {
		if filtersMatch(in.Filters, func(string) string { return inv.Status }) {
			matched = append(matched, inv)
		}
	}
	page, next, err := windowPage(s, r, "DescribeMaintenanceWindowExecutionTaskInvocations", in.windowListing,
		[]any{in.WindowExecutionId, in.TaskId}, matched, func(inv *windowInvocation) string { return seqKey(inv.seq) })
	if err != nil {
		return nil, err
	}
	out := make([]windowInvocationOut, len(page))
	for i, inv := range page {
		out[i] = windowInvocationOut{
			WindowExecutionId: e.ID, TaskExecutionId: te.ID, InvocationId: inv.ID, ExecutionId: inv.ExecutionID,
			TaskType: te.task.Type, Parameters: inv.Parameters, Status: inv.Status, StatusDetails: inv.StatusDetails,
			StartTime: epochPtr(inv.Start), EndTime: epochPtr(inv.End), OwnerInformation: inv.OwnerInformation,
			WindowTargetId: inv.WindowTargetID,
		}
	}
	return map[string]any{"WindowExecutionTaskInvocationIdentities": out, "NextToken": omitEmpty(next)}, nil
}
