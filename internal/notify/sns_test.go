package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// snsServer answers SNS's query protocol (form-encoded Action=Publish,
// XML answers) on 127.0.0.1, failing the first calls as scripted. It
// stands in for the simulator until the simulator answers SNS.
type snsServer struct {
	mu        sync.Mutex
	failures  []int // HTTP statuses of the next answers
	calls     int
	published []url.Values
}

func (s *snsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "Publish" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>only Publish</Message></Error><RequestId>r</RequestId></ErrorResponse>`)
		return
	}
	if len(s.failures) > 0 {
		status := s.failures[0]
		s.failures = s.failures[1:]
		typ, code := "Receiver", "InternalError"
		if status == http.StatusNotFound {
			typ, code = "Sender", "NotFound"
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>%s</Type><Code>%s</Code><Message>scripted failure</Message></Error><RequestId>req-%d</RequestId></ErrorResponse>`, typ, code, s.calls)
		return
	}
	s.published = append(s.published, r.Form)
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>msg-%d</MessageId></PublishResult><ResponseMetadata><RequestId>req-%d</RequestId></ResponseMetadata></PublishResponse>`, s.calls, s.calls)
}

const topic = "arn:aws:sns:eu-west-1:111122223333:patchready-alerts"

func newSNS(t *testing.T, srv *snsServer) *SNS {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	client := sns.New(sns.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(ts.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	return NewSNS(client, topic)
}

func TestSNSPublishesThroughTheSDK(t *testing.T) {
	srv := &snsServer{failures: []int{http.StatusInternalServerError}}
	var waits int
	var observed []error
	n := &Notifier{
		Senders: []Sender{newSNS(t, srv)},
		Sleep:   func(context.Context, time.Duration) error { waits++; return nil },
		Observe: func(_ string, err error) { observed = append(observed, err) },
	}
	n.Cycle(context.Background(), failing("r1", 2, "i-1"))
	if srv.calls != 2 || len(srv.published) != 1 || waits != 1 {
		t.Fatalf("after one 500: %d calls, %d published, %d waits; want 2, 1, 1", srv.calls, len(srv.published), waits)
	}
	f := srv.published[0]
	if f.Get("TopicArn") != topic || f.Get("Subject") != "patchready heal in eu-west-1: 1 new failure" {
		t.Errorf("published to %q with subject %q", f.Get("TopicArn"), f.Get("Subject"))
	}
	if msg := f.Get("Message"); !strings.Contains(msg, "New failures: i-1") || strings.Contains(msg, "s3cret") {
		t.Errorf("message: %s", msg)
	}
	if len(observed) != 1 || observed[0] != nil {
		t.Errorf("observed %v", observed)
	}
	// Nothing changed: nothing published.
	n.Cycle(context.Background(), failing("r2", 2, "i-1"))
	if srv.calls != 2 {
		t.Errorf("an unchanged cycle published: %d calls", srv.calls)
	}
}

func TestSNSClientErrorIsPermanent(t *testing.T) {
	srv := &snsServer{failures: []int{http.StatusNotFound}}
	s := newSNS(t, srv)
	err := s.Send(context.Background(), Message{Title: "t", Text: "x"})
	if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), "NotFound") {
		t.Fatalf("a missing topic: %v; want a permanent NotFound", err)
	}
}

func TestSNSSubjectIsASCII(t *testing.T) {
	got := asciiLine("patchready heal in eu-west-1: blocked nodes rose — 3 → 4\nsecond line")
	if strings.ContainsAny(got, "\n—→") {
		t.Errorf("subject %q", got)
	}
}

func TestTopicRegion(t *testing.T) {
	if r, err := TopicRegion(topic); err != nil || r != "eu-west-1" {
		t.Errorf("TopicRegion(%s) = %q, %v", topic, r, err)
	}
	for _, bad := range []string{"", "patchready-alerts", "arn:aws:sqs:eu-west-1:1:q", "arn:aws:sns::1:t"} {
		if _, err := TopicRegion(bad); err == nil {
			t.Errorf("TopicRegion(%q) accepted", bad)
		}
	}
}
