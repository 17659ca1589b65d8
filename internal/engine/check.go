package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/probe"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/runcmd"
	"github.com/patchready/patchready/internal/ssmdoc"
)

// checkStage makes the late plan of each node the run has just brought
// under management, as plan would have made it had the node been managed:
// the read-only probe (when the plan probed), every check by the plan's
// rules, then the actions. It starts the agent update through the plan's
// strategy and makes the fix stage take the node's fixes; its result
// tells converge what follows (remedy.Then), so that the node is verified,
// or fails, in the same run.
type checkStage struct {
	api   *ssm.Client
	p     plan.Plan
	agent *agentUpdaters
	fix   *fixStage
	// scan, when the run ends with Patch Manager's scan, scans each node
	// the late plan does not block: registering it was a change.
	scan    *remedy.Scan
	journal *remedy.Journal
	runID   string
	clock   clock.Clock
	log     *zap.Logger

	probeVersion string
	ensured      bool
	// probing maps each probe command to the nodes it has not reported.
	probing map[string][]string
	// nodes are the nodes sent, as read when sent (then with their probe
	// facts); ready those whose facts are complete.
	nodes map[string]fleet.Node
	ready []string
	// gone are nodes that were no longer managed nodes when sent.
	gone []string
}

func newCheckStage(api *ssm.Client, p plan.Plan, agent *agentUpdaters, fix *fixStage, j *remedy.Journal, runID string, c clock.Clock, log *zap.Logger) *checkStage {
	return &checkStage{api: api, p: p, agent: agent, fix: fix, journal: j, runID: runID, clock: c, log: log,
		probing: map[string][]string{}, nodes: map[string]fleet.Node{}}
}

// Send reads the nodes and sends the probe to those it runs on.
func (s *checkStage) Send(ctx context.Context, ids []string) error {
	got, err := fleet.ReadBack(ctx, s.api, ids, 0, s.log)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	var probeIDs []string
	for _, id := range ids {
		n, ok := got[id]
		switch {
		case !ok:
			s.gone = append(s.gone, id)
			continue
		case s.p.ProbeRan && probe.Eligible(n):
			probeIDs = append(probeIDs, id)
		case !s.p.ProbeRan && n.PlatformType == fleet.PlatformLinux:
			// As plan --no-probe says: its patch-run checks were not made.
			n.Probe = &fleet.ProbeFacts{Status: fleet.ProbeSkipped, Reason: "probe turned off (--no-probe)"}
			s.ready = append(s.ready, id)
		default:
			s.ready = append(s.ready, id)
		}
		s.nodes[id] = n
	}
	if len(probeIDs) == 0 {
		return nil
	}
	if !s.ensured {
		v, err := probe.EnsureDocument(ctx, s.api, managedTags(s.runID, "probe"), ssmdoc.Options{Clock: s.clock, Logger: s.log})
		if err != nil {
			return fmt.Errorf("probe document: %w", err)
		}
		s.probeVersion, s.ensured = v, true
	}
	sent, refused, err := runcmd.Send(ctx, s.api, probe.Command(s.probeVersion), probeIDs, nil)
	if err != nil {
		return fmt.Errorf("probe nodes brought under management: %w", err)
	}
	for _, c := range sent {
		s.probing[c.CommandID] = c.InstanceIDs
	}
	for _, id := range refused {
		n := s.nodes[id]
		n.Probe = &fleet.ProbeFacts{Status: fleet.ProbeFailed, Reason: "probe not sent: SSM no longer accepts commands for this node (InvalidInstanceId)"}
		s.nodes[id] = n
		s.ready = append(s.ready, id)
	}
	return nil
}

// Results collects the probe reports, then decides every node whose facts
// are complete.
func (s *checkStage) Results(ctx context.Context) (map[string]remedy.StageResult, error) {
	out := map[string]remedy.StageResult{}
	for _, id := range s.gone {
		out[id] = remedy.StageResult{Reason: "registered, then no longer a managed node before it could be checked"}
	}
	s.gone = nil
	for cmd, ids := range s.probing {
		only := make(map[string]bool, len(ids))
		for _, id := range ids {
			only[id] = true
		}
		results, err := runcmd.Results(ctx, s.api, cmd, documents.ProbeStepName, only)
		if err != nil {
			return out, fmt.Errorf("check: %w", err)
		}
		for _, res := range results {
			if !res.Finished {
				continue
			}
			n := s.nodes[res.InstanceID]
			f := probe.FactsFrom(res)
			n.Probe = &f
			s.nodes[res.InstanceID] = n
			s.ready = append(s.ready, res.InstanceID)
			delete(only, res.InstanceID)
		}
		if len(only) == 0 {
			delete(s.probing, cmd)
		} else {
			s.probing[cmd] = slices.Sorted(maps.Keys(only))
		}
	}
	if len(s.ready) == 0 {
		return out, nil
	}
	// On an error the nodes stay ready and are decided again next round.
	if err := s.decide(ctx, out); err != nil {
		return nil, err
	}
	s.ready = nil
	return out, nil
}

// thenScan adds the scan to what follows for n, when the run scans.
func (s *checkStage) thenScan(n fleet.Node, then *remedy.Then) *remedy.Then {
	if s.scan != nil {
		s.scan.Add([]fleet.Node{n})
		then.Stages = append(then.Stages, stageScan)
	}
	return then
}

// decide makes the late plan of the ready nodes: plan.Build with the
// plan's own rules and strategy, so that a node is held to exactly what a
// managed one is.
func (s *checkStage) decide(ctx context.Context, out map[string]remedy.StageResult) error {
	nodes := make([]fleet.Node, 0, len(s.ready))
	for _, id := range s.ready {
		nodes = append(nodes, s.nodes[id])
	}
	late := plan.Build(nodes, nil, plan.Options{Region: s.p.Region, Account: s.p.Account, Rules: s.p.Rules, Strategy: s.p.Strategy, ProbeRan: s.p.ProbeRan})
	var needAgent []string
	var fixes []remedy.FixTarget
	for _, np := range late.Nodes {
		id := np.Node.InstanceID
		var actions []string
		for _, a := range np.Actions {
			actions = append(actions, a.String())
		}
		if err := s.journal.Append(remedy.Entry{Kind: remedy.EntryLatePlan, InstanceID: id, State: np.Verdict.String(),
			Reason: strings.Join(np.Reasons, "; "), Actions: actions}); err != nil {
			return err
		}
		s.log.Info("late plan", zap.String("instance_id", id), zap.Stringer("verdict", np.Verdict), zap.Strings("actions", actions))
		switch np.Verdict {
		case plan.Compliant:
			out[id] = remedy.StageResult{OK: true, Reason: "registered with SSM and checked by rules " + s.p.Rules.Name + ": meets every prerequisite",
				Then: s.thenScan(np.Node, &remedy.Then{AgentBefore: np.Node.AgentVersion})}
		case plan.Blocked:
			out[id] = remedy.StageResult{Reason: "registered with SSM, but blocked: " + strings.Join(np.Reasons, "; ")}
		default:
			then := &remedy.Then{UpdateAgent: np.HasAction(prereq.UpdateAgent), AgentBefore: np.Node.AgentVersion}
			if then.UpdateAgent {
				needAgent = append(needAgent, id)
			}
			if hasFix(np) {
				then.Stages = []string{stageFix}
				var acts []prereq.ActionKind
				for _, a := range np.Actions {
					if a != prereq.UpdateAgent {
						acts = append(acts, a)
					}
				}
				fixes = append(fixes, remedy.FixTarget{Node: np.Node, Actions: acts})
			}
			out[id] = remedy.StageResult{OK: true, Reason: "registered with SSM; late plan: " + strings.Join(actions, ", "), Then: s.thenScan(np.Node, then)}
		}
	}
	if len(fixes) > 0 {
		if err := s.fix.add(ctx, fixes); err != nil {
			return err
		}
	}
	if len(needAgent) > 0 {
		slices.Sort(needAgent)
		var batches [][]string
		for b := range slices.Chunk(needAgent, plan.MaxBatchSize) {
			batches = append(batches, b)
		}
		if err := s.agent.Start(ctx, batches); err != nil {
			// The nodes are managed now; what failed is this run's update
			// of them, which a new plan and apply can retry.
			for _, id := range needAgent {
				out[id] = remedy.StageResult{Reason: "registered with SSM, but its agent update could not start: " + err.Error()}
			}
		}
	}
	return nil
}
