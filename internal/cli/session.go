package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
)

// session is what a command that talks to SSM needs: a client, the region
// it resolved to, a logger and a clock. The demo builds one pointed at its
// in-process simulator with a scaled clock; every other command builds one
// from the global flags.
type session struct {
	ssm    *ssm.Client
	region string
	log    *zap.Logger
	clock  clock.Clock
	// calls counts API calls per operation (for the summary and metrics).
	calls *awsclient.CallCounter
}

// newSession resolves configuration from the global flags and the
// environment, as the AWS CLI does.
func newSession(ctx context.Context, g *GlobalOptions, ios *IOStreams) (*session, error) {
	log, err := newLogger(g, ios.ErrOut)
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
	return &session{ssm: client, region: cfg.Region, log: log, clock: clock.Real{}, calls: calls}, nil
}

// sessionFactory lets the demo and tests swap in a simulator session.
type sessionFactory func(ctx context.Context, g *GlobalOptions, ios *IOStreams) (*session, error)

// newRunID returns a run ID that sorts by time: 20261125T201500Z-1a2b3c.
func newRunID(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// explain turns an AWS error into advice when it knows how, keeping the
// original error for errors.Is/As.
func explain(err error) error {
	var done *explainedError
	if err == nil || errors.As(err, &done) {
		return err
	}
	if hint := awsclient.Explain(err); hint != "" && hint != err.Error() {
		// What to do comes first; the SDK's own chain, long and repetitive,
		// follows for whoever needs the detail.
		return &explainedError{hint: hint, err: err}
	}
	return err
}

// explainedError prints advice first and keeps the AWS error for
// errors.Is/As and for the detail line.
type explainedError struct {
	hint string
	err  error
}

func (e *explainedError) Error() string { return e.hint + "\n  cause: " + e.err.Error() }
func (e *explainedError) Unwrap() error { return e.err }
