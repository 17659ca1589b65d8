package remedy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
)

// CommandAPI is what the requests upgrade calls.
type CommandAPI interface {
	ssm.ListCommandInvocationsAPIClient
	SendCommand(ctx context.Context, in *ssm.SendCommandInput, optFns ...func(*ssm.Options)) (*ssm.SendCommandOutput, error)
}

var _ CommandAPI = (*ssm.Client)(nil)

// RequestsResult is how the requests upgrade ended on one node.
type RequestsResult struct {
	OK     bool
	Before string
	After  string
	Reason string // why it failed, in plain words
}

// Requests upgrades Python requests with the project's document through
// Run Command, ≤ 50 nodes per command, and reads the results back.
type Requests struct {
	api        CommandAPI
	opts       Options
	minVersion string

	mu       sync.Mutex
	inFlight map[string][]string // command ID → nodes not yet settled
}

// NewRequests returns the requests upgrader; minVersion is passed to the
// document (which checks it against its allowedPattern).
func NewRequests(api CommandAPI, minVersion string, opts Options) *Requests {
	return &Requests{api: api, opts: opts.withDefaults(), minVersion: minVersion, inFlight: map[string][]string{}}
}

// Adopt resumes watching a command sent by an earlier, interrupted run.
func (r *Requests) Adopt(commandID string, ids []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inFlight[commandID] = append([]string(nil), ids...)
}

// Send starts the upgrade on ids, in commands of ≤ 50 nodes.
func (r *Requests) Send(ctx context.Context, ids []string) error {
	for _, batch := range chunk(ids, 50) {
		out, err := r.api.SendCommand(ctx, &ssm.SendCommandInput{
			DocumentName:   aws.String(documents.UpgradeRequestsDocumentName),
			InstanceIds:    batch,
			Parameters:     map[string][]string{"minVersion": {r.minVersion}},
			MaxConcurrency: aws.String(r.opts.MaxConcurrency),
			MaxErrors:      aws.String("100%"), // each node's result is read on its own
			TimeoutSeconds: aws.Int32(600),
			Comment:        aws.String("patchready upgrade-requests run " + r.opts.RunID),
		})
		if err != nil {
			return fmt.Errorf("send upgrade-requests command: %w", err)
		}
		id := aws.ToString(out.Command.CommandId)
		r.mu.Lock()
		r.inFlight[id] = batch
		r.mu.Unlock()
		r.opts.Logger.Info("sent upgrade-requests command", zap.String("command_id", id), zap.Int("nodes", len(batch)))
		if err := r.opts.Journal.Created(Resource{Type: ResourceCommand, ID: id, InstanceIDs: batch, Action: "upgrade-requests"}); err != nil {
			return err
		}
	}
	return nil
}

// Results reads the invocations of every command still in flight and
// returns the nodes that have finished. One ListCommandInvocations call
// reads a whole command of ≤ 50 nodes, where GetCommandInvocation would
// take one call per node.
func (r *Requests) Results(ctx context.Context) (map[string]RequestsResult, error) {
	r.mu.Lock()
	cmds := make(map[string][]string, len(r.inFlight))
	for k, v := range r.inFlight {
		cmds[k] = v
	}
	r.mu.Unlock()
	out := map[string]RequestsResult{}
	for cmdID, ids := range cmds {
		settled := map[string]bool{}
		p := ssm.NewListCommandInvocationsPaginator(r.api, &ssm.ListCommandInvocationsInput{
			CommandId: aws.String(cmdID), Details: true, MaxResults: aws.Int32(50),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list invocations of command %s: %w", cmdID, err)
			}
			for _, inv := range page.CommandInvocations {
				res, done := requestsResult(inv)
				if done {
					id := aws.ToString(inv.InstanceId)
					out[id] = res
					settled[id] = true
				}
			}
		}
		var left []string
		for _, id := range ids {
			if !settled[id] {
				left = append(left, id)
			}
		}
		r.mu.Lock()
		if len(left) == 0 {
			delete(r.inFlight, cmdID)
		} else {
			r.inFlight[cmdID] = left
		}
		r.mu.Unlock()
	}
	return out, nil
}

// requestsResult turns one invocation into a result, or reports that it
// has not finished. Invocations not yet visible (SSM is eventually
// consistent) simply do not appear in the listing and stay in flight.
func requestsResult(inv types.CommandInvocation) (RequestsResult, bool) {
	if !awsclient.InvocationFinished(inv.Status) {
		return RequestsResult{}, false
	}
	output := ""
	for _, pl := range inv.CommandPlugins {
		output += aws.ToString(pl.Output)
	}
	rep, parsed := parseUpgradeReport(output)
	if inv.Status == types.CommandInvocationStatusSuccess {
		if !parsed {
			return RequestsResult{Reason: "upgrade command succeeded but printed no readable report"}, true
		}
		return RequestsResult{OK: true, Before: rep.Before, After: rep.After}, true
	}
	reason := fmt.Sprintf("upgrade-requests %s (%s)", strings.ToLower(string(inv.Status)), aws.ToString(inv.StatusDetails))
	if parsed && rep.Error != "" {
		reason += ": " + rep.Error
	}
	return RequestsResult{Reason: reason, Before: rep.Before, After: rep.After}, true
}

// parseUpgradeReport takes the last line of output that is a report.
func parseUpgradeReport(output string) (documents.UpgradeReport, bool) {
	lines := strings.Split(strings.TrimSpace(output), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var rep documents.UpgradeReport
		line := strings.TrimSpace(lines[i])
		if strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &rep) == nil && rep.Schema == 1 {
			return rep, true
		}
	}
	return documents.UpgradeReport{}, false
}
