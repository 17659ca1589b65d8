package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
)

// ScanOptions tune the scan plan --scan makes. A scan downloads the patch
// run's payload and refreshes the package manager's metadata, so it takes
// minutes (four times as long on Windows): the waits are longer than the
// probe's.
type ScanOptions struct {
	// PollInterval is the first wait before reading results; later waits
	// grow by half up to MaxPollInterval.
	PollInterval, MaxPollInterval time.Duration
	// Timeout bounds the whole scan from its send; a node whose scan has
	// not ended by then counts as failed.
	Timeout time.Duration
}

// Defaults for ScanOptions.
const (
	DefaultScanPollInterval    = 15 * time.Second
	DefaultScanMaxPollInterval = time.Minute
	DefaultScanTimeout         = 30 * time.Minute
)

// CheckAndSetDefaults fills what is unset and refuses what cannot work.
func (o *ScanOptions) CheckAndSetDefaults() error {
	if o.PollInterval < 0 || o.MaxPollInterval < 0 || o.Timeout < 0 {
		return errors.New("scan options: durations must not be negative")
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultScanPollInterval
	}
	if o.MaxPollInterval == 0 {
		o.MaxPollInterval = max(DefaultScanMaxPollInterval, o.PollInterval)
	}
	if o.MaxPollInterval < o.PollInterval {
		return fmt.Errorf("scan options: max poll interval %s is below the poll interval %s", o.MaxPollInterval, o.PollInterval)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultScanTimeout
	}
	return nil
}

// scanCandidates are the nodes of p plan --scan scans: those the preflight
// found compliant or fixable. A node it blocks is not scanned: the scan
// could not unblock it (see plan.NodeScan), so it would cost minutes and a
// payload download for nothing.
func scanCandidates(p plan.Plan) []fleet.Node {
	var out []fleet.Node
	for _, np := range p.Nodes {
		if np.Verdict == plan.Compliant || np.Verdict == plan.Fix {
			out = append(out, np.Node)
		}
	}
	return out
}

// runPlanScan runs Patch Manager's own scan on nodes and waits, on c, for
// every node's result: whether it passed and the patch state Patch Manager
// recorded, or why it failed.
func runPlanScan(ctx context.Context, api *ssm.Client, nodes []fleet.Node, runID string, opts ScanOptions, c clock.Clock, log *zap.Logger) (map[string]plan.NodeScan, error) {
	out := make(map[string]plan.NodeScan, len(nodes))
	if len(nodes) == 0 {
		return out, nil
	}
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	s, err := remedy.NewPlanScan(api, nodes, runID, c, log)
	if err != nil {
		return nil, err
	}
	pending := make(map[string]bool, len(nodes))
	ids := make([]string, 0, len(nodes))
	for _, n := range nodes {
		pending[n.InstanceID] = true
		ids = append(ids, n.InstanceID)
	}
	slices.Sort(ids)
	log.Info("scanning with AWS-RunPatchBaseline (Operation=Scan)", zap.Int("nodes", len(ids)))
	deadline := c.Now().Add(opts.Timeout)
	if err := s.Send(ctx, ids); err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	wait := opts.PollInterval
	for len(pending) > 0 {
		if err := c.Sleep(ctx, min(wait, max(time.Second, deadline.Sub(c.Now())))); err != nil {
			return nil, err
		}
		wait = min(opts.MaxPollInterval, wait+wait/2)
		got, err := s.Results(ctx)
		if err != nil {
			return nil, err
		}
		for id, r := range got {
			if pending[id] {
				out[id] = nodeScan(r)
				delete(pending, id)
			}
		}
		if len(pending) > 0 && !c.Now().Before(deadline) {
			for id := range pending {
				out[id] = plan.NodeScan{Reason: fmt.Sprintf("the patch scan did not end within %s", opts.Timeout)}
			}
			log.Warn("patch scan timed out on some nodes", zap.Int("nodes", len(pending)))
			break
		}
	}
	passed := 0
	for _, ns := range out {
		if ns.Passed {
			passed++
		}
	}
	log.Info("scan finished", zap.Int("nodes", len(out)), zap.Int("passed", passed), zap.Int("failed", len(out)-passed))
	return out, nil
}

// nodeScan is a scan stage's result as a plan records it.
func nodeScan(r remedy.StageResult) plan.NodeScan {
	if r.OK {
		return plan.NodeScan{Passed: true, PatchState: r.PatchState}
	}
	ns := plan.NodeScan{Reason: r.Reason, Detail: r.Detail}
	if f := r.ScanFailure; f != nil {
		ns.Cause, ns.Check, ns.Advice = f.Cause, f.Check, f.Advice
	}
	return ns
}
