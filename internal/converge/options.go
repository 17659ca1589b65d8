package converge

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-version"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/remedy"
)

// Options configure a watch.
type Options struct {
	Clock clock.Clock
	// PollInterval is the first wait between rounds; it grows by half when
	// a round changes nothing, up to MaxPollInterval, and drops back when
	// something changes. Each wait has ±10% jitter.
	PollInterval    time.Duration
	MaxPollInterval time.Duration
	// Timeout bounds the whole watch.
	Timeout time.Duration
	// MinAgentVersion is the version a node's agent must reach. Required.
	MinAgentVersion string
	// OfflineGrace is how long a node may stay unreachable while it is being
	// updated (the agent restarts) before it counts as gone offline.
	OfflineGrace time.Duration
	// Drain, once closed, stops the watch after the round in progress (the
	// first Ctrl-C): API calls already made finish, nothing new is sent,
	// and every node not settled ends interrupted (its work left running
	// in SSM) or not-started (its next work not sent), for a resumed run.
	Drain  <-chan struct{}
	Logger *zap.Logger
	// OnOutcome is called once per node when it reaches a final state
	// (the journal hook).
	OnOutcome  func(Outcome)
	OnProgress func(Progress)
}

// Defaults.
const (
	DefaultPollInterval = 15 * time.Second
	DefaultTimeout      = 30 * time.Minute
	DefaultOfflineGrace = 10 * time.Minute
)

// CheckAndSetDefaults refuses a watch that cannot decide anything (no agent
// floor, a floor that is not a version) or cannot run (negative durations)
// and fills the rest.
func (o *Options) CheckAndSetDefaults() error {
	if o.MinAgentVersion == "" {
		return errors.New("watch options: no minimum agent version to read back against")
	}
	if _, err := version.NewVersion(o.MinAgentVersion); err != nil {
		return fmt.Errorf("watch options: minimum agent version %q: %w", o.MinAgentVersion, err)
	}
	if o.PollInterval < 0 || o.MaxPollInterval < 0 || o.Timeout < 0 || o.OfflineGrace < 0 {
		return errors.New("watch options: durations must not be negative")
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MaxPollInterval == 0 {
		o.MaxPollInterval = max(o.PollInterval, time.Minute)
	}
	if o.MaxPollInterval < o.PollInterval {
		return fmt.Errorf("watch options: max poll interval %s is below the poll interval %s", o.MaxPollInterval, o.PollInterval)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.OfflineGrace == 0 {
		o.OfflineGrace = DefaultOfflineGrace
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return nil
}

// Deps are the readers and executors a watch drives. Agent may be nil when
// no target needs it; Stages must hold every stage a target names.
type Deps struct {
	ReadBack ReadBack
	Agent    remedy.AgentUpdater
	Stages   map[string]Stage
}
