package remedy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/probe"
	"github.com/patchready/patchready/internal/runcmd"
)

// FixTarget is one node the fix document runs on.
type FixTarget struct {
	// Node is the node as planned; its probe facts are the "before".
	Node fleet.Node
	// Actions are the node's fix actions (never update-agent).
	Actions []prereq.ActionKind
}

// fixDeliverySeconds is how long SSM tries to deliver the fix document.
const fixDeliverySeconds = 600

// Fix runs patchready's fix document (documents/fix.yaml) through Run
// Command and reads each node back from the probe report the document
// prints last: a node is OK only when every patch-run check, made again by
// the same rules as the plan on what the node now reports, neither blocks
// nor still needs a fix. The fix's own word that a step succeeded is not
// enough, and no node is verified on another interpreter's module: the
// read-back is the patch run's interpreter's.
type Fix struct {
	api     runcmd.API
	opts    Options
	rules   prereq.Rules
	version string // document version; "" for the default
	targets map[string]FixTarget

	inFlight inFlight
}

// NewFix returns the fix stage for targets, checked by rules.
func NewFix(api runcmd.API, rules prereq.Rules, targets []FixTarget, opts Options) (*Fix, error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	f := &Fix{api: api, opts: opts, rules: rules, targets: map[string]FixTarget{}}
	for _, t := range targets {
		if len(t.Actions) == 0 {
			return nil, fmt.Errorf("fix target %s has no actions", t.Node.InstanceID)
		}
		f.targets[t.Node.InstanceID] = t
	}
	return f, nil
}

// Add makes more nodes fix targets: those a run planned after it started
// (the nodes it brought under management). Like Send and Results, it is
// called from the watch's one goroutine.
func (f *Fix) Add(targets []FixTarget) error {
	for _, t := range targets {
		if len(t.Actions) == 0 {
			return fmt.Errorf("fix target %s has no actions", t.Node.InstanceID)
		}
		f.targets[t.Node.InstanceID] = t
	}
	return nil
}

// Name is the stage's name in progress and journals.
func (f *Fix) Name() string { return "fix" }

// SetDocumentVersion pins the document version to run (the one ensured).
func (f *Fix) SetDocumentVersion(v string) { f.version = v }

// Adopt resumes watching a command sent by an earlier, interrupted run.
func (f *Fix) Adopt(commandID string, ids []string) {
	f.inFlight.add(commandID, ids)
}

// fixSteps returns the document steps for actions, in the document's order.
func fixSteps(actions []prereq.ActionKind) string {
	order := []string{documents.FixPython, documents.FixCurl, documents.FixRequests}
	var steps []string
	for _, a := range actions {
		if act, ok := prereq.LookupAction(a); ok && act.FixStep != "" {
			steps = append(steps, act.FixStep)
		}
	}
	slices.SortFunc(steps, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
	return strings.Join(slices.Compact(steps), ",")
}

// Send starts the fix on ids: one command per distinct set of steps and
// ≤ 50 nodes.
func (f *Fix) Send(ctx context.Context, ids []string) error {
	groups := map[string][]string{}
	var keys []string
	for _, id := range ids {
		t, ok := f.targets[id]
		if !ok {
			return fmt.Errorf("fix: node %s is not a fix target", id)
		}
		k := fixSteps(t.Actions)
		if _, seen := groups[k]; !seen {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], id)
	}
	slices.Sort(keys)
	for _, steps := range keys {
		c := runcmd.Command{
			Document: documents.FixDocumentName, DocumentVersion: f.version,
			Parameters:     map[string][]string{"actions": {steps}, "minRequests": {f.rules.MinRequestsVersion}},
			MaxConcurrency: f.opts.MaxConcurrency, MaxErrors: "100%", // each node's result is read on its own
			DeliveryTimeoutSeconds: fixDeliverySeconds, Comment: "patchready fix run " + f.opts.RunID, Step: documents.FixStepName,
		}
		_, refused, err := runcmd.Send(ctx, f.api, c, groups[steps], func(s runcmd.Sent) error {
			f.Adopt(s.CommandID, s.InstanceIDs)
			f.opts.Logger.Info("sent fix command", zap.String("command_id", s.CommandID), zap.String("steps", steps), zap.Int("nodes", len(s.InstanceIDs)))
			return f.opts.Journal.Created(Resource{Type: ResourceCommand, ID: s.CommandID, InstanceIDs: s.InstanceIDs, Action: "fix:" + steps})
		})
		if err != nil {
			return err
		}
		if len(refused) > 0 {
			f.opts.Logger.Warn("nodes refused by SSM; fix not sent", zap.Strings("instance_ids", refused))
		}
	}
	return nil
}

// Results reads the invocations of every command still in flight and
// returns the nodes that have finished, each read back.
func (f *Fix) Results(ctx context.Context) (map[string]StageResult, error) {
	cmds := f.inFlight.snapshot()
	out := map[string]StageResult{}
	for cmdID, ids := range cmds {
		only := make(map[string]bool, len(ids))
		for _, id := range ids {
			only[id] = true
		}
		results, err := runcmd.Results(ctx, f.api, cmdID, documents.FixStepName, only)
		if err != nil {
			return nil, fmt.Errorf("fix: %w", err)
		}
		settled := map[string]bool{}
		for _, res := range results {
			if !res.Finished {
				continue
			}
			out[res.InstanceID] = f.readBack(res)
			settled[res.InstanceID] = true
		}
		f.inFlight.settle(cmdID, ids, settled)
	}
	return out, nil
}

// readBack decides one finished invocation.
func (f *Fix) readBack(res runcmd.Result) StageResult {
	t := f.targets[res.InstanceID]
	steps, stepsOK := parseFixReport(res.Output)
	detail := stepDetail(steps)
	rep, err := probe.Parse(res.Output)
	if !res.StepFound || err != nil {
		reason := runcmd.FailureReason("fix", res)
		if res.Status == types.CommandInvocationStatusSuccess {
			reason = "fix printed no readable read-back"
			if err != nil {
				reason += ": " + err.Error()
			}
		}
		if stepsOK && detail != "" {
			reason += "; " + detail
		}
		return StageResult{Reason: reason, Detail: detail}
	}
	after := t.Node
	after.Probe = &fleet.ProbeFacts{Status: fleet.ProbeOK, ProbeReport: rep}
	if prereq.NeedsAgentUpdate(after.AgentVersion, f.rules) {
		// converge sends the fix only once the node's agent update is
		// read back at the minimum or above: the agent has restarted
		// since the plan, and the checks must not take the old version
		// for an update still to come.
		after.AgentVersion = f.rules.MinAgentVersion
	}
	changes := probeChanges(t.Node, after)
	ev := prereq.EvaluateNode(after, f.rules)
	var still []string
	for _, r := range ev.Checks {
		c, ok := prereq.Lookup(r.Check)
		if !ok || !c.AppliesTo.Probe {
			continue
		}
		if k, _ := c.Consequence(r); k == prereq.Block || k == prereq.Fix {
			still = append(still, r.Reason)
		}
	}
	if len(still) > 0 {
		reason := "still failing after the fix: " + strings.Join(still, "; ")
		if failed := failedSteps(steps); failed != "" {
			reason = failed + "; " + reason
		}
		return StageResult{Reason: reason, Changes: changes, Detail: detail}
	}
	return StageResult{OK: true, Reason: "read back: every patch-run check passes", Changes: changes, Detail: detail}
}

// parseFixReport finds the fix report line.
func parseFixReport(output string) ([]documents.FixStep, bool) {
	lines := strings.Split(output, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var rep documents.FixReport
		if json.Unmarshal([]byte(line), &rep) == nil && rep.Kind == "fix" && rep.Schema == documents.FixReportSchema {
			return rep.Steps, true
		}
	}
	return nil, false
}

func stepDetail(steps []documents.FixStep) string {
	var parts []string
	for _, s := range steps {
		parts = append(parts, s.Name+": "+cut(s.Detail, 200))
	}
	return strings.Join(parts, "; ")
}

func failedSteps(steps []documents.FixStep) string {
	var parts []string
	for _, s := range steps {
		if !s.OK {
			parts = append(parts, "fix step "+s.Name+" failed: "+cut(s.Detail, 200))
		}
	}
	return strings.Join(parts, "; ")
}

// probeChanges lists what the fix changed among the facts a reviewer
// cares about.
func probeChanges(before, after fleet.Node) []Change {
	var out []Change
	for _, f := range []struct{ what, fact string }{
		{"python", "python"}, {"requests", "requests_version"}, {"pip", "pip"}, {"downloader", "downloader"}, {"package module", "package_module"},
	} {
		b, a := prereq.FactOf(f.fact, before), prereq.FactOf(f.fact, after)
		if b != a {
			out = append(out, Change{What: f.what, Before: noneIfEmpty(b), After: noneIfEmpty(a)})
		}
	}
	return out
}

func noneIfEmpty(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
