package remedy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// fakeSSM is a small in-memory SSM for the bookkeeping of the executors:
// associations (create, list, describe, delete, start once) and commands
// (send, list, cancel, invocations). It checks nothing AWS would not; the
// simulator tests in package engine cover the wire.
type fakeSSM struct {
	mu sync.Mutex
	// associations by ID, in creation order.
	assocs []*types.AssociationDescription
	// commands by ID, in send order, with their invocations.
	cmds []*fakeCommand
	// calls counts calls per operation.
	calls map[string]int
	// refuse makes SendCommand answer InvalidInstanceId for any batch
	// holding one of these IDs, as SSM does for a terminated node.
	refuse map[string]bool
	// patchStates are what DescribeInstancePatchStates answers.
	patchStates map[string]types.InstancePatchState
	serial      int
}

type fakeCommand struct {
	types.Command
	// invs are the invocations' status, output and step, by instance ID.
	invs map[string]fakeInvocation
}

type fakeInvocation struct {
	status types.CommandInvocationStatus
	output string
	step   string
}

func newFakeSSM() *fakeSSM {
	return &fakeSSM{calls: map[string]int{}, refuse: map[string]bool{}, patchStates: map[string]types.InstancePatchState{}}
}

func (f *fakeSSM) count(op string) { f.calls[op]++ }

func (f *fakeSSM) next(prefix string) string {
	f.serial++
	return fmt.Sprintf("%s-%04d", prefix, f.serial)
}

func apiError(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func (f *fakeSSM) CreateAssociation(_ context.Context, in *ssm.CreateAssociationInput, _ ...func(*ssm.Options)) (*ssm.CreateAssociationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count("CreateAssociation")
	for _, a := range f.assocs {
		// The simulator's strict reading: one document per target set.
		if aws.ToString(a.Name) == aws.ToString(in.Name) && targetsKey(a.Targets) == targetsKey(in.Targets) {
			return nil, &types.AssociationAlreadyExists{Message: aws.String("exists: " + aws.ToString(a.AssociationId))}
		}
	}
	d := &types.AssociationDescription{
		AssociationId: aws.String(f.next("assoc")), AssociationName: in.AssociationName, Name: in.Name,
		Targets: in.Targets, Parameters: in.Parameters,
	}
	f.assocs = append(f.assocs, d)
	return &ssm.CreateAssociationOutput{AssociationDescription: d}, nil
}

func targetsKey(ts []types.Target) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, aws.ToString(t.Key)+"="+strings.Join(t.Values, ","))
	}
	return strings.Join(parts, ";")
}

func (f *fakeSSM) DescribeAssociation(_ context.Context, in *ssm.DescribeAssociationInput, _ ...func(*ssm.Options)) (*ssm.DescribeAssociationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count("DescribeAssociation")
	for _, a := range f.assocs {
		if aws.ToString(a.AssociationId) == aws.ToString(in.AssociationId) {
			return &ssm.DescribeAssociationOutput{AssociationDescription: a}, nil
		}
	}
	return nil, &types.AssociationDoesNotExist{}
}

func (f *fakeSSM) DeleteAssociation(_ context.Context, in *ssm.DeleteAssociationInput, _ ...func(*ssm.Options)) (*ssm.DeleteAssociationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count("DeleteAssociation")
	for i, a := range f.assocs {
		if aws.ToString(a.AssociationId) == aws.ToString(in.AssociationId) {
			f.assocs = slices.Delete(f.assocs, i, i+1)
			return &ssm.DeleteAssociationOutput{}, nil
		}
	}
	return nil, &types.AssociationDoesNotExist{}
}

func (f *fakeSSM) StartAssociationsOnce(_ context.Context, in *ssm.StartAssociationsOnceInput, _ ...func(*ssm.Options)) (*ssm.StartAssociationsOnceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count("StartAssociationsOnce")
	return &ssm.StartAssociationsOnceOutput{}, nil
}

func (f *fakeSSM) ListAssociations(_ context.Context, in *ssm.ListAssociationsInput, _ ...func(*ssm.Options)) (*ssm.ListAssociationsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count("ListAssociations")
	out := &ssm.ListAssociationsOutput{}
	for _, a := range f.assocs {
		if len(in.AssociationFilterList) > 0 && aws.ToString(in.AssociationFilterList[0].Value) != aws.ToString(a.Name) {
			continue
		}
		out.Associations = append(out.Associations, types.Association{
			AssociationId: a.AssociationId, AssociationName: a.AssociationName, Name: a.Name, Targets: a.Targets,
		})
	}
	return out, nil
}

func (f *fakeSSM) DescribeAssociationExecutions(context.Context, *ssm.DescribeAssociationExecutionsInput, ...func(*ssm.Options)) (*ssm.DescribeAssociationExecutionsOutput, error) {
	return &ssm.DescribeAssociationExecutionsOutput{}, nil
}

func (f *fakeSSM) DescribeAssociationExecutionTargets(context.Context, *ssm.DescribeAssociationExecutionTargetsInput, ...func(*ssm.Options)) (*ssm.DescribeAssociationExecutionTargetsOutput, error) {
	return &ssm.DescribeAssociationExecutionTargetsOutput{}, nil
}

func (f *fakeSSM) SendCommand(_ context.Context, in *ssm.SendCommandInput, _ ...func(*ssm.Options)) (*ssm.SendCommandOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count("SendCommand")
	for _, id := range in.InstanceIds {
		if f.refuse[id] {
			return nil, apiError("InvalidInstanceId")
		}
	}
	c := &fakeCommand{Command: types.Command{
		CommandId: aws.String(f.next("cmd")), DocumentName: in.DocumentName, Comment: in.Comment,
		InstanceIds: slices.Clone(in.InstanceIds), Parameters: in.Parameters, Status: types.CommandStatusInProgress,
	}, invs: map[string]fakeInvocation{}}
	for _, id := range in.InstanceIds {
		c.invs[id] = fakeInvocation{status: types.CommandInvocationStatusInProgress}
	}
	f.cmds = append(f.cmds, c)
	return &ssm.SendCommandOutput{Command: &c.Command}, nil
}

// finish ends the invocation of command id on node with status and output
// (of step). It panics when the command did not go to the node: a test
// that finishes the wrong command would otherwise pass for nothing.
func (f *fakeSSM) finish(id, node string, status types.CommandInvocationStatus, step, output string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.cmds {
		if aws.ToString(c.CommandId) == id && slices.Contains(c.InstanceIds, node) {
			c.invs[node] = fakeInvocation{status: status, output: output, step: step}
			return
		}
	}
	panic("fake: command " + id + " did not go to " + node)
}

// commandOf returns the ID of the last command sent to node.
func (f *fakeSSM) commandOf(node string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.cmds) - 1; i >= 0; i-- {
		if slices.Contains(f.cmds[i].InstanceIds, node) {
			return aws.ToString(f.cmds[i].CommandId)
		}
	}
	panic("fake: no command went to " + node)
}

func (f *fakeSSM) ListCommands(_ context.Context, in *ssm.ListCommandsInput, _ ...func(*ssm.Options)) (*ssm.ListCommandsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count("ListCommands")
	out := &ssm.ListCommandsOutput{}
	for _, c := range f.cmds {
		out.Commands = append(out.Commands, c.Command)
	}
	return out, nil
}

func (f *fakeSSM) CancelCommand(_ context.Context, in *ssm.CancelCommandInput, _ ...func(*ssm.Options)) (*ssm.CancelCommandOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count("CancelCommand")
	for _, c := range f.cmds {
		if aws.ToString(c.CommandId) == aws.ToString(in.CommandId) {
			c.Status = types.CommandStatusCancelled
			for id, inv := range c.invs {
				if inv.status == types.CommandInvocationStatusInProgress {
					c.invs[id] = fakeInvocation{status: types.CommandInvocationStatusCancelled}
				}
			}
		}
	}
	return &ssm.CancelCommandOutput{}, nil
}

func (f *fakeSSM) ListCommandInvocations(_ context.Context, in *ssm.ListCommandInvocationsInput, _ ...func(*ssm.Options)) (*ssm.ListCommandInvocationsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count("ListCommandInvocations")
	out := &ssm.ListCommandInvocationsOutput{}
	for _, c := range f.cmds {
		if aws.ToString(c.CommandId) != aws.ToString(in.CommandId) {
			continue
		}
		for _, id := range c.InstanceIds {
			inv := c.invs[id]
			ci := types.CommandInvocation{CommandId: c.CommandId, InstanceId: aws.String(id), Status: inv.status, StatusDetails: aws.String(string(inv.status))}
			if inv.step != "" {
				ci.CommandPlugins = []types.CommandPlugin{{Name: aws.String(inv.step), Output: aws.String(inv.output)}}
			}
			out.CommandInvocations = append(out.CommandInvocations, ci)
		}
	}
	return out, nil
}

func (f *fakeSSM) GetCommandInvocation(context.Context, *ssm.GetCommandInvocationInput, ...func(*ssm.Options)) (*ssm.GetCommandInvocationOutput, error) {
	return nil, apiError("InvocationDoesNotExist")
}

func (f *fakeSSM) DescribeInstancePatchStates(_ context.Context, in *ssm.DescribeInstancePatchStatesInput, _ ...func(*ssm.Options)) (*ssm.DescribeInstancePatchStatesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count("DescribeInstancePatchStates")
	if len(in.InstanceIds) > 50 {
		return nil, apiError("ValidationException")
	}
	out := &ssm.DescribeInstancePatchStatesOutput{}
	for _, id := range in.InstanceIds {
		if st, ok := f.patchStates[id]; ok {
			out.InstancePatchStates = append(out.InstancePatchStates, st)
		}
	}
	return out, nil
}

var (
	_ AssociationAPI = (*fakeSSM)(nil)
	_ RunCommandAPI  = (*fakeSSM)(nil)
	_ ScanAPI        = (*fakeSSM)(nil)
)

// testOptions are remedy options with a journal in a temporary directory.
func testOptions(t *testing.T, runID string) (Options, string) {
	t.Helper()
	dir := t.TempDir()
	j, err := OpenJournal(dir, runID, func() time.Time { return time.Unix(0, 0) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return Options{RunID: runID, Journal: j}, j.Path()
}
