package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Webhook posts a Slack-compatible message (Slack, Mattermost and most
// chat tools' incoming webhooks take it): {"text": …, "blocks": […]}.
type Webhook struct {
	// URL is the incoming webhook. It is a secret (whoever has it can
	// post), so it appears in no log and no error.
	URL string
	// Client sends the request (a client with a 10 s timeout when nil).
	Client *http.Client
}

// Name is the channel's name in logs and metrics.
func (w *Webhook) Name() string { return "webhook" }

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type string     `json:"type"`
	Text *slackText `json:"text,omitempty"`
}

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// payload is the JSON body for m: the text for notifications and clients
// without blocks, the blocks for Slack.
func payload(m Message) ([]byte, error) {
	title := m.Title
	if r := []rune(title); len(r) > 150 { // Slack's limit for a header
		title = string(r[:149]) + "…"
	}
	return json.Marshal(slackMessage{
		Text: m.Title + "\n" + m.Text,
		Blocks: []slackBlock{
			{Type: "header", Text: &slackText{Type: "plain_text", Text: title}},
			{Type: "section", Text: &slackText{Type: "mrkdwn", Text: m.Text}},
		},
	})
}

// Send posts m once. A 4xx answer other than 408 and 429 is permanent:
// retrying the same message cannot help.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	body, err := payload(m)
	if err != nil {
		return Permanent(fmt.Errorf("encode webhook message: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return Permanent(errors.New("webhook URL is not valid"))
	}
	req.Header.Set("Content-Type", "application/json")
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		// url.Error quotes the URL, and the URL is the secret.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("post webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("post webhook: %s", resp.Status)
	}
	return Permanent(fmt.Errorf("post webhook: %s", resp.Status))
}
