package ssmsim

import (
	"strconv"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("RegisterTaskWithMaintenanceWindow", registerWindowTask)
	register("DeregisterTaskFromMaintenanceWindow", deregisterWindowTask)
	register("DescribeMaintenanceWindowTasks", describeWindowTasks)
}

type windowTaskInput struct {
	WindowId                 *string      `json:"WindowId"`
	WindowTaskId             *string      `json:"WindowTaskId"`
	Targets                  []targetSpec `json:"Targets"`
	TaskArn                  *string      `json:"TaskArn"`
	TaskType                 *string      `json:"TaskType"`
	Priority                 *int         `json:"Priority"`
	MaxConcurrency           *string      `json:"MaxConcurrency"`
	MaxErrors                *string      `json:"MaxErrors"`
	Name                     *string      `json:"Name"`
	Description              *string      `json:"Description"`
	ClientToken              *string      `json:"ClientToken"`
	CutoffBehavior           *string      `json:"CutoffBehavior"`
	TaskInvocationParameters *struct {
		RunCommand *struct {
			Parameters      map[string][]string `json:"Parameters"`
			TimeoutSeconds  *int                `json:"TimeoutSeconds"`
			Comment         *string             `json:"Comment"`
			DocumentVersion *string             `json:"DocumentVersion"`
		} `json:"RunCommand"`
	} `json:"TaskInvocationParameters"`
}

func (in *windowTaskInput) check(v *wire.Validator) {
	checkWindowID(v, in.WindowId)
	v.Required("taskArn", in.TaskArn != nil)
	v.Required("taskType", in.TaskType != nil)
	if in.TaskArn != nil {
		v.Length("taskArn", *in.TaskArn, 1, 1600)
	}
	if in.TaskType != nil {
		v.Enum("taskType", *in.TaskType, "RUN_COMMAND", "AUTOMATION", "STEP_FUNCTIONS", "LAMBDA")
	}
	checkTargets(v, "targets", in.Targets)
	v.IntRange("priority", in.Priority, 0, 1<<31-1)
	if in.MaxConcurrency != nil {
		v.Length("maxConcurrency", *in.MaxConcurrency, 1, 7)
		v.Pattern("maxConcurrency", *in.MaxConcurrency, reMaxConcurrency)
	}
	if in.MaxErrors != nil {
		v.Length("maxErrors", *in.MaxErrors, 1, 7)
		v.Pattern("maxErrors", *in.MaxErrors, reMaxErrors)
	}
	if in.Name != nil {
		v.Length("name", *in.Name, 3, 128)
		v.Pattern("name", *in.Name, reWindowName)
	}
	if in.Description != nil {
		v.Length("description", *in.Description, 1, 128)
	}
	if in.ClientToken != nil {
		v.Length("clientToken", *in.ClientToken, 1, 64)
	}
	if in.CutoffBehavior != nil {
		v.Enum("cutoffBehavior", *in.CutoffBehavior, "CONTINUE_TASK", "CANCEL_TASK")
	}
	if p := in.TaskInvocationParameters; p != nil && p.RunCommand != nil {
		v.IntRange("taskInvocationParameters.runCommand.timeoutSeconds", p.RunCommand.TimeoutSeconds, 30, 2592000)
		if p.RunCommand.Comment != nil {
			v.Length("taskInvocationParameters.runCommand.comment", *p.RunCommand.Comment, 0, 100)
		}
		if p.RunCommand.DocumentVersion != nil {
			v.Pattern("taskInvocationParameters.runCommand.documentVersion", *p.RunCommand.DocumentVersion, reDocumentVersion)
		}
	}
}

func registerWindowTask(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in windowTaskInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	in.check(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	w, err := r.lookupWindow(*in.WindowId)
	if err != nil {
		return nil, err
	}
	if *in.TaskType != "RUN_COMMAND" {
		return nil, wire.Errorf("FeatureNotAvailableException", "Task type %s is not simulated; only RUN_COMMAND tasks run in the simulator.", *in.TaskType)
	}
	t := &windowTask{
		ID: r.newUUID(), TaskArn: *in.TaskArn, Type: *in.TaskType, Targets: in.Targets, Priority: 1,
		MaxConcurrency: deref(in.MaxConcurrency), MaxErrors: deref(in.MaxErrors),
		Name: deref(in.Name), Description: deref(in.Description), CutoffBehavior: "CONTINUE_TASK",
	}
	if in.Priority != nil {
		t.Priority = *in.Priority
	}
	setIf(&t.CutoffBehavior, in.CutoffBehavior)
	if p := in.TaskInvocationParameters; p != nil && p.RunCommand != nil {
		t.Parameters, t.TimeoutSeconds = p.RunCommand.Parameters, p.RunCommand.TimeoutSeconds
		t.Comment, t.DocVersion = deref(p.RunCommand.Comment), deref(p.RunCommand.DocumentVersion)
	}
	if err := r.checkWindowTask(w, t); err != nil {
		return nil, err
	}
	fp := fingerprint([]any{in.WindowId, in.Targets, in.TaskArn, in.TaskType, in.Priority, in.MaxConcurrency,
		in.MaxErrors, in.Name, in.Description, in.CutoffBehavior, in.TaskInvocationParameters})
	if id, hit, err := r.windows.idempotent("RegisterTaskWithMaintenanceWindow", deref(in.ClientToken), fp); hit || err != nil {
		return map[string]any{"WindowTaskId": id}, err
	}
	if len(w.tasks) >= maxWindowTasks {
		return nil, wire.Errorf("ResourceLimitExceededException", "A maintenance window can have at most %d tasks.", maxWindowTasks)
	}
	r.windows.seq++
	t.seq = r.windows.seq
	w.tasks = append(w.tasks, t)
	r.windows.remember("RegisterTaskWithMaintenanceWindow", deref(in.ClientToken), fp, t.ID)
	return map[string]any{"WindowTaskId": t.ID}, nil
}

// checkWindowTask checks a Run Command task against the region: the
// document and its parameters, the targets, and the rate controls, which
// AWS requires for any task that has targets.
func (r *region) checkWindowTask(w *window, t *windowTask) *wire.Error {
	if !r.documentExists(t.TaskArn) {
		return wire.Errorf("DoesNotExistException", "Document %s does not exist.", wire.Clip(t.TaskArn))
	}
	if err := r.validateParameters(t.TaskArn, t.DocVersion, t.Parameters); err != nil {
		return wire.ValidationError("%s", err.Message)
	}
	if len(t.Targets) == 0 {
		return wire.ValidationError("A RUN_COMMAND task needs Targets (WindowTargetIds or InstanceIds).")
	}
	if t.MaxConcurrency == "" || t.MaxErrors == "" {
		return wire.ValidationError("MaxConcurrency and MaxErrors are required for a task with targets.")
	}
	for _, tg := range t.Targets {
		switch tg.Key {
		case "WindowTargetIds":
			for _, id := range tg.Values {
				if w.target(id) == nil {
					return wire.Errorf("DoesNotExistException", "Window target %s does not exist in maintenance window %s", wire.Clip(id), w.ID)
				}
			}
		case "InstanceIds":
			if !w.AllowUnassociatedTargets {
				return wire.ValidationError("Maintenance window %s does not allow unassociated targets; use WindowTargetIds.", w.ID)
			}
		default:
			return wire.ValidationError("Task target key %s must be WindowTargetIds or InstanceIds.", wire.Clip(tg.Key))
		}
	}
	return nil
}

func (w *window) target(id string) *windowTarget {
	for _, t := range w.targets {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func deregisterWindowTask(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in windowTaskInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	w, err := r.openWindow(in.WindowId, func(v *wire.Validator) { checkWindowItemID(v, "windowTaskId", in.WindowTaskId) })
	if err != nil {
		return nil, err
	}
	for i, t := range w.tasks {
		if t.ID == *in.WindowTaskId {
			w.tasks = append(w.tasks[:i:i], w.tasks[i+1:]...)
			return map[string]any{"WindowId": w.ID, "WindowTaskId": t.ID}, nil
		}
	}
	return nil, wire.Errorf("DoesNotExistException", "Task %s does not exist in maintenance window %s", *in.WindowTaskId, w.ID)
}

type windowTaskOut struct {
	WindowId       string       `json:"WindowId"`
	WindowTaskId   string       `json:"WindowTaskId"`
	TaskArn        string       `json:"TaskArn"`
	Type           string       `json:"Type"`
	Targets        []targetSpec `json:"Targets"`
	Priority       int          `json:"Priority"`
	MaxConcurrency string       `json:"MaxConcurrency,omitempty"`
	MaxErrors      string       `json:"MaxErrors,omitempty"`
	Name           string       `json:"Name,omitempty"`
	Description    string       `json:"Description,omitempty"`
	CutoffBehavior string       `json:"CutoffBehavior,omitempty"`
}

func describeWindowTasks(s *Server, r *region, body []byte) (any, *wire.Error) {
	in, w, err := r.openWindowItems(body, "WindowTaskId", "TaskArn", "Priority", "TaskType")
	if err != nil {
		return nil, err
	}
	var matched []*windowTask
	for _, t := range w.tasks {
		if filtersMatch(in.Filters, func(k string) string {
			switch k {
			case "WindowTaskId":
				return t.ID
			case "TaskArn":
				return t.TaskArn
			case "Priority":
				return strconv.Itoa(t.Priority)
			}
			return t.Type
		}) {
			matched = append(matched, t)
		}
	}
	page, next, err := windowPage(s, r, "DescribeMaintenanceWindowTasks", in.windowListing, []any{in.WindowId}, matched,
		func(t *windowTask) string { return seqKey(t.seq) })
	if err != nil {
		return nil, err
	}
	out := make([]windowTaskOut, len(page))
	for i, t := range page {
		out[i] = windowTaskOut{
			WindowId: w.ID, WindowTaskId: t.ID, TaskArn: t.TaskArn, Type: t.Type, Targets: t.Targets,
			Priority: t.Priority, MaxConcurrency: t.MaxConcurrency, MaxErrors: t.MaxErrors,
			Name: t.Name, Description: t.Description, CutoffBehavior: t.CutoffBehavior,
		}
	}
	return map[string]any{"Tasks": out, "NextToken": omitEmpty(next)}, nil
}
