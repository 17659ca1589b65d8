package probe

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/patchready/patchready/documents"
)

// fakeOutcome is how the fake service finishes one node's invocation.
type fakeOutcome struct {
	status  types.CommandInvocationStatus
	details string
	output  string // plugin output on Success
	full    string // GetCommandInvocation's full stdout, when output is cut
	code    int32
	// hiddenPolls is how many listings miss the invocation first.
	hiddenPolls int
	// pendingPolls is how many listings show it InProgress first.
	pendingPolls int
	// gone makes SendCommand refuse any batch holding this node.
	gone bool
}

// fakeAPI is an in-memory Run Command for pure edge cases; the simulator
// covers the real protocol.
type fakeAPI struct {
	ssmdocFake
	outcomes map[string]fakeOutcome

	mu       sync.Mutex
	sends    [][]string
	commands map[string][]string // command ID → instance IDs
	polls    map[string]int      // command ID → listings so far
	lists    int
	gets     int
}

func newFakeAPI(outcomes map[string]fakeOutcome) *fakeAPI {
	return &fakeAPI{outcomes: outcomes, commands: map[string][]string{}, polls: map[string]int{}}
}

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func (f *fakeAPI) SendCommand(_ context.Context, in *ssm.SendCommandInput, _ ...func(*ssm.Options)) (*ssm.SendCommandOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sends = append(f.sends, in.InstanceIds)
	if len(in.InstanceIds) > BatchSize || aws.ToString(in.DocumentName) != documents.ProbeDocumentName {
		return nil, apiErr("ValidationException")
	}
	for _, id := range in.InstanceIds {
		if f.outcomes[id].gone {
			return nil, apiErr("InvalidInstanceId")
		}
	}
	id := fmt.Sprintf("%08d-0000-0000-0000-000000000000", len(f.sends))
	f.commands[id] = slices.Clone(in.InstanceIds)
	return &ssm.SendCommandOutput{Command: &types.Command{CommandId: aws.String(id)}}, nil
}

func (f *fakeAPI) ListCommandInvocations(_ context.Context, in *ssm.ListCommandInvocationsInput, _ ...func(*ssm.Options)) (*ssm.ListCommandInvocationsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	cmd := aws.ToString(in.CommandId)
	ids, ok := f.commands[cmd]
	if !ok {
		return nil, apiErr("InvalidCommandId")
	}
	if in.NextToken == nil {
		f.polls[cmd]++
	}
	poll := f.polls[cmd]
	var all []types.CommandInvocation
	for _, id := range ids {
		o := f.outcomes[id]
		if poll <= o.hiddenPolls {
			continue
		}
		inv := types.CommandInvocation{InstanceId: aws.String(id), Status: types.CommandInvocationStatusInProgress}
		if poll > o.hiddenPolls+o.pendingPolls {
			inv.Status, inv.StatusDetails = o.status, aws.String(o.details)
			inv.CommandPlugins = []types.CommandPlugin{{Name: aws.String(documents.ProbeStepName), Output: aws.String(o.output), ResponseCode: o.code}}
		}
		all = append(all, inv)
	}
	// Pages of at most MaxResults, to exercise the paginator.
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	end := min(len(all), start+int(aws.ToInt32(in.MaxResults)))
	out := &ssm.ListCommandInvocationsOutput{CommandInvocations: all[start:end]}
	if end < len(all) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeAPI) GetCommandInvocation(_ context.Context, in *ssm.GetCommandInvocationInput, _ ...func(*ssm.Options)) (*ssm.GetCommandInvocationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	o, ok := f.outcomes[aws.ToString(in.InstanceId)]
	if !ok {
		return nil, apiErr("InvocationDoesNotExist")
	}
	return &ssm.GetCommandInvocationOutput{Status: o.status, StandardOutputContent: aws.String(o.full)}, nil
}

// ssmdocFake is a document store that accepts everything.
type ssmdocFake struct {
	mu      sync.Mutex
	content map[string]string
	version map[string]int
}

func (d *ssmdocFake) DescribeDocument(_ context.Context, in *ssm.DescribeDocumentInput, _ ...func(*ssm.Options)) (*ssm.DescribeDocumentOutput, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.content[aws.ToString(in.Name)]
	if !ok {
		return nil, apiErr("InvalidDocument")
	}
	v := strconv.Itoa(d.version[aws.ToString(in.Name)])
	return &ssm.DescribeDocumentOutput{Document: &types.DocumentDescription{
		Name: in.Name, Hash: aws.String(documents.ContentHash(c)), DocumentVersion: aws.String(v), DefaultVersion: aws.String(v),
		Status: types.DocumentStatusActive,
		Tags:   []types.Tag{{Key: aws.String("patchready:managed"), Value: aws.String("true")}},
	}}, nil
}

func (d *ssmdocFake) CreateDocument(_ context.Context, in *ssm.CreateDocumentInput, _ ...func(*ssm.Options)) (*ssm.CreateDocumentOutput, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.content == nil {
		d.content, d.version = map[string]string{}, map[string]int{}
	}
	d.content[aws.ToString(in.Name)] = aws.ToString(in.Content)
	d.version[aws.ToString(in.Name)] = 1
	return &ssm.CreateDocumentOutput{DocumentDescription: &types.DocumentDescription{DocumentVersion: aws.String("1"), Status: types.DocumentStatusActive}}, nil
}

func (d *ssmdocFake) UpdateDocument(context.Context, *ssm.UpdateDocumentInput, ...func(*ssm.Options)) (*ssm.UpdateDocumentOutput, error) {
	return nil, apiErr("NotImplemented")
}

func (d *ssmdocFake) UpdateDocumentDefaultVersion(context.Context, *ssm.UpdateDocumentDefaultVersionInput, ...func(*ssm.Options)) (*ssm.UpdateDocumentDefaultVersionOutput, error) {
	return nil, apiErr("NotImplemented")
}

func (d *ssmdocFake) AddTagsToResource(context.Context, *ssm.AddTagsToResourceInput, ...func(*ssm.Options)) (*ssm.AddTagsToResourceOutput, error) {
	return &ssm.AddTagsToResourceOutput{}, nil
}
