// Package notify tells people when heal's view of the fleet changes: new
// failures, a rising count of blocked nodes, a cycle that could not run,
// and recovery. It posts a Slack-compatible JSON message to a webhook or
// publishes to an SNS topic, and says nothing when nothing changed.
//
// A message carries counts, instance IDs and the top reasons in words. It
// never carries a proxy URL or a credential: every text that goes out is
// scrubbed of URLs and user:password pairs, and the webhook's own URL
// (a secret in Slack's scheme) is never logged.
//
// Delivery is retried with backoff; a notification that still fails is
// logged and counted, and never fails the heal cycle.
package notify
