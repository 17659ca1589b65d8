package ssmsim

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// prodFleet is n online nodes tagged env=prod.
func prodFleet(n int) Fleet {
	f := fleetOf(n)
	for i := range f.Nodes {
		f.Nodes[i].Tags = map[string]string{"env": "prod"}
	}
	return f
}

// newWindow creates a window that fires daily at 10:00 UTC (t0 is 09:00),
// with a target (tag env=prod) and an AWS-UpdateSSMAgent task on it.
func newWindow(t *testing.T, c *ssm.Client, duration, cutoff int32, conc string) (windowID, targetID, taskID string) {
	t.Helper()
	w, err := c.CreateMaintenanceWindow(testCtx(t), &ssm.CreateMaintenanceWindowInput{
		Name: aws.String("patchready-agent"), Schedule: aws.String("cron(0 10 ? * * *)"),
		Duration: aws.Int32(duration), Cutoff: cutoff, AllowUnassociatedTargets: false,
	})
	if err != nil {
		t.Fatalf("CreateMaintenanceWindow: %v", err)
	}
	tg, err := c.RegisterTargetWithMaintenanceWindow(testCtx(t), &ssm.RegisterTargetWithMaintenanceWindowInput{
		WindowId: w.WindowId, ResourceType: types.MaintenanceWindowResourceTypeInstance, OwnerInformation: aws.String("team-a"),
		Targets: []types.Target{{Key: aws.String("tag:env"), Values: []string{"prod"}}},
	})
	if err != nil {
		t.Fatalf("RegisterTargetWithMaintenanceWindow: %v", err)
	}
	task, err := c.RegisterTaskWithMaintenanceWindow(testCtx(t), &ssm.RegisterTaskWithMaintenanceWindowInput{
		WindowId: w.WindowId, TaskArn: aws.String("AWS-UpdateSSMAgent"), TaskType: types.MaintenanceWindowTaskTypeRunCommand,
		Targets:        []types.Target{{Key: aws.String("WindowTargetIds"), Values: []string{*tg.WindowTargetId}}},
		MaxConcurrency: aws.String(conc), MaxErrors: aws.String("0"), Priority: aws.Int32(1),
	})
	if err != nil {
		t.Fatalf("RegisterTaskWithMaintenanceWindow: %v", err)
	}
	return *w.WindowId, *tg.WindowTargetId, *task.WindowTaskId
}

func windowExecutions(t *testing.T, c *ssm.Client, id string) []types.MaintenanceWindowExecution {
	t.Helper()
	var all []types.MaintenanceWindowExecution
	p := ssm.NewDescribeMaintenanceWindowExecutionsPaginator(c, &ssm.DescribeMaintenanceWindowExecutionsInput{WindowId: &id, MaxResults: aws.Int32(10)})
	for p.HasMorePages() {
		page, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatalf("DescribeMaintenanceWindowExecutions: %v", err)
		}
		all = append(all, page.WindowExecutions...)
	}
	return all
}

func TestWindowFiresOnSchedule(t *testing.T) {
	opts, clk := manualOpts(prodFleet(12))
	s, c := startSim(t, opts, 0)
	id, targetID, _ := newWindow(t, c, 2, 1, "5")

	g, err := c.GetMaintenanceWindow(testCtx(t), &ssm.GetMaintenanceWindowInput{WindowId: &id})
	if err != nil {
		t.Fatalf("GetMaintenanceWindow: %v", err)
	}
	if got := aws.ToString(g.NextExecutionTime); got != "2025-06-02T10:00:00Z" {
		t.Fatalf("NextExecutionTime = %q", got)
	}
	clk.Advance(50 * time.Minute)
	if n := len(windowExecutions(t, c, id)); n != 0 {
		t.Fatalf("%d executions before the scheduled time", n)
	}
	clk.Advance(30 * time.Minute) // 10:20
	execs := windowExecutions(t, c, id)
	if len(execs) != 1 || execs[0].Status != types.MaintenanceWindowExecutionStatusSuccess {
		t.Fatalf("executions = %+v", execs)
	}
	if start := aws.ToTime(execs[0].StartTime); !start.Equal(simT0.Add(time.Hour)) {
		t.Fatalf("execution started %v, want 10:00", start)
	}
	tasks, err := c.DescribeMaintenanceWindowExecutionTasks(testCtx(t), &ssm.DescribeMaintenanceWindowExecutionTasksInput{WindowExecutionId: execs[0].WindowExecutionId})
	if err != nil || len(tasks.WindowExecutionTaskIdentities) != 1 {
		t.Fatalf("DescribeMaintenanceWindowExecutionTasks: %v, %+v", err, tasks)
	}
	task := tasks.WindowExecutionTaskIdentities[0]
	if task.Status != types.MaintenanceWindowExecutionStatusSuccess || aws.ToString(task.TaskArn) != "AWS-UpdateSSMAgent" || task.TaskType != types.MaintenanceWindowTaskTypeRunCommand {
		t.Fatalf("task = %+v", task)
	}
	var invs []types.MaintenanceWindowExecutionTaskInvocationIdentity
	p := ssm.NewDescribeMaintenanceWindowExecutionTaskInvocationsPaginator(c, &ssm.DescribeMaintenanceWindowExecutionTaskInvocationsInput{
		WindowExecutionId: execs[0].WindowExecutionId, TaskId: task.TaskExecutionId, MaxResults: aws.Int32(10)})
	for p.HasMorePages() {
		page, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatalf("DescribeMaintenanceWindowExecutionTaskInvocations: %v", err)
		}
		invs = append(invs, page.WindowExecutionTaskInvocationIdentities...)
	}
	if len(invs) != 12 {
		t.Fatalf("got %d invocations, want 12", len(invs))
	}
	for _, inv := range invs {
		if inv.Status != types.MaintenanceWindowExecutionStatusSuccess || aws.ToString(inv.WindowTargetId) != targetID || aws.ToString(inv.OwnerInformation) != "team-a" {
			t.Fatalf("invocation = %+v", inv)
		}
		cmd, err := c.ListCommandInvocations(testCtx(t), &ssm.ListCommandInvocationsInput{CommandId: inv.ExecutionId})
		if err != nil || len(cmd.CommandInvocations) != 1 || cmd.CommandInvocations[0].Status != types.CommandInvocationStatusSuccess {
			t.Fatalf("ListCommandInvocations for ExecutionId %s: %v, %+v", aws.ToString(inv.ExecutionId), err, cmd)
		}
	}
	s.WithRegion("us-east-1", func(r *Region) {
		for _, n := range r.Nodes() {
			if n.AgentVersion != DefaultLatestAgentVersion {
				t.Errorf("node %s agent %s after the window", n.ID, n.AgentVersion)
			}
		}
	})
	// The window re-arms for the next day.
	g, _ = c.GetMaintenanceWindow(testCtx(t), &ssm.GetMaintenanceWindowInput{WindowId: &id})
	if got := aws.ToString(g.NextExecutionTime); got != "2025-06-03T10:00:00Z" {
		t.Fatalf("NextExecutionTime after firing = %q", got)
	}
}

func TestWindowCutoffStopsNewInvocations(t *testing.T) {
	opts, clk := manualOpts(prodFleet(3))
	// Each update takes 40 minutes: one node at a time, a 1-hour window
	// with no cutoff lets two nodes start (10:00, 10:40) but not the third.
	opts.Behaviour.UpdateDelay = 40 * time.Minute
	_, c := startSim(t, opts, 0)
	id, _, _ := newWindow(t, c, 1, 0, "1")
	clk.Advance(4 * time.Hour)
	execs := windowExecutions(t, c, id)
	if len(execs) != 1 || execs[0].Status != types.MaintenanceWindowExecutionStatusTimedOut {
		t.Fatalf("executions = %+v", execs)
	}
	tasks, err := c.DescribeMaintenanceWindowExecutionTasks(testCtx(t), &ssm.DescribeMaintenanceWindowExecutionTasksInput{WindowExecutionId: execs[0].WindowExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	invs, err := c.DescribeMaintenanceWindowExecutionTaskInvocations(testCtx(t), &ssm.DescribeMaintenanceWindowExecutionTaskInvocationsInput{
		WindowExecutionId: execs[0].WindowExecutionId, TaskId: tasks.WindowExecutionTaskIdentities[0].TaskExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(invs.WindowExecutionTaskInvocationIdentities); got != 2 {
		t.Fatalf("got %d invocations, want 2 (the third would start after the cutoff)", got)
	}
}

func TestWindowClientTokenAndErrors(t *testing.T) {
	opts, _ := manualOpts(prodFleet(1))
	_, c := startSim(t, opts, 0)
	in := &ssm.CreateMaintenanceWindowInput{Name: aws.String("mw-one"), Schedule: aws.String("rate(1 day)"),
		Duration: aws.Int32(3), Cutoff: 1, ClientToken: aws.String("token-1")}
	a, err := c.CreateMaintenanceWindow(testCtx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateMaintenanceWindow(testCtx(t), in)
	if err != nil || aws.ToString(b.WindowId) != aws.ToString(a.WindowId) {
		t.Fatalf("retry with the same token: %v, %s vs %s", err, aws.ToString(b.WindowId), aws.ToString(a.WindowId))
	}
	in.Duration = aws.Int32(4)
	_, err = c.CreateMaintenanceWindow(testCtx(t), in)
	var mismatch *types.IdempotentParameterMismatch
	if !errors.As(err, &mismatch) {
		t.Fatalf("same token, other parameters: %v, want IdempotentParameterMismatch", err)
	}

	tests := []struct {
		name string
		in   ssm.CreateMaintenanceWindowInput
		code string
	}{
		{"cutoff not below duration", ssm.CreateMaintenanceWindowInput{Duration: aws.Int32(2), Cutoff: 2}, "ValidationException"},
		{"duration 25", ssm.CreateMaintenanceWindowInput{Duration: aws.Int32(25)}, "ValidationException"},
		{"bad schedule", ssm.CreateMaintenanceWindowInput{Schedule: aws.String("daily")}, "ValidationException"},
		{"bad zone", ssm.CreateMaintenanceWindowInput{ScheduleTimezone: aws.String("Mars/Olympus")}, "ValidationException"},
		{"bad name", ssm.CreateMaintenanceWindowInput{Name: aws.String("no spaces")}, "ValidationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.in
			if x.Name == nil {
				x.Name = aws.String("mw-bad")
			}
			if x.Schedule == nil {
				x.Schedule = aws.String("cron(0 10 ? * * *)")
			}
			if x.Duration == nil {
				x.Duration = aws.Int32(2)
			}
			if _, err := c.CreateMaintenanceWindow(testCtx(t), &x); apiCode(err) != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
		})
	}

	_, err = c.RegisterTaskWithMaintenanceWindow(testCtx(t), &ssm.RegisterTaskWithMaintenanceWindowInput{
		WindowId: a.WindowId, TaskArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f"), TaskType: types.MaintenanceWindowTaskTypeLambda})
	if apiCode(err) != "FeatureNotAvailableException" {
		t.Fatalf("LAMBDA task: %v", err)
	}
	_, err = c.RegisterTaskWithMaintenanceWindow(testCtx(t), &ssm.RegisterTaskWithMaintenanceWindowInput{
		WindowId: a.WindowId, TaskArn: aws.String("AWS-UpdateSSMAgent"), TaskType: types.MaintenanceWindowTaskTypeRunCommand,
		Targets:        []types.Target{{Key: aws.String("WindowTargetIds"), Values: []string{"11111111-2222-4333-8444-555555555555"}}},
		MaxConcurrency: aws.String("1"), MaxErrors: aws.String("0")})
	var missing *types.DoesNotExistException
	if !errors.As(err, &missing) {
		t.Fatalf("task on unknown window target: %v", err)
	}

	if _, err := c.DeleteMaintenanceWindow(testCtx(t), &ssm.DeleteMaintenanceWindowInput{WindowId: a.WindowId}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []*string{a.WindowId, aws.String("mw-0123456789abcdef0")} {
		if _, err := c.GetMaintenanceWindow(testCtx(t), &ssm.GetMaintenanceWindowInput{WindowId: id}); !errors.As(err, &missing) {
			t.Fatalf("GetMaintenanceWindow(%s): %v, want DoesNotExistException", *id, err)
		}
		if _, err := c.DeleteMaintenanceWindow(testCtx(t), &ssm.DeleteMaintenanceWindowInput{WindowId: id}); !errors.As(err, &missing) {
			t.Fatalf("DeleteMaintenanceWindow(%s): %v, want DoesNotExistException", *id, err)
		}
	}
}

func TestWindowListingAndLimit(t *testing.T) {
	opts, _ := manualOpts(prodFleet(1))
	_, c := startSim(t, opts, 0)
	for i := range maxWindows {
		_, err := c.CreateMaintenanceWindow(testCtx(t), &ssm.CreateMaintenanceWindowInput{Name: aws.String(fmt.Sprintf("mw-%02d", i)),
			Schedule: aws.String("rate(7 days)"), Duration: aws.Int32(2), Cutoff: 0, AllowUnassociatedTargets: true})
		if err != nil {
			t.Fatalf("window %d: %v", i, err)
		}
	}
	_, err := c.CreateMaintenanceWindow(testCtx(t), &ssm.CreateMaintenanceWindowInput{Name: aws.String("one-too-many"),
		Schedule: aws.String("rate(7 days)"), Duration: aws.Int32(2), Cutoff: 0})
	var limit *types.ResourceLimitExceededException
	if !errors.As(err, &limit) {
		t.Fatalf("window past the quota: %v", err)
	}
	count := 0
	p := ssm.NewDescribeMaintenanceWindowsPaginator(c, &ssm.DescribeMaintenanceWindowsInput{MaxResults: aws.Int32(10)})
	for p.HasMorePages() {
		page, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		count += len(page.WindowIdentities)
	}
	if count != maxWindows {
		t.Fatalf("listed %d windows, want %d", count, maxWindows)
	}
	out, err := c.DescribeMaintenanceWindows(testCtx(t), &ssm.DescribeMaintenanceWindowsInput{
		Filters: []types.MaintenanceWindowFilter{{Key: aws.String("Name"), Values: []string{"mw-07"}}}})
	if err != nil || len(out.WindowIdentities) != 1 || aws.ToString(out.WindowIdentities[0].NextExecutionTime) == "" {
		t.Fatalf("filter by Name: %v, %+v", err, out)
	}
	if _, err := c.DescribeMaintenanceWindows(testCtx(t), &ssm.DescribeMaintenanceWindowsInput{MaxResults: aws.Int32(5)}); apiCode(err) != "ValidationException" {
		t.Fatalf("MaxResults 5: %v", err)
	}
}

func TestWindowTargetsAndTasksRegistry(t *testing.T) {
	opts, _ := manualOpts(prodFleet(1))
	_, c := startSim(t, opts, 0)
	id, targetID, taskID := newWindow(t, c, 2, 1, "10%")
	targets, err := c.DescribeMaintenanceWindowTargets(testCtx(t), &ssm.DescribeMaintenanceWindowTargetsInput{WindowId: &id})
	if err != nil || len(targets.Targets) != 1 || aws.ToString(targets.Targets[0].WindowTargetId) != targetID {
		t.Fatalf("DescribeMaintenanceWindowTargets: %v, %+v", err, targets)
	}
	tasks, err := c.DescribeMaintenanceWindowTasks(testCtx(t), &ssm.DescribeMaintenanceWindowTasksInput{WindowId: &id})
	if err != nil || len(tasks.Tasks) != 1 || aws.ToString(tasks.Tasks[0].WindowTaskId) != taskID || aws.ToString(tasks.Tasks[0].MaxConcurrency) != "10%" {
		t.Fatalf("DescribeMaintenanceWindowTasks: %v, %+v", err, tasks)
	}
	_, err = c.DeregisterTargetFromMaintenanceWindow(testCtx(t), &ssm.DeregisterTargetFromMaintenanceWindowInput{WindowId: &id, WindowTargetId: &targetID, Safe: aws.Bool(true)})
	var inUse *types.TargetInUseException
	if !errors.As(err, &inUse) {
		t.Fatalf("safe deregister of a target in use: %v", err)
	}
	if _, err := c.DeregisterTaskFromMaintenanceWindow(testCtx(t), &ssm.DeregisterTaskFromMaintenanceWindowInput{WindowId: &id, WindowTaskId: &taskID}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeregisterTargetFromMaintenanceWindow(testCtx(t), &ssm.DeregisterTargetFromMaintenanceWindowInput{WindowId: &id, WindowTargetId: &targetID, Safe: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeregisterTaskFromMaintenanceWindow(testCtx(t), &ssm.DeregisterTaskFromMaintenanceWindowInput{WindowId: &id, WindowTaskId: &taskID})
	if apiCode(err) != "DoesNotExistException" {
		t.Fatalf("deregister twice: %v", err)
	}
}
