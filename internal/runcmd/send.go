package runcmd

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/internal/awsclient"
)

// MaxTargets is the most instance IDs one SendCommand accepts.
const MaxTargets = 50

// API is the part of SSM that Run Command needs.
type API interface {
	SendCommand(ctx context.Context, in *ssm.SendCommandInput, optFns ...func(*ssm.Options)) (*ssm.SendCommandOutput, error)
	ssm.ListCommandInvocationsAPIClient
	ssm.GetCommandInvocationAPIClient
}

var _ API = (*ssm.Client)(nil)

// Command says what to send.
type Command struct {
	Document string
	// DocumentVersion is "" for the document's default version.
	DocumentVersion string
	Parameters      map[string][]string
	// MaxConcurrency and MaxErrors are SSM's rate controls ("10%", "5").
	MaxConcurrency, MaxErrors string
	// DeliveryTimeoutSeconds is how long SSM tries to deliver to a node
	// before DeliveryTimedOut (API minimum 30).
	DeliveryTimeoutSeconds int32
	// Comment tells anyone reading the command history what this was; it
	// is also how an interrupted run finds its commands again (≤ 100
	// characters).
	Comment string
	// Step names the step whose output is read (see Results).
	Step string
}

// Sent is one command sent, with the nodes it went to.
type Sent struct {
	CommandID   string
	InstanceIDs []string
}

// Send sends c to ids, at most MaxTargets at a time. SSM refuses a whole
// call when one ID cannot take commands (InvalidInstanceId: terminated or
// deregistered since discovery) without saying which; such a batch is
// halved until the culprits stand alone, which costs about 2·log2(50) extra
// calls per bad node instead of one call per node. The refused IDs are
// returned apart; every other ID is in exactly one Sent.
//
// afterEach, when set, is called with each command as soon as SSM accepts
// it (the journal hook), before the next call.
func Send(ctx context.Context, api API, c Command, ids []string, afterEach func(Sent) error) (sent []Sent, refused []string, err error) {
	for batch := range slices.Chunk(ids, MaxTargets) {
		s, r, err := sendSplitting(ctx, api, c, batch, afterEach)
		sent, refused = append(sent, s...), append(refused, r...)
		if err != nil {
			return sent, refused, err
		}
	}
	return sent, refused, nil
}

func sendSplitting(ctx context.Context, api API, c Command, ids []string, afterEach func(Sent) error) ([]Sent, []string, error) {
	id, err := SendOne(ctx, api, c, ids)
	if awsclient.Code(err) == "InvalidInstanceId" {
		if len(ids) == 1 {
			return nil, ids, nil
		}
		half := len(ids) / 2
		a, ra, err := sendSplitting(ctx, api, c, ids[:half], afterEach)
		if err != nil {
			return a, ra, err
		}
		b, rb, err := sendSplitting(ctx, api, c, ids[half:], afterEach)
		return append(a, b...), append(ra, rb...), err
	}
	if err != nil {
		return nil, nil, err
	}
	s := Sent{CommandID: id, InstanceIDs: slices.Clone(ids)}
	if afterEach != nil {
		if err := afterEach(s); err != nil {
			return []Sent{s}, nil, err
		}
	}
	return []Sent{s}, nil, nil
}

// SendOne sends c to ids (1 to MaxTargets) in one call and returns the
// command ID.
func SendOne(ctx context.Context, api API, c Command, ids []string) (string, error) {
	if len(ids) == 0 || len(ids) > MaxTargets {
		return "", fmt.Errorf("send %s: %d nodes; one command takes 1 to %d", c.Document, len(ids), MaxTargets)
	}
	in := &ssm.SendCommandInput{
		DocumentName: aws.String(c.Document),
		InstanceIds:  slices.Clone(ids),
		Parameters:   c.Parameters,
	}
	if c.DocumentVersion != "" {
		in.DocumentVersion = aws.String(c.DocumentVersion)
	}
	if c.MaxConcurrency != "" {
		in.MaxConcurrency = aws.String(c.MaxConcurrency)
	}
	if c.MaxErrors != "" {
		in.MaxErrors = aws.String(c.MaxErrors)
	}
	if c.DeliveryTimeoutSeconds > 0 {
		in.TimeoutSeconds = aws.Int32(c.DeliveryTimeoutSeconds)
	}
	if c.Comment != "" {
		in.Comment = aws.String(cutComment(c.Comment))
	}
	out, err := api.SendCommand(ctx, in)
	if err != nil {
		return "", fmt.Errorf("send %s to %d nodes: %w", c.Document, len(ids), err)
	}
	if out.Command == nil || aws.ToString(out.Command.CommandId) == "" {
		return "", fmt.Errorf("send %s to %d nodes: no command ID in the answer", c.Document, len(ids))
	}
	return aws.ToString(out.Command.CommandId), nil
}

// cutComment keeps a comment within SSM's 100 characters.
func cutComment(s string) string {
	r := []rune(s)
	if len(r) > 100 {
		return string(r[:100])
	}
	return s
}
