package heal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/notify"
	"github.com/patchready/patchready/internal/plan"
)

// DefaultInterval is the time between the end of one cycle and the start
// of the next. Agent releases come every week or two; six hours catches a
// drifted or newly launched node the same day without spending API calls
// on a fleet that rarely changes.
const DefaultInterval = 6 * time.Hour

// Options configure the loop.
type Options struct {
	// Plan is the template of every cycle's plan (selection, rules,
	// probe, region, tool version, strategy). RunID, Clock and Logger are
	// set per cycle.
	Plan PlanTemplate
	// MaxConcurrency, MaxErrors and AgentVersion are passed to every
	// cycle's apply; its one-shot resources are never kept.
	MaxConcurrency, MaxErrors, AgentVersion string
	// Scan ends every cycle's apply with Patch Manager's own scan.
	Scan engine.ScanMode
	// PollInterval, MaxPollInterval and Timeout are every cycle's watch.
	PollInterval, MaxPollInterval, Timeout time.Duration
	// MaxTargets returns the blast-radius cap for a plan of selected nodes
	// (0 = no cap). A cycle that would touch more refuses and changes
	// nothing: an unexpected flood of nodes needing a fix is for a human.
	MaxTargets func(selected int) int
	// StateDir holds the heal state file and each cycle's journal.
	StateDir string
	// Interval is the wait between cycles (DefaultInterval when zero) and
	// the base of the backoff.
	Interval time.Duration
	// MaxBackoff caps a failing node's backoff (DefaultMaxBackoff when zero).
	MaxBackoff time.Duration
	// Once runs a single cycle and returns.
	Once bool
	// Clock drives the waits and timestamps (real when nil).
	Clock clock.Clock
	// Drain, once closed (the first SIGINT/SIGTERM), ends the loop cleanly
	// between steps: no new cycle or apply starts, running work reports.
	Drain <-chan struct{}
	// Logger receives every decision (nil: none).
	Logger *zap.Logger
	// Metrics, when not nil, is updated after every cycle.
	Metrics *Metrics
	// NewRunID names a cycle's run (journal, tags); nil uses the same
	// time-sortable form as apply.
	NewRunID func(now time.Time) string
	// OnCycle, when not nil, is called after each cycle with its result,
	// once the dashboard and the notifier have seen it (the CLI prints a
	// line; tests step through cycles).
	OnCycle func(CycleResult)
	// Dashboard, when not nil, is shown each cycle's result (the live
	// report on the metrics server).
	Dashboard *Dashboard
	// Runner plans and applies each cycle; nil means engine's against
	// the api Run is given (one account and region).
	Runner Runner
	// Notifier, when not nil, is told each cycle's outcome and speaks when
	// it changed. It never fails a cycle. When its Observe is nil, heal
	// sets it to count notifications in Metrics.
	Notifier *notify.Notifier
}

// CycleResult is what one cycle saw and did.
type CycleResult struct {
	RunID    string        `json:"run_id"`
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished"`
	Duration time.Duration `json:"duration_ns"`
	// Result is one of the Result* constants.
	Result string `json:"result"`
	// Summary counts the selected nodes by verdict, before backoff.
	Summary plan.Summary `json:"summary"`
	// Blocked lists nodes SSM cannot fix; they are reported, never tried.
	Blocked []string `json:"blocked,omitempty"`
	// Skipped lists nodes left alone because they are backing off.
	Skipped []Skipped `json:"skipped,omitempty"`
	// Targets is how many nodes the cycle's apply touched.
	Targets     int             `json:"targets"`
	Report      converge.Report `json:"report"`
	JournalPath string          `json:"journal,omitempty"`
	Err         error           `json:"-"`
	Error       string          `json:"error,omitempty"`
	// Plan is the cycle's plan before backoff; nil when planning failed.
	Plan *plan.Plan `json:"-"`
	// FailedTargets are the targets of a heal across accounts and regions
	// that could not be planned or applied this cycle (the others were).
	FailedTargets []plan.Target `json:"failed_targets,omitempty"`

	interrupted bool // the drain stopped the cycle before its apply
}

// ExitCode maps the cycle to apply's exit codes: 0 every node the cycle
// had to fix reads back compliant, 3 some did not or are backing off, 4 a
// target could not be planned or applied, 1 the cycle itself could not
// run.
func (r CycleResult) ExitCode() int {
	switch {
	case r.Err != nil:
		return 1
	case len(r.FailedTargets) > 0:
		return 4
	case r.Result == ResultCompliant:
		return 0
	}
	return 3
}

// Run runs heal cycles until opts.Once's single cycle is done, the drain
// channel closes (returning nil: a clean stop), or ctx is cancelled
// (returning ctx.Err() at once). It returns the last cycle's result. In
// the loop, a cycle's error is logged and the next cycle tries again; with
// Once it is returned.
func Run(ctx context.Context, api *ssm.Client, opts Options) (CycleResult, error) {
	l, err := newLoop(api, opts)
	if err != nil {
		return CycleResult{}, err
	}
	l.o.Metrics.setRunning(true)
	defer l.o.Metrics.setRunning(false)
	var last CycleResult
	for {
		if l.drained() {
			l.log.Info("heal loop stopped by interrupt")
			return last, nil
		}
		last = l.cycle(ctx)
		l.o.Dashboard.Observe(last)
		l.notify(ctx, last)
		if l.o.OnCycle != nil {
			l.o.OnCycle(last)
		}
		if err := ctx.Err(); err != nil {
			return last, err
		}
		if l.o.Once {
			return last, last.Err
		}
		if last.Err != nil {
			l.log.Error("heal cycle error; trying again next cycle", zap.String("run_id", last.RunID), zap.Error(last.Err))
		}
		next := l.o.Clock.Now().Add(l.o.Interval)
		l.log.Info("next heal cycle", zap.Time("at", next), zap.Duration("interval", l.o.Interval))
		drained, err := l.sleep(ctx, l.o.Interval)
		if err != nil {
			return last, err
		}
		if drained {
			l.log.Info("heal loop stopped by interrupt")
			return last, nil
		}
	}
}

type loop struct {
	run     Runner
	o       Options
	log     *zap.Logger
	backoff Backoff
}

func newLoop(api *ssm.Client, o Options) (*loop, error) {
	if o.Interval < 0 {
		return nil, fmt.Errorf("interval %s: must be positive", o.Interval)
	}
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxBackoff < o.Interval {
		return nil, fmt.Errorf("max backoff %s is shorter than the interval %s", o.MaxBackoff, o.Interval)
	}
	if o.StateDir == "" {
		return nil, errors.New("heal needs a state directory for its backoff state and journals")
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.NewRunID == nil {
		o.NewRunID = NewRunID
	}
	if o.MaxTargets == nil {
		o.MaxTargets = func(int) int { return 0 }
	}
	run := o.Runner
	if run == nil {
		run = engineRunner{api: api}
	}
	return &loop{run: run, o: o, log: o.Logger, backoff: Backoff{Base: o.Interval, Max: o.MaxBackoff}}, nil
}

// NewRunID returns a run ID that sorts by time, in the form apply uses:
// 20261125T201500Z-1a2b3c.
func NewRunID(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

func (l *loop) drained() bool {
	if l.o.Drain == nil {
		return false
	}
	select {
	case <-l.o.Drain:
		return true
	default:
		return false
	}
}

// sleep waits d on the loop's clock. It reports drained when the drain
// channel closed first, and returns ctx's error when ctx ended first.
func (l *loop) sleep(ctx context.Context, d time.Duration) (drained bool, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if l.o.Drain != nil {
		go func() {
			select {
			case <-l.o.Drain:
				cancel()
			case <-sctx.Done():
			}
		}()
	}
	serr := l.o.Clock.Sleep(sctx, d)
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return serr != nil, nil
}
