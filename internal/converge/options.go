package converge

import (
	"time"

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
	// MinAgentVersion is the version a node's agent must reach.
	MinAgentVersion string
	// OfflineGrace is how long a node may stay unreachable while it is being
	// updated (the agent restarts) before it counts as gone offline.
	OfflineGrace time.Duration
	// Drain, once closed, stops new work from starting (the first Ctrl-C):
	// requests upgrades not yet sent end not-started; work already running
	// is still followed to its end.
	Drain  <-chan struct{}
	Logger *zap.Logger
	// OnOutcome is called once per node when it reaches a final state
	// (the journal hook).
	OnOutcome  func(Outcome)
	OnProgress func(Progress)
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 15 * time.Second
	}
	if o.MaxPollInterval < o.PollInterval {
		o.MaxPollInterval = max(o.PollInterval, time.Minute)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Minute
	}
	if o.OfflineGrace <= 0 {
		o.OfflineGrace = 10 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return o
}

// Deps are the readers and executors a watch drives. Agent and Requests
// may be nil when no target needs them.
type Deps struct {
	ReadBack ReadBack
	Agent    remedy.AgentUpdater
	Requests RequestsRunner
}
