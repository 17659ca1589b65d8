package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// receiver is a webhook endpoint on 127.0.0.1 that answers with the next
// status of its script (200 once the script runs out) and keeps every
// message it was sent.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	calls    int
	messages []slackMessage
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	status := http.StatusOK
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	if status == http.StatusOK {
		var m slackMessage
		b, _ := io.ReadAll(req.Body)
		if req.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &m) != nil {
			http.Error(w, "bad message", http.StatusBadRequest)
			return
		}
		r.messages = append(r.messages, m)
	}
	w.WriteHeader(status)
}

func (r *receiver) got() (calls int, msgs []slackMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls, append([]slackMessage(nil), r.messages...)
}

// The webhook's secret part: it must never reach a log or an error.
const hookPath = "/services/T000/B000/XXXXsecretXXXX"

type harness struct {
	recv     *receiver
	n        *Notifier
	waits    []time.Duration
	observed []error
	logs     *observer.ObservedLogs
}

func newHarness(t *testing.T, statePath string) *harness {
	t.Helper()
	h := &harness{recv: &receiver{}}
	srv := httptest.NewServer(h.recv)
	t.Cleanup(srv.Close)
	core, logs := observer.New(zap.DebugLevel)
	h.logs = logs
	h.n = &Notifier{
		Senders:   []Sender{&Webhook{URL: srv.URL + hookPath}},
		StatePath: statePath,
		Sleep:     func(_ context.Context, d time.Duration) error { h.waits = append(h.waits, d); return nil },
		Logger:    zap.New(core),
		Observe:   func(_ string, err error) { h.observed = append(h.observed, err) },
	}
	return h
}

func failing(run string, blocked int, failed ...string) Cycle {
	return Cycle{
		RunID: run, Region: "eu-west-1", Result: ResultNotCompliant, Nodes: 36,
		Verdicts: []Count{{"compliant", 22}, {"fix", 10}, {"blocked", blocked}},
		Blocked:  blocked, Failed: failed, Targets: 10, Verified: 10 - len(failed), BackingOff: 1,
		Reasons: []Count{
			{"agent update failed (Failed)", 2},
			{"upgrade-requests failed: pip could not reach http://alice:s3cret@proxy.corp:3128 (password=hunter2)", 1},
		},
	}
}

func compliant(run string, blocked int) Cycle {
	c := failing(run, blocked)
	c.Result, c.Failed, c.Verified, c.BackingOff, c.Reasons = ResultCompliant, nil, 10, 0, nil
	return c
}

func TestWebhookNotifiesOnChangeOnly(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, filepath.Join(t.TempDir(), "notify-state.json"))

	h.n.Cycle(ctx, failing("r1", 3, "i-2", "i-1"))
	calls, msgs := h.recv.got()
	if calls != 1 || len(msgs) != 1 {
		t.Fatalf("first failing cycle: %d calls, %d messages; want 1", calls, len(msgs))
	}
	text := msgs[0].Text
	for _, want := range []string{"eu-west-1", "2 new failures", "blocked nodes rose from 0 to 3", "36 nodes: 22 compliant, 10 fix, 3 blocked",
		"Fixed and read back 8 of 10", "2× agent update failed (Failed)", "New failures: i-1, i-2"} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q:\n%s", want, text)
		}
	}
	for _, secret := range []string{"alice", "s3cret", "proxy.corp", "hunter2", "http://"} {
		if strings.Contains(text, secret) {
			t.Errorf("message carries %q:\n%s", secret, text)
		}
	}
	if len(msgs[0].Blocks) != 2 || msgs[0].Blocks[0].Type != "header" || msgs[0].Blocks[1].Text.Type != "mrkdwn" {
		t.Errorf("not a Slack block message: %+v", msgs[0].Blocks)
	}

	// The same failures and blocked count again: nothing to say.
	h.n.Cycle(ctx, failing("r2", 3, "i-1", "i-2"))
	// Fewer blocked, one failure gone: still nothing new.
	h.n.Cycle(ctx, failing("r3", 2, "i-1"))
	if calls, _ := h.recv.got(); calls != 1 {
		t.Fatalf("cycles with nothing new sent %d messages in all; want only the first", calls)
	}

	// A process of its own (heal --once) reads what was last said.
	h2 := newHarness(t, h.n.StatePath)
	h2.n.Cycle(ctx, failing("r4", 2, "i-1"))
	if calls, _ := h2.recv.got(); calls != 0 {
		t.Fatalf("a new process repeated an unchanged outcome")
	}
	// Compared with what the channel was last told (3 blocked, i-1 and
	// i-2 failing): i-9 is new, and 4 blocked is more than it heard of.
	h2.n.Cycle(ctx, failing("r5", 4, "i-1", "i-9"))
	if _, msgs := h2.recv.got(); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "1 new failure;") ||
		!strings.Contains(msgs[0].Text, "rose from 3 to 4") || !strings.Contains(msgs[0].Text, "New failures: i-9") {
		t.Fatalf("new failure and rising blocked count: %+v", msgs)
	}
	h2.n.Cycle(ctx, compliant("r6", 4))
	if _, msgs := h2.recv.got(); len(msgs) != 2 || !strings.HasPrefix(msgs[1].Text, "patchready heal in eu-west-1: recovered") {
		t.Fatalf("recovery: %+v", msgs)
	}
	h2.n.Cycle(ctx, compliant("r7", 4))
	h2.n.Cycle(ctx, Cycle{RunID: "r8", Result: "interrupted", Blocked: 9})
	if calls, _ := h2.recv.got(); calls != 2 {
		t.Fatalf("a steady or interrupted cycle sent a message: %d calls", calls)
	}
}

func TestWebhookRetriesWithBackoff(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, "")
	h.recv.statuses = []int{http.StatusInternalServerError, http.StatusInternalServerError}
	h.n.Cycle(ctx, failing("r1", 1, "i-1"))
	calls, msgs := h.recv.got()
	if calls != 3 || len(msgs) != 1 {
		t.Fatalf("after two 500s: %d calls, %d delivered; want 3 calls, 1 delivered", calls, len(msgs))
	}
	if len(h.waits) != 2 || h.waits[0] != DefaultBackoff || h.waits[1] != 2*DefaultBackoff {
		t.Errorf("waits %v; want %v then %v", h.waits, DefaultBackoff, 2*DefaultBackoff)
	}
	if len(h.observed) != 1 || h.observed[0] != nil {
		t.Errorf("observed %v; want one delivery", h.observed)
	}
}

func TestFailedNotificationIsLoggedAndRetriedNextCycle(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, "")
	h.recv.statuses = []int{500, 500, 500, 500}
	h.n.Cycle(ctx, failing("r1", 1, "i-1"))
	if calls, msgs := h.recv.got(); calls != DefaultAttempts || len(msgs) != 0 {
		t.Fatalf("%d calls, %d delivered; want %d attempts and none delivered", calls, len(msgs), DefaultAttempts)
	}
	if len(h.observed) != 1 || h.observed[0] == nil {
		t.Fatalf("the failure was not observed: %v", h.observed)
	}
	for _, e := range h.logs.All() {
		for _, f := range e.Context {
			if strings.Contains(f.String, "secret") || (f.Interface != nil && strings.Contains(errString(f.Interface), "secret")) {
				t.Errorf("a log line carries the webhook URL: %s %v", e.Message, f)
			}
		}
	}
	if h.logs.FilterMessage("notification not delivered").Len() != 1 {
		t.Errorf("the failure was not logged: %v", h.logs.All())
	}
	// Not delivered, so the change is still news next cycle.
	h.n.Cycle(ctx, failing("r2", 1, "i-1"))
	if _, msgs := h.recv.got(); len(msgs) != 1 {
		t.Fatalf("the undelivered change was not sent again: %d messages", len(msgs))
	}
}

func errString(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	return ""
}

func TestWebhookPermanentErrorIsNotRetried(t *testing.T) {
	h := newHarness(t, "")
	h.recv.statuses = []int{http.StatusNotFound}
	h.n.Cycle(context.Background(), failing("r1", 1, "i-1"))
	if calls, _ := h.recv.got(); calls != 1 {
		t.Fatalf("a 404 was retried: %d calls", calls)
	}
	if len(h.observed) != 1 || !IsPermanent(h.observed[0]) || strings.Contains(h.observed[0].Error(), "secret") {
		t.Fatalf("observed %v", h.observed)
	}
}

func TestUnreachableWebhookKeepsItsURLSecret(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + hookPath
	srv.Close() // nothing listens there any more
	w := &Webhook{URL: url}
	err := w.Send(context.Background(), Message{Title: "t", Text: "x"})
	if err == nil || strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "/services/") {
		t.Fatalf("error %v: want a failure that does not quote the URL", err)
	}
}

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		"proxy https://u:p@10.0.0.1:8443/x failed":  "proxy [url removed] failed",
		"via bob:pa55@proxy.local:3128":             "via [credentials removed]",
		"AWS_SECRET_ACCESS_KEY=abcd and token: xyz": "AWS_SECRET_ACCESS_KEY=[removed] and token=[removed]",
		"(password=hunter2)":                        "(password=[removed])",
		"agent update failed (Failed)":              "agent update failed (Failed)",
	} {
		if got := scrub(in); got != want {
			t.Errorf("scrub(%q) = %q, want %q", in, got, want)
		}
	}
}
