package remedy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
)

// WindowAPI is what the maintenance-window strategy calls.
type WindowAPI interface {
	ssm.DescribeMaintenanceWindowsAPIClient
	ssm.DescribeMaintenanceWindowTargetsAPIClient
	ssm.DescribeMaintenanceWindowTasksAPIClient
	ssm.DescribeMaintenanceWindowExecutionsAPIClient
	ssm.DescribeMaintenanceWindowExecutionTasksAPIClient
	ssm.DescribeMaintenanceWindowExecutionTaskInvocationsAPIClient
	ssm.ListCommandInvocationsAPIClient
	CreateMaintenanceWindow(ctx context.Context, in *ssm.CreateMaintenanceWindowInput, optFns ...func(*ssm.Options)) (*ssm.CreateMaintenanceWindowOutput, error)
	DeleteMaintenanceWindow(ctx context.Context, in *ssm.DeleteMaintenanceWindowInput, optFns ...func(*ssm.Options)) (*ssm.DeleteMaintenanceWindowOutput, error)
	RegisterTargetWithMaintenanceWindow(ctx context.Context, in *ssm.RegisterTargetWithMaintenanceWindowInput, optFns ...func(*ssm.Options)) (*ssm.RegisterTargetWithMaintenanceWindowOutput, error)
	RegisterTaskWithMaintenanceWindow(ctx context.Context, in *ssm.RegisterTaskWithMaintenanceWindowInput, optFns ...func(*ssm.Options)) (*ssm.RegisterTaskWithMaintenanceWindowOutput, error)
	UpdateMaintenanceWindow(ctx context.Context, in *ssm.UpdateMaintenanceWindowInput, optFns ...func(*ssm.Options)) (*ssm.UpdateMaintenanceWindowOutput, error)
}

var _ WindowAPI = (*ssm.Client)(nil)

var windowStrategy = Strategy{
	Name:    "maintenance-window",
	Summary: "a maintenance window with one target per 50 nodes and RUN_COMMAND tasks running AWS-UpdateSSMAgent",
	UseWhen: "changes must happen inside an agreed window (--window-schedule, or --window-id for yours)",
	New:     func(api API, o Options) (AgentUpdater, error) { return NewWindow(api, o) },
}

// WindowOptions configure the maintenance window patchready creates.
type WindowOptions struct {
	// ID uses an existing window instead of creating one.
	ID string
	// Schedule is a cron, rate or at expression; empty means once, two
	// minutes from now.
	Schedule string
	Timezone string
	// Duration and Cutoff are in hours; Cutoff < Duration.
	Duration int32
	Cutoff   int32
}

// Window updates the agent through a maintenance window with one target
// per batch and RUN_COMMAND tasks for AWS-UpdateSSMAgent.
type Window struct {
	api  WindowAPI
	opts Options
	wo   WindowOptions

	windowID string
	created  bool // this run (or an earlier run of the same plan) made the window
	// timed says patchready chose the window's one-time schedule (the
	// operator gave none): it is set again once the tasks are registered.
	timed bool
	// createdNow says this Start created the window (it was not found
	// again by name on a resume or a re-run).
	createdNow bool
	// seenCommands are Run Command IDs of the window's task invocations,
	// with whether every invocation of the command has settled.
	settledCommands map[string]bool
}

// NewWindow returns the maintenance-window strategy, configured by
// opts.Window.
func NewWindow(api WindowAPI, opts Options) (*Window, error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	wo := opts.Window
	if wo.Duration == 0 {
		wo.Duration = 2
	}
	if wo.Duration < 1 || wo.Duration > 24 || wo.Cutoff < 0 || wo.Cutoff >= wo.Duration {
		return nil, fmt.Errorf("maintenance window: duration %d h and cutoff %d h: duration must be 1 to 24 and cutoff below it", wo.Duration, wo.Cutoff)
	}
	timed := false
	if wo.Schedule == "" {
		wo.Schedule, timed = soon(opts.Clock.Now()), true
	}
	return &Window{api: api, opts: opts, wo: wo, timed: timed, settledCommands: map[string]bool{}}, nil
}

// soonAfter is how long after its tasks are registered a window that
// patchready times opens.
const soonAfter = 2 * time.Minute

// soon is a one-time schedule soonAfter from now.
func soon(now time.Time) string {
	return "at(" + now.UTC().Add(soonAfter).Format("2006-01-02T15:04:05") + ")"
}

// retime makes sure the window opens after its targets and tasks were
// registered: a one-time window that opens before its tasks exist runs
// nothing and never opens again. Registering hundreds of targets under
// throttling takes minutes, so a window patchready timed is timed again
// now; a one-time schedule the operator gave that has passed meanwhile is
// an error to act on, not a window to wait for.
func (w *Window) retime(ctx context.Context) error {
	if w.wo.ID != "" || !w.createdNow {
		// A window found again already had its tasks, and may have run:
		// timing it again would run it twice.
		return nil
	}
	now := w.opts.Clock.Now()
	if !w.timed {
		if at, ok := oneTimeSchedule(w.wo.Schedule, w.wo.Timezone); ok && !at.After(now) {
			return fmt.Errorf("maintenance window %s: its schedule %s passed while its targets and tasks were registered, so it would open with nothing to run: give a later --window-schedule",
				w.windowID, w.wo.Schedule)
		}
		return nil
	}
	w.wo.Schedule = soon(now)
	_, err := w.api.UpdateMaintenanceWindow(ctx, &ssm.UpdateMaintenanceWindowInput{
		WindowId: aws.String(w.windowID), Schedule: aws.String(w.wo.Schedule), ScheduleTimezone: aws.String("UTC"),
	})
	if err != nil {
		return fmt.Errorf("time maintenance window %s: %w", w.windowID, err)
	}
	w.opts.Logger.Info("timed maintenance window", zap.String("window_id", w.windowID), zap.String("schedule", w.wo.Schedule))
	return nil
}

// Interrupt leaves the window and its tasks in place: they run in SSM as
// scheduled, and a resumed run finds them again by name.
func (w *Window) Interrupt(context.Context) error { return nil }

// WindowID returns the window in use (after Start).
func (w *Window) WindowID() string { return w.windowID }

// Start finds or creates the window, then registers one target per batch
// and one task per 50 targets, reusing any already registered by name.
func (w *Window) Start(ctx context.Context, batches [][]string) error {
	params := updateAgentParams(w.opts.AgentVersion)
	var all []string
	for _, b := range batches {
		all = append(all, b...)
	}
	name := resourceName("update-agent-window", all, params)
	if err := w.ensureWindow(ctx, name); err != nil {
		return err
	}
	targets, err := w.existingTargets(ctx)
	if err != nil {
		return err
	}
	var targetIDs []string
	for _, ids := range batches {
		tname := resourceName("update-agent-target", ids, nil)
		if id, ok := targets[tname]; ok {
			targetIDs = append(targetIDs, id)
			continue
		}
		out, err := w.api.RegisterTargetWithMaintenanceWindow(ctx, &ssm.RegisterTargetWithMaintenanceWindowInput{
			WindowId:     aws.String(w.windowID),
			ResourceType: types.MaintenanceWindowResourceTypeInstance,
			Targets:      []types.Target{{Key: aws.String("InstanceIds"), Values: ids}},
			Name:         aws.String(tname),
			ClientToken:  aws.String(tname),
		})
		if err != nil {
			return fmt.Errorf("register target %s with window %s: %w", tname, w.windowID, err)
		}
		id := aws.ToString(out.WindowTargetId)
		targetIDs = append(targetIDs, id)
		if err := w.opts.Journal.Created(Resource{Type: ResourceWindowTgt, ID: id, Name: tname, Parent: w.windowID, InstanceIDs: ids, Action: "update-agent"}); err != nil {
			return err
		}
	}
	tasks, err := w.existingTasks(ctx)
	if err != nil {
		return err
	}
	for _, tids := range chunk(targetIDs, 50) {
		tname := resourceName("update-agent-task", tids, params)
		if tasks[tname] {
			continue
		}
		out, err := w.api.RegisterTaskWithMaintenanceWindow(ctx, &ssm.RegisterTaskWithMaintenanceWindowInput{
			WindowId:       aws.String(w.windowID),
			TaskArn:        aws.String(documents.UpdateAgentDocumentName),
			TaskType:       types.MaintenanceWindowTaskTypeRunCommand,
			Targets:        []types.Target{{Key: aws.String("WindowTargetIds"), Values: tids}},
			MaxConcurrency: aws.String(w.opts.MaxConcurrency),
			MaxErrors:      aws.String(w.opts.MaxErrors),
			Priority:       aws.Int32(1),
			Name:           aws.String(tname),
			ClientToken:    aws.String(tname),
			TaskInvocationParameters: &types.MaintenanceWindowTaskInvocationParameters{
				RunCommand: &types.MaintenanceWindowRunCommandParameters{
					Parameters:     params,
					TimeoutSeconds: aws.Int32(600),
					Comment:        aws.String("patchready update-agent run " + w.opts.RunID),
				},
			},
		})
		if err != nil {
			return fmt.Errorf("register update-agent task with window %s: %w", w.windowID, err)
		}
		id := aws.ToString(out.WindowTaskId)
		w.opts.Logger.Info("registered window task", zap.String("window_id", w.windowID), zap.String("task_id", id), zap.Int("targets", len(tids)))
		if err := w.opts.Journal.Created(Resource{Type: ResourceWindowTask, ID: id, Name: tname, Parent: w.windowID, Action: "update-agent"}); err != nil {
			return err
		}
	}
	return w.retime(ctx)
}

func (w *Window) ensureWindow(ctx context.Context, name string) error {
	if w.wo.ID != "" {
		w.windowID = w.wo.ID
		return nil
	}
	p := ssm.NewDescribeMaintenanceWindowsPaginator(w.api, &ssm.DescribeMaintenanceWindowsInput{
		Filters:    []types.MaintenanceWindowFilter{{Key: aws.String("Name"), Values: []string{name}}},
		MaxResults: aws.Int32(50),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("find maintenance window %s: %w", name, err)
		}
		for _, mw := range page.WindowIdentities {
			if aws.ToString(mw.Name) == name {
				w.windowID, w.created = aws.ToString(mw.WindowId), true
				w.opts.Logger.Info("reusing maintenance window", zap.String("window_id", w.windowID))
				return w.opts.Journal.Created(Resource{Type: ResourceWindow, ID: w.windowID, Name: name, Action: "update-agent"})
			}
		}
	}
	if w.timed {
		// Timed now, not when the strategy was made: finding the window
		// took calls, and it is timed again once its tasks exist.
		w.wo.Schedule = soon(w.opts.Clock.Now())
	}
	if at, ok := oneTimeSchedule(w.wo.Schedule, w.wo.Timezone); ok && !at.After(w.opts.Clock.Now()) {
		// AWS accepts such a window, and it never opens: every node would
		// wait for the timeout.
		return fmt.Errorf("maintenance window schedule %s is not in the future (now %s): give a later --window-schedule",
			w.wo.Schedule, w.opts.Clock.Now().UTC().Format(time.RFC3339))
	}
	in := &ssm.CreateMaintenanceWindowInput{
		Name:                     aws.String(name),
		Schedule:                 aws.String(w.wo.Schedule),
		Duration:                 aws.Int32(w.wo.Duration),
		Cutoff:                   w.wo.Cutoff,
		AllowUnassociatedTargets: false,
		ClientToken:              aws.String(name),
		Description:              aws.String("patchready: update SSM Agent for Patch Manager"),
		Tags:                     tags(w.opts.RunID, "update-agent"),
	}
	if w.wo.Timezone != "" {
		in.ScheduleTimezone = aws.String(w.wo.Timezone)
	}
	out, err := w.api.CreateMaintenanceWindow(ctx, in)
	if err != nil {
		return fmt.Errorf("create maintenance window %s: %w", name, err)
	}
	w.windowID, w.created, w.createdNow = aws.ToString(out.WindowId), true, true
	w.opts.Logger.Info("created maintenance window", zap.String("window_id", w.windowID), zap.String("schedule", w.wo.Schedule))
	return w.opts.Journal.Created(Resource{Type: ResourceWindow, ID: w.windowID, Name: name, Action: "update-agent"})
}

func (w *Window) existingTargets(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	p := ssm.NewDescribeMaintenanceWindowTargetsPaginator(w.api, &ssm.DescribeMaintenanceWindowTargetsInput{WindowId: aws.String(w.windowID), MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list targets of window %s: %w", w.windowID, err)
		}
		for _, t := range page.Targets {
			out[aws.ToString(t.Name)] = aws.ToString(t.WindowTargetId)
		}
	}
	return out, nil
}

func (w *Window) existingTasks(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	p := ssm.NewDescribeMaintenanceWindowTasksPaginator(w.api, &ssm.DescribeMaintenanceWindowTasksInput{WindowId: aws.String(w.windowID), MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list tasks of window %s: %w", w.windowID, err)
		}
		for _, t := range page.Tasks {
			out[aws.ToString(t.Name)] = true
		}
	}
	return out, nil
}

// Finish deletes the window this run created (with its targets and tasks),
// unless Keep or the window was given with --window-id.
func (w *Window) Finish(ctx context.Context) error {
	if w.opts.Keep || !w.created || w.windowID == "" {
		return nil
	}
	_, err := w.api.DeleteMaintenanceWindow(ctx, &ssm.DeleteMaintenanceWindowInput{WindowId: aws.String(w.windowID)})
	if err != nil && !awsclient.IsNotFound(err) {
		return fmt.Errorf("delete maintenance window %s: %w", w.windowID, err)
	}
	w.opts.Logger.Info("deleted maintenance window", zap.String("window_id", w.windowID))
	return w.opts.Journal.Deleted(Resource{Type: ResourceWindow, ID: w.windowID})
}

// oneTimeSchedule reads an at(yyyy-mm-ddThh:mm:ss) schedule in the window's
// time zone (UTC when none). It reports false for cron and rate schedules,
// and for anything it cannot read (SSM validates those).
func oneTimeSchedule(schedule, timezone string) (time.Time, bool) {
	inner, ok := strings.CutPrefix(strings.TrimSpace(schedule), "at(")
	if !ok {
		return time.Time{}, false
	}
	inner, ok = strings.CutSuffix(inner, ")")
	if !ok {
		return time.Time{}, false
	}
	loc := time.UTC
	if timezone != "" {
		l, err := time.LoadLocation(timezone)
		if err != nil {
			return time.Time{}, false
		}
		loc = l
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", inner, loc)
	return t, err == nil
}
