package remedy

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/runcmd"
)

// RunCommandAPI is what the run-command strategy calls.
type RunCommandAPI interface {
	runcmd.API
	ssm.ListCommandsAPIClient
	CancelCommand(ctx context.Context, in *ssm.CancelCommandInput, optFns ...func(*ssm.Options)) (*ssm.CancelCommandOutput, error)
}

var _ RunCommandAPI = (*ssm.Client)(nil)

var runCommandStrategy = Strategy{
	Name:    "run-command",
	Summary: "Run Command of AWS-UpdateSSMAgent, ≤ 50 nodes per command: nothing to create or remove afterwards",
	UseWhen: "a handful of nodes, now (an on-call fix): the fastest path from plan to verified",
	New:     func(api API, o Options) (AgentUpdater, error) { return NewRunCommand(api, o) },
}

// updateAgentStep is the plugin of AWS-UpdateSSMAgent (schema 1.2) whose
// status and output an invocation carries.
const updateAgentStep = "aws:updateSsmAgent"

// updateDeliverySeconds is how long SSM tries to deliver the update to a
// node: as long as an association would wait for a node to come back is
// not wanted here, where an unreachable node should be reported soon.
const updateDeliverySeconds = 600

// RunCommand updates the agent by sending AWS-UpdateSSMAgent with Run
// Command, one command per batch of ≤ 50 nodes. Nothing is created that
// would need removing; the commands are recorded in the journal and carry
// a comment naming the run and batch, by which a resumed run finds a
// command it sent but did not get to record.
type RunCommand struct {
	api  RunCommandAPI
	opts Options

	mu sync.Mutex
	// cmds maps each command to the nodes it went to.
	cmds map[string][]string
	// settled holds the commands whose every invocation has finished.
	settled map[string]bool
}

// NewRunCommand returns the run-command strategy.
func NewRunCommand(api RunCommandAPI, opts Options) (*RunCommand, error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &RunCommand{api: api, opts: opts, cmds: map[string][]string{}, settled: map[string]bool{}}, nil
}

func (r *RunCommand) comment(batch int) string {
	return fmt.Sprintf("patchready update-agent run %s batch %s%d", r.opts.RunID, r.opts.BatchLabel, batch)
}

// Start sends the update to every batch that the resumed part of the run
// did not already send.
func (r *RunCommand) Start(ctx context.Context, batches [][]string) error {
	sentBefore, err := r.findSent(ctx)
	if err != nil {
		return err
	}
	params := updateAgentParams(r.opts.AgentVersion)
	for i, ids := range batches {
		comment := r.comment(i + 1)
		if sent, ok := sentBefore[comment]; ok {
			// A batch SSM split (a node it refused) went out as several
			// commands under one comment: each is followed for its nodes.
			for _, s := range sent {
				r.opts.Logger.Info("resuming agent update command", zap.String("command_id", s.CommandID), zap.Int("batch", i+1))
				r.adopt(s.CommandID, s.InstanceIDs)
			}
			continue
		}
		c := runcmd.Command{
			Document: documents.UpdateAgentDocumentName, Parameters: params,
			MaxConcurrency: r.opts.MaxConcurrency, MaxErrors: r.opts.MaxErrors,
			DeliveryTimeoutSeconds: updateDeliverySeconds, Comment: comment, Step: updateAgentStep,
		}
		_, refused, err := runcmd.Send(ctx, r.api, c, ids, func(s runcmd.Sent) error {
			r.adopt(s.CommandID, s.InstanceIDs)
			r.opts.Logger.Info("sent agent update command", zap.String("command_id", s.CommandID), zap.Int("nodes", len(s.InstanceIDs)))
			return r.opts.Journal.Created(Resource{Type: ResourceCommand, ID: s.CommandID, Name: comment, InstanceIDs: s.InstanceIDs, Action: "update-agent"})
		})
		if err != nil {
			return err
		}
		if len(refused) > 0 {
			// The nodes are gone (terminated or deregistered): converge
			// reads them back as no longer managed.
			r.opts.Logger.Warn("nodes refused by SSM; not updated", zap.Strings("instance_ids", refused))
		}
	}
	return nil
}

func (r *RunCommand) adopt(id string, ids []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmds[id] = append([]string(nil), ids...)
}

// findSent returns, by comment, the update commands the interrupted part
// of this run sent: those in its journal, and (should the process have
// died between SendCommand and the journal line) those SSM lists with this
// run's comment.
func (r *RunCommand) findSent(ctx context.Context) (map[string][]runcmd.Sent, error) {
	out := map[string][]runcmd.Sent{}
	known := map[string]bool{}
	for _, res := range r.opts.Resumed {
		if res.Type == ResourceCommand && res.Action == "update-agent" && res.Name != "" {
			out[res.Name] = append(out[res.Name], runcmd.Sent{CommandID: res.ID, InstanceIDs: res.InstanceIDs})
			known[res.ID] = true
		}
	}
	if !r.opts.Resume {
		return out, nil
	}
	p := ssm.NewListCommandsPaginator(r.api, &ssm.ListCommandsInput{
		MaxResults: aws.Int32(50),
		Filters: []types.CommandFilter{
			{Key: types.CommandFilterKeyDocumentName, Value: aws.String(documents.UpdateAgentDocumentName)},
			{Key: types.CommandFilterKeyInvokedAfter, Value: aws.String(runStart(r.opts.RunID).Format(time.RFC3339))},
		},
	})
	prefix := fmt.Sprintf("patchready update-agent run %s batch ", r.opts.RunID)
	for pages := 0; p.HasMorePages() && pages < 100; pages++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list agent update commands: %w", err)
		}
		for _, c := range page.Commands {
			if cm := aws.ToString(c.Comment); strings.HasPrefix(cm, prefix) {
				// A command the interrupt cancelled is sent again: the
				// nodes it did reach just report the update as done.
				cancelled := c.Status == types.CommandStatusCancelled || c.Status == types.CommandStatusCancelling
				if id := aws.ToString(c.CommandId); !known[id] && !cancelled {
					out[cm] = append(out[cm], runcmd.Sent{CommandID: id, InstanceIDs: c.InstanceIds})
					known[id] = true
				}
			}
		}
	}
	return out, nil
}

// runStart reads the start time out of a run ID (20261125T201500Z-1a2b3c),
// less a minute for clock skew; the zero time when it cannot.
func runStart(runID string) time.Time {
	stamp, _, _ := strings.Cut(runID, "-")
	t, err := time.Parse("20060102T150405Z", stamp)
	if err != nil {
		return time.Time{}
	}
	return t.Add(-time.Minute)
}

// Status reads the invocations of every command with pending nodes.
func (r *RunCommand) Status(ctx context.Context, pending map[string]bool) (AgentStatus, error) {
	r.mu.Lock()
	cmds := map[string][]string{}
	for id, ids := range r.cmds {
		if !r.settled[id] && anyPending(ids, pending) {
			cmds[id] = ids
		}
	}
	r.mu.Unlock()
	out := newAgentStatus()
	for id := range cmds {
		results, err := runcmd.Results(ctx, r.api, id, updateAgentStep, nil)
		if err != nil {
			return AgentStatus{}, err
		}
		finished := 0
		for _, res := range results {
			if !res.Finished {
				continue
			}
			finished++
			switch {
			case !pending[res.InstanceID]:
			case res.Status == types.CommandInvocationStatusSuccess:
				out.Succeeded[res.InstanceID] = true
			default:
				out.Failed[res.InstanceID] = agentFailure(string(res.Status), res.Details)
			}
		}
		if finished == len(cmds[id]) {
			r.mu.Lock()
			r.settled[id] = true
			r.mu.Unlock()
		}
	}
	return out, nil
}

// Finish has nothing to remove: commands are not resources.
func (r *RunCommand) Finish(context.Context) error { return nil }

// Interrupt cancels the update commands that have not finished, so that no
// node starts an agent update after the operator stopped the run (an
// update already running on a node completes). A resumed run reads the
// nodes back and sends the update again to those it did not reach.
func (r *RunCommand) Interrupt(ctx context.Context) error {
	r.mu.Lock()
	var open []string
	for id := range r.cmds {
		if !r.settled[id] {
			open = append(open, id)
		}
	}
	r.mu.Unlock()
	for _, id := range open {
		_, err := r.api.CancelCommand(ctx, &ssm.CancelCommandInput{CommandId: aws.String(id)})
		if err != nil && !awsclient.IsNotFound(err) && awsclient.Code(err) != "InvalidCommandId" {
			return fmt.Errorf("cancel agent update command %s: %w", id, err)
		}
		r.opts.Logger.Info("cancelled agent update command", zap.String("command_id", id))
		// Recorded as gone, so that a resumed run sends the batch again
		// instead of following a command that will not finish its work.
		if err := r.opts.Journal.Deleted(Resource{Type: ResourceCommand, ID: id, Action: "update-agent"}); err != nil {
			return err
		}
	}
	return nil
}
