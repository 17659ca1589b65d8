package ssmsim

import (
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	registerOp("sns", "CreateTopic", createTopic)
	registerOp("sns", "Publish", publish)
}

// PublishedMessage is one message SNS accepted, as tests read it back
// (Server.Published, GET /_sim/sns/messages).
type PublishedMessage struct {
	MessageID string    `json:"message_id"`
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	TopicArn  string    `json:"topic_arn"`
	Subject   string    `json:"subject,omitempty"`
	Message   string    `json:"message"`
	Time      time.Time `json:"time"`
}

// maxPublished bounds the messages kept: a long `sim serve` run keeps the
// latest ones.
const maxPublished = 10000

// maxMessageBytes is SNS's message size limit (256 KiB).
const maxMessageBytes = 256 * 1024

var (
	reTopicName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	reTopicARN  = regexp.MustCompile(`^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$`)
)

// Published returns a copy of the SNS messages published so far, oldest
// first.
func (s *Server) Published() []PublishedMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]PublishedMessage(nil), s.published...)
}

func snsInvalid(format string, args ...any) *wire.Error {
	return wire.Errorf("InvalidParameter", "Invalid parameter: "+format, args...)
}

func (r *region) topicARN(name string) string {
	return "arn:aws:sns:" + r.name + ":" + r.account.id + ":" + name
}

// createTopic creates a standard topic, or returns the existing one's
// ARN: CreateTopic is idempotent on AWS.
func createTopic(c *call) (any, *wire.Error) {
	name := c.form.Get("Name")
	if !reTopicName.MatchString(name) {
		return nil, snsInvalid("Topic Name")
	}
	c.r.topics[name] = true
	return struct {
		TopicArn string `xml:"TopicArn"`
	}{c.r.topicARN(name)}, nil
}

// publish records a message to a topic of the caller's account in the
// region the call is signed for. AWS answers NotFound for a topic that
// does not exist and AuthorizationError for another account's topic
// without a topic policy (which the simulator does not model).
func publish(c *call) (any, *wire.Error) {
	f := c.form
	arn := f.Get("TopicArn")
	if arn == "" {
		if f.Has("TargetArn") || f.Has("PhoneNumber") {
			return nil, snsInvalid("TargetArn and PhoneNumber are not simulated; publish to a topic")
		}
		return nil, snsInvalid("TopicArn or TargetArn Reason: no value for required parameter")
	}
	m := reTopicARN.FindStringSubmatch(arn)
	if m == nil {
		return nil, snsInvalid("TopicArn")
	}
	msg, subject := f.Get("Message"), f.Get("Subject")
	switch {
	case !f.Has("Message") || msg == "":
		return nil, snsInvalid("Message Reason: Empty message")
	case len(msg) > maxMessageBytes:
		return nil, snsInvalid("Message too long")
	case f.Has("Subject") && (subject == "" || utf8.RuneCountInString(subject) > 100 || strings.ContainsAny(subject, "\r\n") || !isASCII(subject)):
		return nil, snsInvalid("Subject")
	case m[1] != c.region:
		return nil, snsInvalid("TopicArn Reason: A ARN must be in the same region as the endpoint (%s)", c.region)
	case m[2] != c.acct.id:
		return nil, wire.Errorf("AuthorizationError", "User: %s is not authorized to perform: SNS:Publish on resource: %s", c.caller.arn, arn).WithStatus(http.StatusForbidden)
	case !c.r.topics[m[3]]:
		return nil, wire.Errorf("NotFound", "Topic does not exist").WithStatus(http.StatusNotFound)
	}
	pm := PublishedMessage{MessageID: c.r.newUUID(), Account: c.acct.id, Region: c.region, TopicArn: arn, Subject: subject, Message: msg, Time: c.now}
	c.s.published = append(c.s.published, pm)
	if len(c.s.published) > maxPublished {
		c.s.published = append([]PublishedMessage(nil), c.s.published[len(c.s.published)-maxPublished:]...)
	}
	return struct {
		MessageID string `xml:"MessageId"`
	}{pm.MessageID}, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
