package remedy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/clock"
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
	inFlight inFlight
	step     map[string]string // command ID → step name
	// refused are nodes SSM would not send the scan to, reported failed
	// by the next Results.
	refused []string
	// awaiting are the nodes whose scan passed and whose patch state is
	// still to be read, with when their success was seen (see toRead).
	awaiting map[string]time.Time
	// queued are nodes given to Send whose scan is saved up, by platform,
	// and entered every node ever given to Send or adopted (see flush).
	queued  map[string][]queuedNode
	entered map[string]bool
	// drain, when closed, stops flush sending (see SetDrain).
	drain <-chan struct{}
}

// stateWait bounds how long a node whose scan passed waits for its patch
// state to be read. While other scans run, reads are saved up to whole
// pages of 50 nodes (one DescribeInstancePatchStates call each) instead of
// one call per poll round that saw a few scans end; a node is then verified
// up to this long after its scan.
const stateWait = 5 * time.Minute

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
// names the plan in the command's comment; c tells how long a node has
// waited for its patch state (see stateWait).
func NewPlanScan(api ScanAPI, nodes []fleet.Node, runID string, c clock.Clock, log *zap.Logger) (*Scan, error) {
	if runID == "" {
		return nil, errors.New("plan scan: no run ID")
	}
	if log == nil {
		log = zap.NewNop()
	}
	if c == nil {
		c = clock.Real{}
	}
	return newScan(api, nodes, Options{RunID: runID, MaxConcurrency: planScanConcurrency, MaxErrors: "100%", Logger: log, Clock: c}), nil
}

func newScan(api ScanAPI, nodes []fleet.Node, opts Options) *Scan {
	s := &Scan{api: api, opts: opts, platform: map[string]string{}, step: map[string]string{},
		awaiting: map[string]time.Time{}, queued: map[string][]queuedNode{}, entered: map[string]bool{}}
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
	s.inFlight.add(commandID, ids)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.entered[id] = true
	}
	if len(ids) > 0 {
		s.step[commandID] = scanStep(s.platform[ids[0]])
	}
}

// Send starts the scan on ids: one command per platform and ≤ 50 nodes,
// saved up into whole commands while more of the platform's targets may
// still come (see flush).
func (s *Scan) Send(ctx context.Context, ids []string) error {
	if err := s.enqueue(ids); err != nil {
		return err
	}
	return s.flush(ctx)
}

// send sends the scan of one platform's nodes.
func (s *Scan) send(ctx context.Context, platform string, ids []string) error {
	c := runcmd.Command{
		Document:   documents.RunPatchBaselineDocumentName,
		Parameters: map[string][]string{"Operation": {"Scan"}, "RebootOption": {"NoReboot"}},
		// Each node's result is read on its own; the rate control is
		// the operator's, as for every other command.
		MaxConcurrency: s.opts.MaxConcurrency, MaxErrors: "100%",
		DeliveryTimeoutSeconds: scanDeliverySeconds, Comment: "patchready scan run " + s.opts.RunID, Step: scanStep(platform),
	}
	_, refused, err := runcmd.Send(ctx, s.api, c, ids, func(sent runcmd.Sent) error {
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
	return nil
}

// Results reads every scan still in flight and returns the nodes whose
// scan ended: failed with the patch run's own reason mapped to the check
// it points at, or succeeded with the patch state Patch Manager recorded.
// A scan that succeeded only by skipping repositories it could not reach
// is a failure: what it recorded leaves out their patches.
func (s *Scan) Results(ctx context.Context) (map[string]StageResult, error) {
	// Scans saved up for a whole command go once they have waited long
	// enough.
	if err := s.flush(ctx); err != nil {
		return nil, err
	}
	cmds := s.inFlight.snapshot()
	s.mu.Lock()
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
			if r.Status != types.CommandInvocationStatusSuccess {
				res, why := scanFailure(r), scanFailureOf(r)
				res.ScanFailure = &why
				out[r.InstanceID] = res
				continue
			}
			if res, skipped := scanSkippedRepos(r); skipped {
				out[r.InstanceID] = res
				continue
			}
			passed = append(passed, r.InstanceID)
		}
		s.inFlight.settle(cmdID, ids, settled)
	}
	read := s.toRead(passed)
	if len(read) > 0 {
		states, err := s.patchStates(ctx, read)
		if err != nil {
			// The nodes stay awaiting: their states are read next time.
			return nil, err
		}
		s.mu.Lock()
		for _, id := range read {
			delete(s.awaiting, id)
		}
		s.mu.Unlock()
		for _, id := range read {
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

// toRead adds the nodes whose scan just passed to those awaiting their
// patch state, and returns those to read now: all of them once no scan is
// in flight or one has waited stateWait, else whole pages of 50, oldest
// first.
func (s *Scan) toRead(passed []string) []string {
	now := s.opts.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range passed {
		if _, ok := s.awaiting[id]; !ok {
			s.awaiting[id] = now
		}
	}
	ids := make([]string, 0, len(s.awaiting))
	for id := range s.awaiting {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(s.awaiting[a].Compare(s.awaiting[b]), strings.Compare(a, b))
	})
	if len(ids) == 0 || s.inFlight.empty() || !now.Before(s.awaiting[ids[0]].Add(stateWait)) {
		return ids
	}
	return ids[:len(ids)/runcmd.MaxTargets*runcmd.MaxTargets]
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
