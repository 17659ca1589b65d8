package probe

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/runcmd"
	"github.com/patchready/patchready/internal/ssmdoc"
)

// API is the part of SSM the probe uses: Run Command, and the document
// operations that keep the probe document current (ssmdoc.API).
type API interface {
	runcmd.API
	ssmdoc.API
}

// Send settings. The probe only reads, so it may run on a whole batch at
// once (MaxConcurrency 50) and one node's failure must not stop the others
// (MaxErrors 100%).
const (
	// BatchSize is the most instance IDs SendCommand accepts.
	BatchSize      = runcmd.MaxTargets
	maxConcurrency = "50"
	maxErrors      = "100%"
	// deliveryTimeoutSeconds is how long SSM tries to deliver the probe to a
	// node before giving up with DeliveryTimedOut (API minimum 30).
	deliveryTimeoutSeconds = 60
	// Comment tells anyone reading the command history what this was.
	Comment = "patchready read-only probe"
)

// Defaults for Options.
const (
	DefaultPollInterval    = 5 * time.Second
	DefaultMaxPollInterval = 30 * time.Second
	DefaultTimeout         = 5 * time.Minute
	DefaultConcurrency     = 4
)

// Options tune Run.
type Options struct {
	// Clock paces polling (default: the real clock).
	Clock clock.Clock
	// PollInterval is the first wait before reading results; later waits
	// grow by half up to MaxPollInterval, each with ±20% jitter.
	PollInterval    time.Duration
	MaxPollInterval time.Duration
	// Timeout bounds the wait for one batch's results, from its send. Nodes
	// still running then are reported failed.
	Timeout time.Duration
	// Concurrency bounds the batches in flight (default 4).
	Concurrency int
	// SkipEnsureDocument runs the probe document as the account has it,
	// without checking that it is current (one DescribeDocument fewer).
	SkipEnsureDocument bool
	// DocumentTags are added to the probe document when it is created or
	// updated (beside patchready:managed=true), e.g. the run ID.
	DocumentTags map[string]string
	// Logger receives progress and per-batch lines (nil: none).
	Logger *zap.Logger
	// Progress, when set, is called after each batch with the number of
	// nodes probed so far and the number to probe. Calls are serialised.
	Progress func(done, total int)
}

// CheckAndSetDefaults fills what is unset with the defaults above and
// refuses values that cannot work.
func (o *Options) CheckAndSetDefaults() error {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.PollInterval < 0 || o.MaxPollInterval < 0 || o.Timeout < 0 || o.Concurrency < 0 {
		return errors.New("probe options: durations and concurrency must not be negative")
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MaxPollInterval == 0 {
		o.MaxPollInterval = max(DefaultMaxPollInterval, o.PollInterval)
	}
	if o.MaxPollInterval < o.PollInterval {
		return fmt.Errorf("probe options: max poll interval %s is below the poll interval %s", o.MaxPollInterval, o.PollInterval)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return nil
}

// Eligible reports whether the probe runs on n: Linux (the patch run's
// interpreter, downloader, payload path and work directory are Linux
// concerns; requests is the Amazon Linux part of it) and Online (nothing
// else can receive a command).
func Eligible(n fleet.Node) bool {
	return n.PlatformType == fleet.PlatformLinux && n.PingStatus == fleet.PingOnline
}

// EnsureDocument makes the account's probe document current (see
// ssmdoc.Ensure) and returns its default version.
func EnsureDocument(ctx context.Context, api ssmdoc.API, tags map[string]string, opts ssmdoc.Options) (string, error) {
	return ssmdoc.Ensure(ctx, api, documents.ProbeDocumentName, documents.ProbeYAML, tags, opts)
}

// Run probes the eligible nodes among nodes and returns their facts by
// instance ID. Nodes that are not eligible are absent from the result. A
// node whose probe failed in any way is present with Status failed and a
// Reason; Run itself fails only when the work cannot go on (access denied,
// credentials, an API error after retries, ctx done).
func Run(ctx context.Context, api API, nodes []fleet.Node, opts Options) (map[string]*fleet.ProbeFacts, error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	var ids []string
	for _, n := range nodes {
		if Eligible(n) {
			ids = append(ids, n.InstanceID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	results := make(map[string]*fleet.ProbeFacts, len(ids))
	if len(ids) == 0 {
		return results, nil
	}
	r := &runner{api: api, opts: opts, log: opts.Logger}
	if !opts.SkipEnsureDocument {
		v, err := EnsureDocument(ctx, api, opts.DocumentTags, ssmdoc.Options{Clock: opts.Clock, Logger: opts.Logger})
		if err != nil {
			return nil, fmt.Errorf("probe document: %w", err)
		}
		r.version = v
	}

	var mu sync.Mutex
	done := 0
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Concurrency)
	for batch := range slices.Chunk(ids, BatchSize) {
		g.Go(func() error {
			facts, err := r.batch(gctx, batch)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for id, f := range facts {
				results[id] = &f // one copy, which the caller keeps
			}
			done += len(batch)
			if opts.Progress != nil {
				opts.Progress(done, len(ids))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	ok := 0
	for _, f := range results {
		if f.Status == fleet.ProbeOK {
			ok++
		}
	}
	r.log.Info("probe finished", zap.Int("nodes", len(ids)), zap.Int("ok", ok), zap.Int("failed", len(ids)-ok))
	return results, nil
}

// runner holds what every batch of one Run shares.
type runner struct {
	api     API
	opts    Options
	log     *zap.Logger
	version string // document version to run; "" = the default version
}

// Command is the probe as runcmd sends it, at document version v ("" for
// the default version).
func Command(v string) runcmd.Command {
	return runcmd.Command{
		Document: documents.ProbeDocumentName, DocumentVersion: v,
		MaxConcurrency: maxConcurrency, MaxErrors: maxErrors,
		DeliveryTimeoutSeconds: deliveryTimeoutSeconds, Comment: Comment, Step: documents.ProbeStepName,
	}
}

// batch probes up to BatchSize nodes with one command (more when SSM
// refuses an ID and the batch is split; see runcmd.Send).
func (r *runner) batch(ctx context.Context, ids []string) (map[string]fleet.ProbeFacts, error) {
	sent, refused, err := runcmd.Send(ctx, r.api, Command(r.version), ids, nil)
	if err != nil {
		return nil, err
	}
	facts := make(map[string]fleet.ProbeFacts, len(ids))
	for _, id := range refused {
		r.log.Debug("probe not sent", zap.String("instance_id", id))
		facts[id] = failed("probe not sent: SSM no longer accepts commands for this node (InvalidInstanceId)")
	}
	for _, s := range sent {
		r.log.Info("probe sent", zap.String("command_id", s.CommandID), zap.Int("nodes", len(s.InstanceIDs)))
		got, err := r.collect(ctx, s.CommandID, s.InstanceIDs)
		if err != nil {
			return nil, err
		}
		for id, f := range got {
			facts[id] = f
		}
	}
	return facts, nil
}

func failed(reason string) fleet.ProbeFacts {
	return fleet.ProbeFacts{Status: fleet.ProbeFailed, Reason: reason}
}
