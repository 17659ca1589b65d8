package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/internal/remedy"
)

// agentUpdaters delivers the agent update through the plan's strategy:
// to the plan's own batches, and, in the same run, to the nodes the run
// brought under management, as their late plans call for it. Each late
// start gets an updater of its own from the strategy, so that its
// resources are its own (a window of its own, commands labelled by their
// nodes) and the plan's are never touched; converge asks all of them.
type agentUpdaters struct {
	strategy remedy.Strategy
	api      *ssm.Client
	opts     remedy.Options

	mu   sync.Mutex
	list []remedy.AgentUpdater
}

var _ remedy.AgentUpdater = (*agentUpdaters)(nil)

// add takes the updater the plan's batches were started with.
func (a *agentUpdaters) add(u remedy.AgentUpdater) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = append(a.list, u)
}

// Start starts the agent update on nodes planned late, with an updater of
// their own. Its commands carry a label made of the nodes' IDs, so that a
// resumed run finds them again for the same nodes and never for others.
func (a *agentUpdaters) Start(ctx context.Context, batches [][]string) error {
	o := a.opts
	var all []string
	for _, b := range batches {
		all = append(all, b...)
	}
	sum := sha256.Sum256([]byte(strings.Join(all, ",")))
	o.BatchLabel = "r" + hex.EncodeToString(sum[:4]) + "-"
	u, err := a.strategy.New(a.api, o)
	if err != nil {
		return err
	}
	a.add(u)
	return u.Start(ctx, batches)
}

func (a *agentUpdaters) all() []remedy.AgentUpdater {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]remedy.AgentUpdater(nil), a.list...)
}

// Status asks every updater about the nodes pending.
func (a *agentUpdaters) Status(ctx context.Context, pending map[string]bool) (remedy.AgentStatus, error) {
	out := remedy.AgentStatus{Failed: map[string]string{}, Succeeded: map[string]bool{}}
	for _, u := range a.all() {
		st, err := u.Status(ctx, pending)
		if err != nil {
			return out, err
		}
		for id, why := range st.Failed {
			out.Failed[id] = why
		}
		for id := range st.Succeeded {
			out.Succeeded[id] = true
		}
	}
	return out, nil
}

// Finish finishes every updater, each removing what it created.
func (a *agentUpdaters) Finish(ctx context.Context) error {
	var errs []error
	for _, u := range a.all() {
		errs = append(errs, u.Finish(ctx))
	}
	return errors.Join(errs...)
}

// Interrupt interrupts every updater.
func (a *agentUpdaters) Interrupt(ctx context.Context) error {
	var errs []error
	for _, u := range a.all() {
		errs = append(errs, u.Interrupt(ctx))
	}
	return errors.Join(errs...)
}

// fixStage is the fix document's converge stage, made when first needed:
// at once for a plan with fix targets, or when a node planned late needs a
// fix, since making the document current is a call not every run needs.
type fixStage struct {
	make func(ctx context.Context) (*remedy.Fix, error)
	fix  *remedy.Fix
}

func (s *fixStage) get(ctx context.Context) (*remedy.Fix, error) {
	if s.fix == nil {
		f, err := s.make(ctx)
		if err != nil {
			return nil, err
		}
		s.fix = f
	}
	return s.fix, nil
}

// add makes nodes planned late fix targets.
func (s *fixStage) add(ctx context.Context, ts []remedy.FixTarget) error {
	f, err := s.get(ctx)
	if err != nil {
		return err
	}
	return f.Add(ts)
}

func (s *fixStage) Send(ctx context.Context, ids []string) error {
	f, err := s.get(ctx)
	if err != nil {
		return err
	}
	return f.Send(ctx, ids)
}

func (s *fixStage) Results(ctx context.Context) (map[string]remedy.StageResult, error) {
	if s.fix == nil {
		return nil, nil
	}
	return s.fix.Results(ctx)
}
