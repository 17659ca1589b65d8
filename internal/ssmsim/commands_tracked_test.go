package ssmsim

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Cancelling the Run Command command behind an association run ends that
// node's run, and the execution finishes instead of waiting forever.
func TestCancelCommandEndsAssociationExecution(t *testing.T) {
	f := fleetOf(2)
	opts, clk := manualOpts(f)
	_, c := startSim(t, opts, 0)
	a := createUpdateAgent(t, c, &ssm.CreateAssociationInput{Targets: allNodes, MaxConcurrency: aws.String("1"), MaxErrors: aws.String("1")})
	clk.Advance(10 * time.Second) // the first node's update runs (90 s)
	execs := associationExecutions(t, c, *a.AssociationId)
	if len(execs) != 1 {
		t.Fatalf("executions = %+v", execs)
	}
	targets, err := c.DescribeAssociationExecutionTargets(testCtx(t), &ssm.DescribeAssociationExecutionTargetsInput{
		AssociationId: a.AssociationId, ExecutionId: execs[0].ExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	var cmd string
	for _, tg := range targets.AssociationExecutionTargets {
		if aws.ToString(tg.ResourceId) == f.Nodes[0].ID && tg.OutputSource != nil {
			cmd = aws.ToString(tg.OutputSource.OutputSourceId)
		}
	}
	if cmd == "" {
		t.Fatalf("no running command for %s in %+v", f.Nodes[0].ID, targets.AssociationExecutionTargets)
	}
	if _, err := c.CancelCommand(testCtx(t), &ssm.CancelCommandInput{CommandId: aws.String(cmd)}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)

	if inv := getInv(t, c, cmd, f.Nodes[0].ID); inv.Status != types.CommandInvocationStatusCancelled {
		t.Errorf("cancelled invocation: %s", inv.Status)
	}
	execs = associationExecutions(t, c, *a.AssociationId)
	if len(execs) != 1 {
		t.Fatalf("%d executions, want 1", len(execs))
	}
	if st, n := aws.ToString(execs[0].Status), aws.ToString(execs[0].ResourceCountByStatus); st != "Failed" || n != "{Success=1, Failed=1}" {
		t.Fatalf("execution after the cancel: %s %s, want Failed {Success=1, Failed=1}", st, n)
	}
	targets, err = c.DescribeAssociationExecutionTargets(testCtx(t), &ssm.DescribeAssociationExecutionTargetsInput{
		AssociationId: a.AssociationId, ExecutionId: execs[0].ExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets.AssociationExecutionTargets {
		if aws.ToString(tg.ResourceId) == f.Nodes[0].ID && aws.ToString(tg.DetailedStatus) != "Cancelled" {
			t.Errorf("cancelled node's target: %s/%s, want Failed/Cancelled", aws.ToString(tg.Status), aws.ToString(tg.DetailedStatus))
		}
	}
}

// The same for a maintenance window: the cancelled invocation reads
// CANCELLED and the window execution ends.
func TestCancelCommandEndsWindowExecution(t *testing.T) {
	opts, clk := manualOpts(prodFleet(1))
	_, c := startSim(t, opts, 0)
	id, _, _ := newWindow(t, c, 2, 1, "1")
	clk.Advance(time.Hour + 10*time.Second) // 10:00:10, the update runs
	execs := windowExecutions(t, c, id)
	if len(execs) != 1 || execs[0].Status != types.MaintenanceWindowExecutionStatusInProgress {
		t.Fatalf("executions = %+v", execs)
	}
	task := windowTaskOf(t, c, execs[0].WindowExecutionId)
	invs := windowInvocations(t, c, execs[0].WindowExecutionId, task.TaskExecutionId)
	if len(invs) != 1 {
		t.Fatalf("invocations = %+v", invs)
	}
	if _, err := c.CancelCommand(testCtx(t), &ssm.CancelCommandInput{CommandId: invs[0].ExecutionId}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)

	invs = windowInvocations(t, c, execs[0].WindowExecutionId, task.TaskExecutionId)
	if len(invs) != 1 || invs[0].Status != types.MaintenanceWindowExecutionStatusCancelled {
		t.Errorf("invocation after the cancel: %s, want CANCELLED", invs[0].Status)
	}
	if execs = windowExecutions(t, c, id); len(execs) != 1 || execs[0].Status != types.MaintenanceWindowExecutionStatusFailed {
		t.Errorf("execution after the cancel: %s, want FAILED", execs[0].Status)
	}
}

func windowTaskOf(t *testing.T, c *ssm.Client, execID *string) types.MaintenanceWindowExecutionTaskIdentity {
	t.Helper()
	tasks, err := c.DescribeMaintenanceWindowExecutionTasks(testCtx(t), &ssm.DescribeMaintenanceWindowExecutionTasksInput{WindowExecutionId: execID})
	if err != nil || len(tasks.WindowExecutionTaskIdentities) != 1 {
		t.Fatalf("DescribeMaintenanceWindowExecutionTasks: %v, %+v", err, tasks)
	}
	return tasks.WindowExecutionTaskIdentities[0]
}

func windowInvocations(t *testing.T, c *ssm.Client, execID, taskID *string) []types.MaintenanceWindowExecutionTaskInvocationIdentity {
	t.Helper()
	out, err := c.DescribeMaintenanceWindowExecutionTaskInvocations(testCtx(t), &ssm.DescribeMaintenanceWindowExecutionTaskInvocationsInput{
		WindowExecutionId: execID, TaskId: taskID})
	if err != nil {
		t.Fatalf("DescribeMaintenanceWindowExecutionTaskInvocations: %v", err)
	}
	return out.WindowExecutionTaskInvocationIdentities
}
