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
	Summary: "maintenance windows with one target per 50 nodes (at most 50 targets a window) and RUN_COMMAND tasks running AWS-UpdateSSMAgent",
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

// AWS's quotas for maintenance windows (Systems Manager service quotas):
// targets per window and windows per region.
const (
	maxWindowTargets = 50
	maxWindows       = 50
)

// Window updates the agent through maintenance windows with one target
// per batch and RUN_COMMAND tasks for AWS-UpdateSSMAgent. A window holds at
// most maxWindowTargets targets, so a plan of more batches gets a window
// per maxWindowTargets batches (each named from its nodes, so a resumed
// run finds each again), all on the same schedule.
type Window struct {
	api  WindowAPI
	opts Options
	wo   WindowOptions

	windows []*mwindow
	// timed says patchready chose the windows' one-time schedule (the
	// operator gave none): it is set again once the tasks are registered.
	timed bool
	// seenCommands are Run Command IDs of the windows' task invocations,
	// with whether every invocation of the command has settled.
	settledCommands map[string]bool
}

// mwindow is one maintenance window the strategy uses.
type mwindow struct {
	id, name string
	created  bool // this run (or an earlier run of the same plan) made the window
	// createdNow says this run created the window (it was not found again
	// by name on a resume or a re-run).
	createdNow bool
	// createdAt is when this run created it, on the fleet's clock.
	createdAt time.Time
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
func soon(now time.Time) string { return atSchedule(now.Add(soonAfter)) }

func atSchedule(t time.Time) string {
	return "at(" + t.UTC().Format("2006-01-02T15:04:05") + ")"
}

// retimeAttempts bounds how often a window patchready timed is timed
// again when its time passed while the call was made.
const retimeAttempts = 4

// retime makes sure the window opens after its targets and tasks were
// registered: a one-time window that opens before its tasks exist runs
// nothing and never opens again. Registering hundreds of targets under
// throttling takes minutes, so a window patchready timed is timed again
// now, with a lead of soonAfter or as long as registering took, whichever
// is longer (a call is then unlikely to take longer than the lead), and
// with twice the lead again if the time still passed before the call
// arrived. A one-time schedule the operator gave that has passed
// meanwhile is an error to act on, not a window to wait for.
func (w *Window) retime(ctx context.Context, mw *mwindow) error {
	if w.wo.ID != "" || !mw.createdNow {
		// A window found again already had its tasks, and may have run:
		// timing it again would run it twice.
		return nil
	}
	now := w.opts.Clock.Now()
	if !w.timed {
		if at, ok := oneTimeSchedule(w.wo.Schedule, w.wo.Timezone); ok && !at.After(now) {
			return fmt.Errorf("maintenance window %s: its schedule %s passed while its targets and tasks were registered, so it would open with nothing to run: give a later --window-schedule",
				mw.id, w.wo.Schedule)
		}
		return nil
	}
	lead := soonAfter
	if took := now.Sub(mw.createdAt); !mw.createdAt.IsZero() && took > lead {
		lead = took
	}
	schedule, err := w.timedCall(now, lead, mw.id, func(schedule string) error {
		_, err := w.api.UpdateMaintenanceWindow(ctx, &ssm.UpdateMaintenanceWindowInput{
			WindowId: aws.String(mw.id), Schedule: aws.String(schedule), ScheduleTimezone: aws.String("UTC"),
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("time maintenance window %s: %w", mw.id, err)
	}
	w.opts.Logger.Info("timed maintenance window", zap.String("window_id", mw.id), zap.String("schedule", schedule))
	return nil
}

// timedCall calls call with a one-time schedule lead after now, and
// while AWS refuses it because that time passed before the call arrived,
// again with twice the lead, retimeAttempts calls at most. It returns the
// schedule that was taken.
func (w *Window) timedCall(now time.Time, lead time.Duration, windowID string, call func(schedule string) error) (string, error) {
	for attempt := 1; ; attempt++ {
		at := now.Add(lead)
		schedule := atSchedule(at)
		err := call(schedule)
		if err == nil {
			return schedule, nil
		}
		now = w.opts.Clock.Now()
		if attempt >= retimeAttempts || awsclient.Code(err) != "ValidationException" || now.Before(at) {
			return "", err
		}
		w.opts.Logger.Warn("the window's time passed before the call arrived; timing it later",
			zap.String("window_id", windowID), zap.String("schedule", schedule), zap.Duration("lead", 2*lead))
		lead *= 2
	}
}

// Interrupt leaves the window and its tasks in place: they run in SSM as
// scheduled, and a resumed run finds them again by name.
func (w *Window) Interrupt(context.Context) error { return nil }

// WindowIDs returns the windows in use (after Start).
func (w *Window) WindowIDs() []string {
	out := make([]string, len(w.windows))
	for i, mw := range w.windows {
		out[i] = mw.id
	}
	return out
}

// Start finds or creates a window per maxWindowTargets batches, registers
// one target per batch and one task per window, reusing any already
// registered by name, and once every window has its tasks, times the
// windows it created to open soon.
func (w *Window) Start(ctx context.Context, batches [][]string) error {
	groups := chunkBatches(batches, maxWindowTargets)
	switch {
	case w.wo.ID != "" && len(batches) > maxWindowTargets:
		return fmt.Errorf("--window-id %s: a maintenance window holds at most %d targets (%d nodes), and this plan updates %d batches: leave --window-id out (patchready then creates a window per %d batches) or narrow the plan",
			w.wo.ID, maxWindowTargets, maxWindowTargets*50, len(batches), maxWindowTargets)
	case w.wo.ID == "" && len(w.windows)+len(groups) > maxWindows:
		return fmt.Errorf("maintenance windows: this plan needs %d windows of %d targets, and a region holds at most %d: use --strategy association or run-command, or narrow the plan",
			len(w.windows)+len(groups), maxWindowTargets, maxWindows)
	}
	var started []*mwindow
	for _, g := range groups {
		mw, err := w.startWindow(ctx, g)
		if err != nil {
			return err
		}
		started = append(started, mw)
	}
	for _, mw := range started {
		if err := w.retime(ctx, mw); err != nil {
			return err
		}
	}
	return nil
}

// chunkBatches cuts batches into the fewest groups of at most n, of
// sizes as even as can be: a window's task runs its targets one after
// another, so even windows finish together.
func chunkBatches(batches [][]string, n int) [][][]string {
	if len(batches) == 0 {
		return nil
	}
	groups := (len(batches) + n - 1) / n
	size := (len(batches) + groups - 1) / groups
	var out [][][]string
	for len(batches) > size {
		out = append(out, batches[:size:size])
		batches = batches[size:]
	}
	return append(out, batches)
}

// startWindow finds or creates the window of batches (named from their
// nodes), registers a target per batch and the task.
func (w *Window) startWindow(ctx context.Context, batches [][]string) (*mwindow, error) {
	params := updateAgentParams(w.opts.AgentVersion)
	var all []string
	for _, b := range batches {
		all = append(all, b...)
	}
	mw, err := w.ensureWindow(ctx, resourceName("update-agent-window", all, params))
	if err != nil {
		return nil, err
	}
	w.windows = append(w.windows, mw)
	targets, err := w.existingTargets(ctx, mw.id)
	if err != nil {
		return nil, err
	}
	var targetIDs []string
	for _, ids := range batches {
		tname := resourceName("update-agent-target", ids, nil)
		if id, ok := targets[tname]; ok {
			targetIDs = append(targetIDs, id)
			continue
		}
		out, err := w.api.RegisterTargetWithMaintenanceWindow(ctx, &ssm.RegisterTargetWithMaintenanceWindowInput{
			WindowId:     aws.String(mw.id),
			ResourceType: types.MaintenanceWindowResourceTypeInstance,
			Targets:      []types.Target{{Key: aws.String("InstanceIds"), Values: ids}},
			Name:         aws.String(tname),
			ClientToken:  aws.String(tname),
		})
		if err != nil {
			return nil, fmt.Errorf("register target %s with window %s: %w", tname, mw.id, err)
		}
		id := aws.ToString(out.WindowTargetId)
		targetIDs = append(targetIDs, id)
		if err := w.opts.Journal.Created(Resource{Type: ResourceWindowTgt, ID: id, Name: tname, Parent: mw.id, InstanceIDs: ids, Action: "update-agent"}); err != nil {
			return nil, err
		}
	}
	tasks, err := w.existingTasks(ctx, mw.id)
	if err != nil {
		return nil, err
	}
	for _, tids := range chunk(targetIDs, 50) {
		tname := resourceName("update-agent-task", tids, params)
		if tasks[tname] {
			continue
		}
		out, err := w.api.RegisterTaskWithMaintenanceWindow(ctx, &ssm.RegisterTaskWithMaintenanceWindowInput{
			WindowId:       aws.String(mw.id),
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
			return nil, fmt.Errorf("register update-agent task with window %s: %w", mw.id, err)
		}
		id := aws.ToString(out.WindowTaskId)
		w.opts.Logger.Info("registered window task", zap.String("window_id", mw.id), zap.String("task_id", id), zap.Int("targets", len(tids)))
		if err := w.opts.Journal.Created(Resource{Type: ResourceWindowTask, ID: id, Name: tname, Parent: mw.id, Action: "update-agent"}); err != nil {
			return nil, err
		}
	}
	return mw, nil
}

func (w *Window) ensureWindow(ctx context.Context, name string) (*mwindow, error) {
	if w.wo.ID != "" {
		return &mwindow{id: w.wo.ID, name: name}, nil
	}
	p := ssm.NewDescribeMaintenanceWindowsPaginator(w.api, &ssm.DescribeMaintenanceWindowsInput{
		Filters:    []types.MaintenanceWindowFilter{{Key: aws.String("Name"), Values: []string{name}}},
		MaxResults: aws.Int32(50),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("find maintenance window %s: %w", name, err)
		}
		for _, mw := range page.WindowIdentities {
			if aws.ToString(mw.Name) == name {
				found := &mwindow{id: aws.ToString(mw.WindowId), name: name, created: true}
				w.opts.Logger.Info("reusing maintenance window", zap.String("window_id", found.id))
				return found, w.opts.Journal.Created(Resource{Type: ResourceWindow, ID: found.id, Name: name, Action: "update-agent"})
			}
		}
	}
	if at, ok := oneTimeSchedule(w.wo.Schedule, w.wo.Timezone); ok && !w.timed && !at.After(w.opts.Clock.Now()) {
		// AWS accepts such a window, and it never opens: every node would
		// wait for the timeout.
		return nil, fmt.Errorf("maintenance window schedule %s is not in the future (now %s): give a later --window-schedule",
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
	switch {
	case w.timed:
		in.ScheduleTimezone = aws.String("UTC") // soon's times are UTC
	case w.wo.Timezone != "":
		in.ScheduleTimezone = aws.String(w.wo.Timezone)
	}
	var out *ssm.CreateMaintenanceWindowOutput
	create := func(schedule string) (err error) {
		in.Schedule = aws.String(schedule)
		out, err = w.api.CreateMaintenanceWindow(ctx, in)
		return err
	}
	var err error
	if w.timed {
		// Timed now, not when the strategy was made: finding the window
		// took calls, and it is timed again once its tasks exist.
		w.wo.Schedule, err = w.timedCall(w.opts.Clock.Now(), soonAfter, "", create)
	} else {
		err = create(w.wo.Schedule)
	}
	if err != nil {
		return nil, fmt.Errorf("create maintenance window %s: %w", name, err)
	}
	created := &mwindow{id: aws.ToString(out.WindowId), name: name, created: true, createdNow: true, createdAt: w.opts.Clock.Now()}
	w.opts.Logger.Info("created maintenance window", zap.String("window_id", created.id), zap.String("schedule", w.wo.Schedule))
	return created, w.opts.Journal.Created(Resource{Type: ResourceWindow, ID: created.id, Name: name, Action: "update-agent"})
}

func (w *Window) existingTargets(ctx context.Context, windowID string) (map[string]string, error) {
	out := map[string]string{}
	p := ssm.NewDescribeMaintenanceWindowTargetsPaginator(w.api, &ssm.DescribeMaintenanceWindowTargetsInput{WindowId: aws.String(windowID), MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list targets of window %s: %w", windowID, err)
		}
		for _, t := range page.Targets {
			out[aws.ToString(t.Name)] = aws.ToString(t.WindowTargetId)
		}
	}
	return out, nil
}

func (w *Window) existingTasks(ctx context.Context, windowID string) (map[string]bool, error) {
	out := map[string]bool{}
	p := ssm.NewDescribeMaintenanceWindowTasksPaginator(w.api, &ssm.DescribeMaintenanceWindowTasksInput{WindowId: aws.String(windowID), MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list tasks of window %s: %w", windowID, err)
		}
		for _, t := range page.Tasks {
			out[aws.ToString(t.Name)] = true
		}
	}
	return out, nil
}

// Finish deletes the windows this run created (with their targets and
// tasks), unless Keep or the window was given with --window-id.
func (w *Window) Finish(ctx context.Context) error {
	if w.opts.Keep {
		return nil
	}
	for _, mw := range w.windows {
		if !mw.created || mw.id == "" {
			continue
		}
		_, err := w.api.DeleteMaintenanceWindow(ctx, &ssm.DeleteMaintenanceWindowInput{WindowId: aws.String(mw.id)})
		if err != nil && !awsclient.IsNotFound(err) {
			return fmt.Errorf("delete maintenance window %s: %w", mw.id, err)
		}
		w.opts.Logger.Info("deleted maintenance window", zap.String("window_id", mw.id))
		if err := w.opts.Journal.Deleted(Resource{Type: ResourceWindow, ID: mw.id}); err != nil {
			return err
		}
	}
	return nil
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
