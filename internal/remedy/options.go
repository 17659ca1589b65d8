package remedy

import (
	"context"
	"errors"

	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
)

// Options are shared by every executor.
type Options struct {
	// RunID tags everything created and names the journal. Required.
	RunID string
	// MaxConcurrency and MaxErrors are passed to SSM as they are
	// ("10%", "5"); the CLI validates them first.
	MaxConcurrency string
	MaxErrors      string
	// AgentVersion pins the agent version to install; "" means the latest.
	AgentVersion string
	// Keep leaves one-shot resources in place after their nodes settle.
	Keep bool
	// Resume says this run continues an interrupted one (apply --resume).
	Resume bool
	// Resumed are the live resources of the run being resumed, from its
	// journal. An executor that finds one of them again by name watches it
	// as it is instead of starting it again: its work was started by the
	// interrupted part of the same run.
	Resumed []Resource
	// Window configures the maintenance-window strategy.
	Window WindowOptions
	// BatchLabel, when set, goes before the batch numbers that name a
	// strategy's commands, so that the batches of nodes planned later in a
	// run (those it brought under management) are told from the plan's.
	BatchLabel string
	// Journal records every resource as it is created. Required.
	Journal *Journal
	Logger  *zap.Logger
	Clock   clock.Clock
}

// CheckAndSetDefaults refuses options missing what no default can stand in
// for (the run ID, the journal) and fills the rest.
func (o *Options) CheckAndSetDefaults() error {
	if o.RunID == "" {
		return errors.New("remedy options: no run ID")
	}
	if o.Journal == nil {
		return errors.New("remedy options: no journal: nothing may be created without a record")
	}
	if o.MaxConcurrency == "" {
		o.MaxConcurrency = "10%"
	}
	if o.MaxErrors == "" {
		o.MaxErrors = "10%"
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	return nil
}

// AgentUpdater delivers update-agent to nodes and reports what SSM says of
// each node it touched. It never decides that a node complies: converge
// reads the agent version back for that.
type AgentUpdater interface {
	// Start finds or creates what updates the agent on each batch of node
	// IDs (each ≤ 50) and sets it running.
	Start(ctx context.Context, batches [][]string) error
	// Status returns, among pending, the nodes whose update SSM reports
	// as ended: failed (or never started), or succeeded.
	Status(ctx context.Context, pending map[string]bool) (AgentStatus, error)
	// Finish removes what Start created for a one-shot run, unless
	// Options.Keep. It is called once every node has settled.
	Finish(ctx context.Context) error
	// Interrupt is called instead of Finish when the run stops before its
	// nodes settled (the first Ctrl-C or SIGTERM). What SSM runs is left
	// to finish unless the strategy says otherwise; resuming the run
	// follows it again.
	Interrupt(ctx context.Context) error
}

// AgentStatus is what SSM says of the agent updates that have ended. A
// node in neither map has no final word from SSM yet.
type AgentStatus struct {
	// Failed maps each node whose update failed, or was never started, to
	// the reason in plain words.
	Failed map[string]string
	// Succeeded holds the nodes whose update SSM reports as Success. That
	// is not proof of a new agent: AWS-UpdateSSMAgent also succeeds when it
	// skips the update (the regional manifest lags), so converge compares
	// it with the version read back.
	Succeeded map[string]bool
}

func newAgentStatus() AgentStatus {
	return AgentStatus{Failed: map[string]string{}, Succeeded: map[string]bool{}}
}

// updateAgentParams are the AWS-UpdateSSMAgent parameters for a run.
func updateAgentParams(version string) map[string][]string {
	p := map[string][]string{"allowDowngrade": {"false"}}
	if version != "" {
		p["version"] = []string{version}
	}
	return p
}

// StageResult is how one node's command stage (the fix document, the
// patch scan) ended, as read back from what the node reported.
type StageResult struct {
	// OK says the node reads back as the stage wanted it.
	OK bool
	// Reason says why not, in plain words, or what was read back.
	Reason string
	// Changes are the facts the stage changed, before and after.
	Changes []Change
	// Detail is the tail of the node's own output, kept for the journal
	// and -o json (never a proxy URL: documents do not print one).
	Detail string
	// PatchState is what Patch Manager recorded of the node after a
	// successful scan; nil for other stages.
	PatchState *PatchState
	// ScanFailure names why a scan failed, for plan --scan; nil for other
	// stages and for a scan that passed.
	ScanFailure *ScanFailure
	// Then, on a result that is OK, is the work the node needs next: set
	// by a stage that brought the node under management and checked it.
	// Nil means the node is done once its stages are.
	Then *Then
}

// PatchState is a node's patch compliance as Patch Manager records it
// (DescribeInstancePatchStates): what the next step, patching, would face.
type PatchState = fleet.PatchState

// Then is the work a node needs after a stage decided it: its own late
// plan, made in the run that registered it.
type Then struct {
	// UpdateAgent says the node waits for its agent update (which the
	// stage has started) to be read back first; AgentBefore is the version
	// it had.
	UpdateAgent bool
	AgentBefore string
	// Stages are the command stages that follow, in order.
	Stages []string
}

// Change is one fact that a stage changed on a node.
type Change struct {
	What   string `json:"what"`
	Before string `json:"before"`
	After  string `json:"after"`
}
