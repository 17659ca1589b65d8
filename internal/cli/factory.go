package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/engine"
)

// Factory holds what commands depend on, so that each command's options
// can carry exactly its dependencies and tests can replace any of them:
// the streams, the global flags, how to reach SSM, the clock and the
// interrupt state. (cli/cli's cmdutil.Factory is the model.)
type Factory struct {
	IOStreams *IOStreams
	// Globals are the root's persistent flags; they are filled in when
	// the command line is parsed, before any command runs.
	Globals *GlobalOptions
	// Session connects to SSM as the global flags say. The demo and tests
	// replace it with a session to a simulator.
	Session func(ctx context.Context) (*session, error)
	// Clock tells the time for run IDs, schedules and read-back waits.
	Clock clock.Clock
	// Shutdown turns interrupts into a drain or a cancel (see shutdown.go).
	Shutdown *Shutdown
}

// NewFactory returns the factory of a real run: sessions from the global
// flags and the environment, the real clock.
func NewFactory(ios *IOStreams) *Factory {
	f := &Factory{IOStreams: ios, Globals: &GlobalOptions{}, Clock: clock.Real{}, Shutdown: NewShutdown(ios.ErrOut)}
	f.Session = func(ctx context.Context) (*session, error) { return newSession(ctx, f.Globals, f.IOStreams) }
	return f
}

// session is what a command that talks to SSM needs: a client, the region
// it resolved to, a logger and the call counter.
type session struct {
	ssm    *ssm.Client
	region string
	log    *zap.Logger
	// calls counts API calls per operation (for the summary and metrics).
	calls *awsclient.CallCounter
	// cfg and endpoint are what the session was made from, for the
	// clients of other accounts and regions (see newHub).
	cfg      aws.Config
	endpoint string
	// maxBackoff is the retry policy's cap (0: awsclient's default).
	maxBackoff time.Duration
	// estate are the EC2 and IAM clients that find unmanaged instances and
	// fix them; nil in a session that only talks to SSM.
	estate *engine.Estate
}

// newEstate makes the EC2 and IAM clients of a session from its
// configuration, with the same endpoint override and call counter.
func newEstate(cfg aws.Config, endpoint string, calls *awsclient.CallCounter) *engine.Estate {
	return &engine.Estate{
		EC2: awsclient.NewEC2(cfg, endpoint, calls.EC2Options),
		IAM: awsclient.NewIAM(cfg, endpoint, calls.IAMOptions),
	}
}

// newSession resolves configuration from the global flags and the
// environment, as the AWS CLI does.
func newSession(ctx context.Context, g *GlobalOptions, ios *IOStreams) (*session, error) {
	log, err := newLogger(g, ios)
	if err != nil {
		return nil, err
	}
	calls := awsclient.NewCallCounter()
	client, cfg, err := awsclient.Client(ctx, awsclient.Config{
		Region:      g.Region,
		Profile:     g.Profile,
		EndpointURL: g.EndpointURL,
		Logger:      log,
	}, calls.Options)
	if err != nil {
		return nil, err
	}
	return &session{ssm: client, region: cfg.Region, log: log, calls: calls, cfg: cfg, endpoint: g.EndpointURL, estate: newEstate(cfg, g.EndpointURL, calls)}, nil
}

// newRunID returns a run ID that sorts by time: 20261125T201500Z-1a2b3c.
func newRunID(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}
