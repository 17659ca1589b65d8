package ssmsim

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// send runs SendCommand and returns the command ID.
func sendCmd(t *testing.T, c *ssm.Client, in *ssm.SendCommandInput) string {
	t.Helper()
	out, err := c.SendCommand(testCtx(t), in)
	if err != nil {
		t.Fatalf("send command: %v", err)
	}
	return aws.ToString(out.Command.CommandId)
}

func getInv(t *testing.T, c *ssm.Client, cmd, node string) *ssm.GetCommandInvocationOutput {
	t.Helper()
	out, err := c.GetCommandInvocation(testCtx(t), &ssm.GetCommandInvocationInput{CommandId: aws.String(cmd), InstanceId: aws.String(node)})
	if err != nil {
		t.Fatalf("get invocation %s/%s: %v", cmd, node, err)
	}
	return out
}

func TestSendCommandLifecycle(t *testing.T) {
	f := fleetOf(3)
	opts, clk := manualOpts(f)
	_, c := startSim(t, opts, 0)
	ids := []string{f.Nodes[0].ID, f.Nodes[1].ID}
	out, err := c.SendCommand(testCtx(t), &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids,
		Parameters: map[string][]string{"commands": {"echo hi"}}, Comment: aws.String("lifecycle")})
	if err != nil {
		t.Fatal(err)
	}
	cmd := out.Command
	if len(aws.ToString(cmd.CommandId)) != 36 || cmd.Status != types.CommandStatusPending || cmd.TargetCount != 2 ||
		aws.ToString(cmd.MaxConcurrency) != "50" || aws.ToString(cmd.MaxErrors) != "0" || !cmd.RequestedDateTime.Equal(simT0) || cmd.ExpiresAfter == nil {
		t.Errorf("command = %+v", cmd)
	}
	id := aws.ToString(cmd.CommandId)

	// Eventual consistency: the invocation is invisible for a moment.
	_, err = c.GetCommandInvocation(testCtx(t), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(ids[0])})
	var notYet *types.InvocationDoesNotExist
	if !errors.As(err, &notYet) {
		t.Fatalf("right after SendCommand: %v, want InvocationDoesNotExist", err)
	}
	clk.Advance(3 * time.Second)
	if inv := getInv(t, c, id, ids[0]); inv.Status != types.CommandInvocationStatusInProgress {
		t.Errorf("after 3s: status %s, want InProgress", inv.Status)
	}
	clk.Advance(10 * time.Second)
	inv := getInv(t, c, id, ids[0])
	if inv.Status != types.CommandInvocationStatusSuccess || aws.ToString(inv.StatusDetails) != "Success" || inv.ResponseCode != 0 ||
		aws.ToString(inv.PluginName) != "aws:runShellScript" || !strings.HasPrefix(aws.ToString(inv.ExecutionEndDateTime), "2025-06-02T09:00:05") {
		t.Errorf("invocation = %+v", inv)
	}

	list, err := c.ListCommands(testCtx(t), &ssm.ListCommandsInput{CommandId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got := list.Commands[0]; got.Status != types.CommandStatusSuccess || got.CompletedCount != 2 || got.ErrorCount != 0 {
		t.Errorf("listed command = %+v", got)
	}
	invs, err := c.ListCommandInvocations(testCtx(t), &ssm.ListCommandInvocationsInput{CommandId: aws.String(id), Details: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(invs.CommandInvocations) != 2 || len(invs.CommandInvocations[0].CommandPlugins) != 1 {
		t.Fatalf("invocations = %+v", invs.CommandInvocations)
	}
	// A node only in another command is not in this one.
	_, err = c.GetCommandInvocation(testCtx(t), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(f.Nodes[2].ID)})
	if apiCode(err) != "InvocationDoesNotExist" {
		t.Errorf("node outside the command: %v", err)
	}
}

func TestSendCommandByTagHonoursConcurrencyAndErrors(t *testing.T) {
	f := fleetOf(10)
	for i := range f.Nodes {
		f.Nodes[i].Tags = map[string]string{"Role": "web"}
		f.Nodes[i].AgentVersion = "3.0.1124.0"
	}
	f.Nodes[0].Faults.UpdateFails = true
	f.Nodes[1].Faults.UpdateFails = true
	opts, clk := manualOpts(f)
	s, c := startSim(t, opts, 0)
	id := sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-UpdateSSMAgent"),
		Targets:        []types.Target{{Key: aws.String("tag:Role"), Values: []string{"web"}}},
		MaxConcurrency: aws.String("2"), MaxErrors: aws.String("1")})

	clk.Advance(time.Second)
	inFlight := 0
	s.WithRegion("us-east-1", func(r *Region) {
		for _, inv := range r.r.commands.byID[id].invocations {
			if inv.Status == "InProgress" {
				inFlight++
			}
		}
	})
	if inFlight != 2 {
		t.Errorf("in flight with MaxConcurrency 2: %d", inFlight)
	}
	clk.Advance(2 * time.Hour)
	out, err := c.ListCommands(testCtx(t), &ssm.ListCommandsInput{CommandId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	cmd := out.Commands[0]
	// The first two nodes fail together: 2 errors > MaxErrors 1, so the
	// other eight are never started.
	if cmd.Status != types.CommandStatusFailed || cmd.ErrorCount != 2 || cmd.TargetCount != 10 || cmd.CompletedCount != 10 {
		t.Errorf("command = status %s errors %d targets %d completed %d", cmd.Status, cmd.ErrorCount, cmd.TargetCount, cmd.CompletedCount)
	}
	inv := getInv(t, c, id, f.Nodes[9].ID)
	if inv.Status != types.CommandInvocationStatusCancelled || aws.ToString(inv.StatusDetails) != "Terminated" {
		t.Errorf("undispatched node: %s/%s", inv.Status, aws.ToString(inv.StatusDetails))
	}
	s.WithRegion("us-east-1", func(r *Region) {
		if n, _ := r.Node(f.Nodes[9].ID); n.AgentVersion != "3.0.1124.0" {
			t.Errorf("undispatched node was updated to %s", n.AgentVersion)
		}
	})
}

func TestCancelCommand(t *testing.T) {
	f := fleetOf(4)
	opts, clk := manualOpts(f)
	_, c := startSim(t, opts, 0)
	id := sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-UpdateSSMAgent"), InstanceIds: []string{f.Nodes[0].ID}})
	clk.Advance(5 * time.Second)
	if _, err := c.CancelCommand(testCtx(t), &ssm.CancelCommandInput{CommandId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if inv := getInv(t, c, id, f.Nodes[0].ID); inv.Status != types.CommandInvocationStatusCancelled {
		t.Errorf("after cancel: %s", inv.Status)
	}
	_, err := c.CancelCommand(testCtx(t), &ssm.CancelCommandInput{CommandId: aws.String("00000000-0000-4000-8000-000000000000")})
	var bad *types.InvalidCommandId
	if !errors.As(err, &bad) {
		t.Errorf("unknown command: %v", err)
	}
}

func TestSendCommandRejectsBadInput(t *testing.T) {
	f := fleetOf(60)
	f.Nodes[59].Terminated = true
	opts, _ := manualOpts(f)
	_, c := startSim(t, opts, 0)
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f.Nodes[i].ID
		}
		return out
	}
	shell := map[string][]string{"commands": {"true"}}
	tgt := types.Target{Key: aws.String("tag:Env"), Values: []string{"prod"}}
	tests := []struct {
		name string
		in   ssm.SendCommandInput
		code string
	}{
		{"51 instance ids", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids(51), Parameters: shell}, "ValidationException"},
		{"6 targets", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), Targets: []types.Target{tgt, tgt, tgt, tgt, tgt, tgt}, Parameters: shell}, "ValidationException"},
		{"ids and targets", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids(1), Targets: []types.Target{tgt}, Parameters: shell}, "ValidationException"},
		{"no nodes", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), Parameters: shell}, "ValidationException"},
		{"malformed id", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{"i-123"}, Parameters: shell}, "ValidationException"},
		{"unknown node", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{"i-0000000000000ffff"}, Parameters: shell}, "InvalidInstanceId"},
		{"terminated node", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{f.Nodes[59].ID}, Parameters: shell}, "InvalidInstanceId"},
		{"duplicate node", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{f.Nodes[0].ID, f.Nodes[0].ID}, Parameters: shell}, "DuplicateInstanceId"},
		{"unknown document", ssm.SendCommandInput{DocumentName: aws.String("No-Such-Doc"), InstanceIds: ids(1)}, "InvalidDocument"},
		{"unknown version", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), DocumentVersion: aws.String("7"), InstanceIds: ids(1), Parameters: shell}, "InvalidDocumentVersion"},
		{"missing required param", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids(1)}, "InvalidParameters"},
		{"unknown param", ssm.SendCommandInput{DocumentName: aws.String("AWS-UpdateSSMAgent"), InstanceIds: ids(1), Parameters: map[string][]string{"colour": {"x"}}}, "InvalidParameters"},
		{"disallowed value", ssm.SendCommandInput{DocumentName: aws.String("AWS-UpdateSSMAgent"), InstanceIds: ids(1), Parameters: map[string][]string{"allowDowngrade": {"maybe"}}}, "InvalidParameters"},
		{"pattern", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids(1), Parameters: map[string][]string{"commands": {"x"}, "executionTimeout": {"abc"}}}, "InvalidParameters"},
		{"max concurrency", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids(1), Parameters: shell, MaxConcurrency: aws.String("0")}, "ValidationException"},
		{"max errors", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids(1), Parameters: shell, MaxErrors: aws.String("-1")}, "ValidationException"},
		{"timeout low", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids(1), Parameters: shell, TimeoutSeconds: aws.Int32(29)}, "ValidationException"},
		{"comment long", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: ids(1), Parameters: shell, Comment: aws.String(strings.Repeat("x", 101))}, "ValidationException"},
		{"resource group target", ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), Targets: []types.Target{{Key: aws.String("resource-groups:Name"), Values: []string{"g"}}}, Parameters: shell}, "InvalidTarget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SendCommand(testCtx(t), &tt.in)
			if got := apiCode(err); got != tt.code {
				t.Fatalf("error %v: code %q, want %q", err, got, tt.code)
			}
		})
	}
	_, err := c.SendCommand(testCtx(t), &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{"i-0000000000000ffff"}, Parameters: shell})
	var bad *types.InvalidInstanceId
	if !errors.As(err, &bad) || !strings.Contains(bad.ErrorMessage(), "not in a valid state") {
		t.Errorf("unknown node: %v", err)
	}
}

func TestListCommandsValidationAndPagination(t *testing.T) {
	f := fleetOf(3)
	opts, clk := manualOpts(f)
	_, c := startSim(t, opts, 0)
	for range 7 {
		sendCmd(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-UpdateSSMAgent"), InstanceIds: []string{f.Nodes[0].ID, f.Nodes[1].ID}})
	}
	clk.Advance(time.Minute)
	p := ssm.NewListCommandsPaginator(c, &ssm.ListCommandsInput{MaxResults: aws.Int32(3)})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Commands)
	}
	if n != 7 {
		t.Errorf("listed %d commands, want 7", n)
	}
	ip := ssm.NewListCommandInvocationsPaginator(c, &ssm.ListCommandInvocationsInput{MaxResults: aws.Int32(4), InstanceId: aws.String(f.Nodes[1].ID)})
	n = 0
	for ip.HasMorePages() {
		out, err := ip.NextPage(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.CommandInvocations)
	}
	if n != 7 {
		t.Errorf("listed %d invocations on one node, want 7", n)
	}
	bad := []struct {
		name string
		in   ssm.ListCommandsInput
		code string
	}{
		{"max results", ssm.ListCommandsInput{MaxResults: aws.Int32(51)}, "ValidationException"},
		{"short id", ssm.ListCommandsInput{CommandId: aws.String("abc")}, "ValidationException"},
		{"unknown id", ssm.ListCommandsInput{CommandId: aws.String("00000000-0000-4000-8000-000000000000")}, "InvalidCommandId"},
		{"token", ssm.ListCommandsInput{NextToken: aws.String("nope")}, "InvalidNextToken"},
		{"filter value", ssm.ListCommandsInput{Filters: []types.CommandFilter{{Key: types.CommandFilterKeyStatus, Value: aws.String("Sleeping")}}}, "ValidationException"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ListCommands(testCtx(t), &tt.in)
			if got := apiCode(err); got != tt.code {
				t.Fatalf("error %v: code %q, want %q", err, got, tt.code)
			}
		})
	}
}
