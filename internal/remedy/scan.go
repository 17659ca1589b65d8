package remedy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/runcmd"
)

// ScanAPI is what the scan stage calls: Run Command and the patch states
// Patch Manager records.
type ScanAPI interface {
	runcmd.API
	ssm.DescribeInstancePatchStatesAPIClient
}

var _ ScanAPI = (*ssm.Client)(nil)

// scanDeliverySeconds is how long SSM tries to deliver the scan.
const scanDeliverySeconds = 600

// Scan runs Patch Manager's own AWS-RunPatchBaseline with Operation=Scan
// (read-only for the node's packages: nothing installed, no reboot) and
// reads back, for each node whose scan succeeded, the patch state Patch
// Manager recorded. It is the strongest evidence patchready can give that
// a node is ready: Patch Manager itself worked on it, with its own
// interpreter, payload download and package manager.
type Scan struct {
	api  ScanAPI
	opts Options
	// platform holds each target's platform type, which decides the step
	// its output is read from.
	platform map[string]string

	mu       sync.Mutex
	inFlight map[string][]string // command ID → nodes not yet settled
	step     map[string]string   // command ID → step name
	// refused are nodes SSM would not send the scan to, reported failed
	// by the next Results.
	refused []string
}

// NewScan returns the scan stage for nodes.
func NewScan(api ScanAPI, nodes []fleet.Node, opts Options) (*Scan, error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return newScan(api, nodes, opts), nil
}

// planScanConcurrency lets a plan's scan run on a whole command's nodes at
// once, as the probe does: it changes nothing on them, and a plan has no
// rate controls to take from the operator.
const planScanConcurrency = "50"

// NewPlanScan returns the scan as plan --scan runs it. Like the probe, it
// keeps no journal: a plan changes nothing on the nodes and creates
// nothing that could be undone (a command cannot be deleted), so the
// journal's methods, which do nothing on nil, are left without one. runID
// names the plan in the command's comment.
func NewPlanScan(api ScanAPI, nodes []fleet.Node, runID string, log *zap.Logger) (*Scan, error) {
	if runID == "" {
		return nil, errors.New("plan scan: no run ID")
	}
	if log == nil {
		log = zap.NewNop()
	}
	return newScan(api, nodes, Options{RunID: runID, MaxConcurrency: planScanConcurrency, MaxErrors: "100%", Logger: log}), nil
}

func newScan(api ScanAPI, nodes []fleet.Node, opts Options) *Scan {
	s := &Scan{api: api, opts: opts, platform: map[string]string{}, inFlight: map[string][]string{}, step: map[string]string{}}
	for _, n := range nodes {
		s.platform[n.InstanceID] = n.PlatformType
	}
	return s
}

// Add makes nodes scan targets too: nodes a run brought under management
// and planned late, after the stage was made.
func (s *Scan) Add(nodes []fleet.Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range nodes {
		s.platform[n.InstanceID] = n.PlatformType
	}
}

// scanStep is the step of AWS-RunPatchBaseline a platform runs.
func scanStep(platform string) string {
	switch platform {
	case fleet.PlatformWindows:
		return documents.PatchWindowsStepName
	case fleet.PlatformMacOS:
		return documents.PatchMacOSStepName
	}
	return documents.PatchLinuxStepName
}

// Adopt resumes watching a scan sent by an earlier, interrupted run.
func (s *Scan) Adopt(commandID string, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight[commandID] = append([]string(nil), ids...)
	if len(ids) > 0 {
		s.step[commandID] = scanStep(s.platform[ids[0]])
	}
}

// Send starts the scan on ids: one command per platform and ≤ 50 nodes.
func (s *Scan) Send(ctx context.Context, ids []string) error {
	byPlatform := map[string][]string{}
	s.mu.Lock()
	for _, id := range ids {
		p, ok := s.platform[id]
		if !ok {
			s.mu.Unlock()
			return fmt.Errorf("scan: node %s is not a scan target", id)
		}
		byPlatform[p] = append(byPlatform[p], id)
	}
	s.mu.Unlock()
	platforms := make([]string, 0, len(byPlatform))
	for p := range byPlatform {
		platforms = append(platforms, p)
	}
	slices.Sort(platforms)
	for _, p := range platforms {
		step := scanStep(p)
		c := runcmd.Command{
			Document:   documents.RunPatchBaselineDocumentName,
			Parameters: map[string][]string{"Operation": {"Scan"}, "RebootOption": {"NoReboot"}},
			// Each node's result is read on its own; the rate control is
			// the operator's, as for every other command.
			MaxConcurrency: s.opts.MaxConcurrency, MaxErrors: "100%",
			DeliveryTimeoutSeconds: scanDeliverySeconds, Comment: "patchready scan run " + s.opts.RunID, Step: step,
		}
		_, refused, err := runcmd.Send(ctx, s.api, c, byPlatform[p], func(sent runcmd.Sent) error {
			s.Adopt(sent.CommandID, sent.InstanceIDs)
			s.opts.Logger.Info("sent patch scan", zap.String("command_id", sent.CommandID), zap.Int("nodes", len(sent.InstanceIDs)))
			return s.opts.Journal.Created(Resource{Type: ResourceCommand, ID: sent.CommandID, InstanceIDs: sent.InstanceIDs, Action: "scan"})
		})
		if err != nil {
			return err
		}
		if len(refused) > 0 {
			s.opts.Logger.Warn("nodes refused by SSM; not scanned", zap.Strings("instance_ids", refused))
			s.mu.Lock()
			s.refused = append(s.refused, refused...)
			s.mu.Unlock()
		}
	}
	return nil
}

// Results reads every scan still in flight and returns the nodes whose
// scan ended: failed with the patch run's own reason mapped to the check
// it points at, or succeeded with the patch state Patch Manager recorded.
func (s *Scan) Results(ctx context.Context) (map[string]StageResult, error) {
	s.mu.Lock()
	cmds := make(map[string][]string, len(s.inFlight))
	for k, v := range s.inFlight {
		cmds[k] = v
	}
	refused := s.refused
	s.refused = nil
	s.mu.Unlock()
	out := map[string]StageResult{}
	for _, id := range refused {
		// Waiting for these would only end at the deadline.
		out[id] = StageResult{Reason: "the patch scan was not sent: SSM no longer accepts commands for this node (InvalidInstanceId)"}
	}
	var passed []string
	for cmdID, ids := range cmds {
		only := map[string]bool{}
		for _, id := range ids {
			only[id] = true
		}
		s.mu.Lock()
		step := s.step[cmdID]
		s.mu.Unlock()
		results, err := runcmd.Results(ctx, s.api, cmdID, step, only)
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		settled := map[string]bool{}
		for _, r := range results {
			if !r.Finished {
				continue
			}
			settled[r.InstanceID] = true
			if r.Status == types.CommandInvocationStatusSuccess {
				passed = append(passed, r.InstanceID)
				continue
			}
			res, why := scanFailure(r), scanFailureOf(r)
			res.ScanFailure = &why
			out[r.InstanceID] = res
		}
		var left []string
		for _, id := range ids {
			if !settled[id] {
				left = append(left, id)
			}
		}
		s.mu.Lock()
		if len(left) == 0 {
			delete(s.inFlight, cmdID)
		} else {
			s.inFlight[cmdID] = left
		}
		s.mu.Unlock()
	}
	if len(passed) > 0 {
		states, err := s.patchStates(ctx, passed)
		if err != nil {
			return nil, err
		}
		for _, id := range passed {
			st, ok := states[id]
			if !ok {
				// Patch Manager records the state when the scan reports
				// it; a success with no state is not yet proof.
				out[id] = StageResult{Reason: "the patch scan succeeded but Patch Manager recorded no patch state for the node"}
				continue
			}
			out[id] = StageResult{OK: true, Reason: "Patch Manager scanned the node: " + st.Summary(), PatchState: &st}
		}
	}
	return out, nil
}

// patchStates reads the patch states of ids, ≤ 50 per call.
func (s *Scan) patchStates(ctx context.Context, ids []string) (map[string]PatchState, error) {
	out := map[string]PatchState{}
	for batch := range slices.Chunk(ids, 50) {
		p := ssm.NewDescribeInstancePatchStatesPaginator(s.api, &ssm.DescribeInstancePatchStatesInput{
			InstanceIds: batch, MaxResults: aws.Int32(50),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("read patch states: %w", err)
			}
			for _, st := range page.InstancePatchStates {
				out[aws.ToString(st.InstanceId)] = PatchState{
					Missing: int(st.MissingCount), Failed: int(st.FailedCount), Installed: int(st.InstalledCount),
					InstalledPendingReboot: int(aws.ToInt32(st.InstalledPendingRebootCount)),
					Operation:              string(st.Operation), OperationEnd: aws.ToTime(st.OperationEndTime),
				}
			}
		}
	}
	return out, nil
}
