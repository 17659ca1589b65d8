package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/patchready/patchready/internal/awsclient"
)

// publishAPI is the part of the SNS client SNS uses.
type publishAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var _ publishAPI = (*sns.Client)(nil)

// SNS publishes to a topic; every subscriber (email, SMS, a queue, a
// Lambda) gets the title as the subject and the text as the body.
type SNS struct {
	// TopicARN is the topic published to.
	TopicARN string
	// API is the SNS client. Build it with one attempt per call
	// (RetryMaxAttempts 1): the notifier retries with its own backoff.
	API publishAPI
}

// NewSNS returns an SNS channel for topic with the client api.
func NewSNS(api *sns.Client, topic string) *SNS { return &SNS{TopicARN: topic, API: api} }

// NewSNSFromConfig returns an SNS channel for topic, with a client in the
// topic's own region (SNS needs the call in the region of the topic) and
// one attempt per call, as the notifier retries. endpoint, when set,
// replaces AWS's (a simulator or a VPC endpoint).
func NewSNSFromConfig(cfg aws.Config, topic, endpoint string) (*SNS, error) {
	region, err := TopicRegion(topic)
	if err != nil {
		return nil, err
	}
	client := sns.NewFromConfig(cfg, func(o *sns.Options) {
		o.Region = region
		o.RetryMaxAttempts = 1
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return NewSNS(client, topic), nil
}

// TopicRegion returns the region of an SNS topic ARN
// (arn:PARTITION:sns:REGION:ACCOUNT:NAME), or an error saying what is
// wrong with it.
func TopicRegion(topic string) (string, error) {
	parts := strings.SplitN(topic, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[3] == "" || parts[4] == "" || parts[5] == "" {
		return "", fmt.Errorf("SNS topic %q: want an ARN like arn:aws:sns:eu-west-1:111122223333:patchready", topic)
	}
	return parts[3], nil
}

// Name is the channel's name in logs and metrics.
func (s *SNS) Name() string { return "sns" }

// maxSubject is SNS's limit on a subject.
const maxSubject = 100

// Send publishes m once. An error the caller made (a topic that does not
// exist, no permission) is permanent; throttling and service errors are
// worth retrying.
func (s *SNS) Send(ctx context.Context, m Message) error {
	subject := asciiLine(m.Title)
	if len(subject) > maxSubject {
		subject = subject[:maxSubject-3] + "..."
	}
	_, err := s.API.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(s.TopicARN),
		Subject:  aws.String(subject),
		Message:  aws.String(m.Title + "\n\n" + m.Text),
	})
	if err == nil {
		return nil
	}
	err = fmt.Errorf("publish to SNS topic %s: %w", s.TopicARN, err)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() == smithy.FaultClient && !awsclient.IsThrottled(err) {
		return Permanent(err)
	}
	return err
}

// asciiLine makes an SNS subject: printable ASCII on one line, as SNS
// requires; anything else becomes '?'.
func asciiLine(s string) string {
	b := []byte{}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b = append(b, ' ')
		case r >= 0x20 && r < 0x7f:
			b = append(b, byte(r))
		case r == '…':
			b = append(b, "..."...)
		default:
			b = append(b, '?')
		}
	}
	return string(b)
}
