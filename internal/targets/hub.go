package targets

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
)

// HubConfig is what a hub is made from.
type HubConfig struct {
	// Config is the caller's AWS configuration; its region is the home
	// region, where STS, Organizations and DescribeRegions are called.
	Config aws.Config
	// Endpoint overrides every service's endpoint (a simulator, VPC
	// endpoints behind one proxy); empty uses AWS's.
	Endpoint string
	// Spec says which role to assume.
	Spec Spec
	// Clock says when assumed credentials expire: the SDK's cache checks
	// against the wall clock, so a simulated clock's expiry is converted
	// (clock.WallTime). Real when nil.
	Clock clock.Clock
	// MaxAttempts and MaxBackoff are every target's retry policy
	// (awsclient's defaults when zero).
	MaxAttempts int
	MaxBackoff  time.Duration
	// SSMOptions, EC2Options and IAMOptions are applied to every target's
	// clients of those services (a call counter).
	SSMOptions []func(*ssm.Options)
	EC2Options []func(*ec2.Options)
	IAMOptions []func(*iam.Options)
	// SessionName names the role sessions in CloudTrail.
	SessionName string
	Logger      *zap.Logger
}

// Hub is the caller of a run across targets: who it is, and how it
// reaches every account and region.
type Hub struct {
	c HubConfig
	// Account is the caller's own account (sts:GetCallerIdentity).
	Account string

	mu    sync.Mutex
	creds map[string]aws.CredentialsProvider
}

// callerAPI is the part of STS that NewHub uses.
type callerAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var _ callerAPI = (*sts.Client)(nil)
var _ stscreds.AssumeRoleAPIClient = (*sts.Client)(nil)

// assumeRoleDuration is how long an assumed role's credentials last. An
// hour is the most a role allows by default and the most role chaining
// allows (a hub that is itself a role); the cache renews them before.
const assumeRoleDuration = time.Hour

// renewBefore is how long before they expire, on the hub's clock,
// credentials are renewed, so that no call is signed with credentials
// that expire in flight.
const renewBefore = 5 * time.Minute

// NewHub finds out who the caller is.
func NewHub(ctx context.Context, c HubConfig) (*Hub, error) {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	if c.SessionName == "" {
		c.SessionName = "patchready"
	}
	if bc, ok := c.Config.HTTPClient.(*awshttp.BuildableClient); ok && c.Spec.Parallel > 0 {
		// Targets share endpoints (every account's SSM in us-east-1 is
		// one host), and the SDK keeps 10 idle connections per host: with
		// more targets running, the rest would be closed and dialled again
		// on every call.
		idle := max(awshttp.DefaultHTTPTransportMaxIdleConnsPerHost, 4*c.Spec.Parallel)
		c.Config.HTTPClient = bc.WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConnsPerHost = idle
			tr.MaxIdleConns = max(tr.MaxIdleConns, idle)
		})
	}
	h := &Hub{c: c, creds: map[string]aws.CredentialsProvider{}}
	out, err := h.sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("who is calling: %w", err)
	}
	h.Account = aws.ToString(out.Account)
	return h, nil
}

// HomeRegion is the caller's region.
func (h *Hub) HomeRegion() string { return h.c.Config.Region }

func (h *Hub) endpoint() *string {
	if h.c.Endpoint == "" {
		return nil
	}
	return aws.String(h.c.Endpoint)
}

func (h *Hub) sts() *sts.Client {
	return sts.NewFromConfig(h.c.Config, func(o *sts.Options) { o.BaseEndpoint = h.endpoint() })
}

func (h *Hub) organizations() *organizations.Client {
	return organizations.NewFromConfig(h.c.Config, func(o *organizations.Options) { o.BaseEndpoint = h.endpoint() })
}

// ec2 is an EC2 client acting in account, in the home region.
func (h *Hub) ec2(account string) *ec2.Client {
	cfg := h.c.Config.Copy()
	cfg.Credentials = h.credentials(account)
	return ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = h.endpoint() })
}

// credentials are the caller's own in its own account, and elsewhere the
// role's, assumed through the SDK's AssumeRole provider behind the SDK's
// credentials cache: one per account, shared by its regions, so that a
// run assumes each role once an hour whatever the number of regions.
func (h *Hub) credentials(account string) aws.CredentialsProvider {
	if account == h.Account {
		return h.c.Config.Credentials
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if p, ok := h.creds[account]; ok {
		return p
	}
	role := stscreds.NewAssumeRoleProvider(h.sts(), h.c.Spec.RoleARN(account), func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = h.c.SessionName
		o.Duration = assumeRoleDuration
		if h.c.Spec.ExternalID != "" {
			o.ExternalID = aws.String(h.c.Spec.ExternalID)
		}
	})
	p := aws.NewCredentialsCache(expiryOnClock{inner: role, clk: h.c.Clock})
	h.creds[account] = p
	return p
}

// Config returns the AWS configuration of one target: the account's
// credentials, the region, and a retryer of its own, so that pacing and
// retries follow the target's own rate limits.
func (h *Hub) Config(account, region string) aws.Config {
	cfg := h.c.Config.Copy()
	cfg.Region = region
	cfg.Credentials = h.credentials(account)
	if cache, ok := cfg.Credentials.(*aws.CredentialsCache); ok && account != h.Account {
		cfg.APIOptions = append(slices.Clip(cfg.APIOptions), renewOnExpiry(cache))
	}
	cfg.Retryer = awsclient.NewRetryer(h.c.MaxAttempts, h.c.MaxBackoff)
	return cfg
}

// SSM returns an SSM client for a target's configuration.
func (h *Hub) SSM(cfg aws.Config) *ssm.Client {
	return awsclient.NewSSM(cfg, h.c.Endpoint, h.c.SSMOptions...)
}

// EC2 and IAM return the clients that find a target's unmanaged
// instances, for a target's configuration.
func (h *Hub) EC2(cfg aws.Config) *ec2.Client {
	return awsclient.NewEC2(cfg, h.c.Endpoint, h.c.EC2Options...)
}

// IAM: see EC2.
func (h *Hub) IAM(cfg aws.Config) *iam.Client {
	return awsclient.NewIAM(cfg, h.c.Endpoint, h.c.IAMOptions...)
}

// renewOnExpiry makes a call that AWS refused because the assumed role's
// credentials had expired run once more, with credentials assumed anew.
// The cache renews them renewBefore their end, but a call holds the
// credentials it started with through its retries and its wait for the
// operation's rate, which can outlast that on a loaded machine or a fast
// fleet clock; the SDK's own retries would only resend the same ones. The
// call runs again from its start (the whole middleware stack after the
// Initialize step, idempotency tokens included, so a create is not made
// twice).
func renewOnExpiry(cache *aws.CredentialsCache) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("patchready.RenewExpiredCredentials",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				if err == nil || !awsclient.IsExpiredToken(err) {
					return out, md, err
				}
				cache.Invalidate()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}

// expiryOnClock reports an assumed role's expiry as the wall-clock time at
// which the hub's clock reaches it, less renewBefore of that clock.
type expiryOnClock struct {
	inner aws.CredentialsProvider
	clk   clock.Clock
}

func (e expiryOnClock) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := e.inner.Retrieve(ctx)
	if err == nil && c.CanExpire {
		c.Expires = clock.WallTime(e.clk, c.Expires.Add(-renewBefore))
	}
	return c, err
}
