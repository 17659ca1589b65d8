package ssmsim

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/patchready/patchready/internal/clock"
)

// clients are the real SDK clients of every service the simulator speaks,
// all pointed at one simulator, in one region, with one set of
// credentials.
type clients struct {
	ssm *ssm.Client
	sts *sts.Client
	org *organizations.Client
	ec2 *ec2.Client
	iam *iam.Client
	sns *sns.Client
	url string
	cfg aws.Config
}

// staticCreds are the management account's plain keys.
var staticCreds = credentials.NewStaticCredentialsProvider("test", "test", "")

func newClients(t testing.TB, url, region string, creds aws.CredentialsProvider) *clients {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithCredentialsProvider(creds),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithRetryer(func() aws.Retryer {
			// Three attempts with a millisecond's backoff: the SDK retries
			// a 200 whose body read fails (aws-sdk-go-v2#1825), and a test
			// that wants an error gets the same one three times.
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.RateLimiter = ratelimit.None
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
			})
		}),
	)
	if err != nil {
		t.Fatalf("load SDK config: %v", err)
	}
	ep := aws.String(url)
	return &clients{
		ssm: ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.BaseEndpoint = ep }),
		sts: sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = ep }),
		org: organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.BaseEndpoint = ep }),
		ec2: ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = ep }),
		iam: iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = ep }),
		sns: sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = ep }),
		url: url, cfg: cfg,
	}
}

// startOrg serves the sample organization on a manual clock and returns
// the management account's clients in us-east-1.
func startOrg(t testing.TB, o SampleOrgOptions, mod func(*Options)) (*Server, *clients, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(simT0)
	opts := Options{Clock: clk, Seed: 3, Organization: SampleOrganization(o)}
	if mod != nil {
		mod(&opts)
	}
	s := New(opts)
	url := startHTTP(t, s)
	return s, newClients(t, url, "us-east-1", staticCreds), clk
}

// assume returns clients acting in account through the role, in region.
func (c *clients) assume(t testing.TB, account, role, region string) *clients {
	t.Helper()
	out, err := c.sts.AssumeRole(testCtx(t), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/" + role), RoleSessionName: aws.String("patchready-test")})
	if err != nil {
		t.Fatalf("AssumeRole into %s: %v", account, err)
	}
	cr := out.Credentials
	return newClients(t, c.url, region, credentials.NewStaticCredentialsProvider(*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken))
}

// inRegion returns the same caller's clients in another region.
func (c *clients) inRegion(t testing.TB, region string) *clients {
	return newClients(t, c.url, region, c.cfg.Credentials)
}

// ssmIDs lists DescribeInstanceInformation to exhaustion.
func ssmIDs(t testing.TB, c *ssm.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := ssm.NewDescribeInstanceInformationPaginator(c, &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatalf("DescribeInstanceInformation: %v", err)
		}
		for _, i := range page.InstanceInformationList {
			out[aws.ToString(i.InstanceId)] = string(i.PingStatus)
		}
	}
	return out
}
