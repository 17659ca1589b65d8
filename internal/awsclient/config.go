package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"
)

// Defaults for the retry policy. SDK's standard mode makes 3 attempts, which
// a fleet-sized run exhausts within seconds of the first throttling burst.
const (
	DefaultMaxAttempts = 10
	DefaultMaxBackoff  = 20 * time.Second
)

// ErrNoRegion is returned by Load when no region is configured anywhere.
var ErrNoRegion = errors.New("no AWS region: pass --region or set AWS_REGION")

// Config says how to reach AWS. The zero value uses the SDK's default chain
// for region and credentials and the default retry policy.
type Config struct {
	// Region overrides AWS_REGION, AWS_DEFAULT_REGION and the profile's region.
	Region string
	// Profile selects a named profile from the shared config (else AWS_PROFILE).
	Profile string
	// EndpointURL overrides the SSM endpoint (a simulator, a VPC endpoint).
	// When empty, the SDK itself honours AWS_ENDPOINT_URL_SSM and
	// AWS_ENDPOINT_URL. Load only validates it; NewSSM applies it.
	EndpointURL string
	// MaxAttempts bounds the attempts per API call (default 10).
	MaxAttempts int
	// MaxBackoff caps the delay between attempts (default 20s). Tests lower
	// it so that throttling scenarios run in milliseconds.
	MaxBackoff time.Duration
	// Logger receives the SDK's own log lines (retries) at debug level.
	// Nil means no logging.
	Logger *zap.Logger
	// HTTPClient replaces the SDK's HTTP client; nil keeps the default.
	HTTPClient aws.HTTPClient
	// Credentials replaces the default credential chain; nil keeps it. The
	// demo and the tests use static credentials against the simulator.
	// (Added beside the fields the design named: in-process simulator runs
	// must not depend on the user's environment.)
	Credentials aws.CredentialsProvider
}

// Load resolves the AWS configuration: region, profile and credentials
// through the SDK's default chain, with patchready's retry policy.
//
// Credentials are not fetched here (the SDK fetches them lazily on the first
// call); a missing credential surfaces on that call as an error for which
// IsNoCredentials is true and Explain gives advice.
func Load(ctx context.Context, c Config) (aws.Config, error) {
	if c.EndpointURL != "" {
		if err := validateEndpoint(c.EndpointURL); err != nil {
			return aws.Config{}, err
		}
	}
	log := c.Logger
	if log == nil {
		log = zap.NewNop()
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(newRetryer(c.MaxAttempts, c.MaxBackoff, log)),
		config.WithLogger(sdkLogger{log: log}),
		config.WithClientLogMode(aws.LogRetries),
	}
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if c.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(c.HTTPClient))
	}
	if c.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(c.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, ErrNoRegion
	}
	if cfg.Credentials != nil {
		// Mark credential failures so that IsNoCredentials can recognise
		// them through the SDK's wrapping, instead of matching its text.
		cfg.Credentials = aws.NewCredentialsCache(credentialsMarker{inner: cfg.Credentials})
	}
	return cfg, nil
}

// NewSSM returns an SSM client for cfg. A non-empty endpoint overrides the
// service endpoint through ssm.Options.BaseEndpoint; an empty one leaves the
// SDK's own resolution (including AWS_ENDPOINT_URL_SSM) in charge. optFns
// are applied last, for instance (*CallCounter).Options.
func NewSSM(cfg aws.Config, endpoint string, optFns ...func(*ssm.Options)) *ssm.Client {
	fns := make([]func(*ssm.Options), 0, len(optFns)+1)
	if endpoint != "" {
		fns = append(fns, func(o *ssm.Options) { o.BaseEndpoint = aws.String(endpoint) })
	}
	fns = append(fns, optFns...)
	return ssm.NewFromConfig(cfg, fns...)
}

// NewEC2 returns an EC2 client for cfg; endpoint overrides the service's
// endpoint as in NewSSM. An endpoint given for SSM serves EC2 too (a
// simulator, or a proxy of every service): one --endpoint-url must never
// send one service to a simulator and another to AWS.
func NewEC2(cfg aws.Config, endpoint string, optFns ...func(*ec2.Options)) *ec2.Client {
	fns := make([]func(*ec2.Options), 0, len(optFns)+1)
	if endpoint != "" {
		fns = append(fns, func(o *ec2.Options) { o.BaseEndpoint = aws.String(endpoint) })
	}
	return ec2.NewFromConfig(cfg, append(fns, optFns...)...)
}

// NewIAM returns an IAM client for cfg, as NewEC2.
func NewIAM(cfg aws.Config, endpoint string, optFns ...func(*iam.Options)) *iam.Client {
	fns := make([]func(*iam.Options), 0, len(optFns)+1)
	if endpoint != "" {
		fns = append(fns, func(o *iam.Options) { o.BaseEndpoint = aws.String(endpoint) })
	}
	return iam.NewFromConfig(cfg, append(fns, optFns...)...)
}

// Client is Load followed by NewSSM with c.EndpointURL: what a command needs.
func Client(ctx context.Context, c Config, optFns ...func(*ssm.Options)) (*ssm.Client, aws.Config, error) {
	cfg, err := Load(ctx, c)
	if err != nil {
		return nil, aws.Config{}, err
	}
	return NewSSM(cfg, c.EndpointURL, optFns...), cfg, nil
}

func validateEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("endpoint URL %q: want http(s)://host[:port]", raw)
	}
	return nil
}

// credentialsMarker wraps the credential chain so that its failures carry a
// type this package can find with errors.As.
type credentialsMarker struct{ inner aws.CredentialsProvider }

func (m credentialsMarker) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := m.inner.Retrieve(ctx)
	if err != nil {
		return creds, &NoCredentialsError{Err: err}
	}
	return creds, nil
}

// NoCredentialsError says that no usable credentials were found.
type NoCredentialsError struct{ Err error }

func (e *NoCredentialsError) Error() string { return "no AWS credentials: " + e.Err.Error() }

func (e *NoCredentialsError) Unwrap() error { return e.Err }
