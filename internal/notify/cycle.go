package notify

import (
	"fmt"
	"slices"
	"strings"
)

// Count is a named number.
type Count struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

// Cycle is what a notification knows of one heal cycle.
type Cycle struct {
	RunID  string
	Region string
	// Result is heal's cycle result: compliant, not-compliant, error or
	// interrupted.
	Result string
	Error  string
	Nodes  int
	// Verdicts counts the nodes by verdict name.
	Verdicts []Count
	Blocked  int
	// Failed are the nodes that failed or timed out this cycle.
	Failed     []string
	Targets    int
	Verified   int
	BackingOff int
	// Reasons are the reasons of failures and blocked nodes, most first.
	Reasons []Count
}

// Result values Diff recognises; other results never trigger a message.
const (
	ResultCompliant    = "compliant"
	ResultNotCompliant = "not-compliant"
	ResultError        = "error"
)

// Snapshot is what a channel was last told; the next cycle is compared
// with it.
type Snapshot struct {
	RunID   string   `json:"run_id"`
	Result  string   `json:"result"`
	Blocked int      `json:"blocked"`
	Failed  []string `json:"failed,omitempty"`
}

// SnapshotOf is the snapshot a delivered message about c leaves.
func SnapshotOf(c Cycle) Snapshot {
	f := slices.Clone(c.Failed)
	slices.Sort(f)
	return Snapshot{RunID: c.RunID, Result: c.Result, Blocked: c.Blocked, Failed: f}
}

// Diff lists what changed since prev, in words; nothing means no message.
// With no previous snapshot, a compliant fleet with nothing blocked is the
// baseline, so the first cycle speaks only when something is wrong.
func Diff(prev *Snapshot, c Cycle) []string {
	if c.Result != ResultCompliant && c.Result != ResultNotCompliant && c.Result != ResultError {
		return nil // interrupted: the cycle says nothing about the fleet
	}
	p := Snapshot{Result: ResultCompliant}
	if prev != nil {
		p = *prev
	}
	var out []string
	if c.Result == ResultError && p.Result != ResultError {
		out = append(out, "the heal cycle could not run")
	}
	if n := len(NewFailures(prev, c)); n > 0 {
		out = append(out, plural(n, "new failure", "new failures"))
	}
	if c.Blocked > p.Blocked {
		out = append(out, fmt.Sprintf("blocked nodes rose from %d to %d", p.Blocked, c.Blocked))
	}
	if c.Result == ResultCompliant && p.Result != ResultCompliant {
		out = append(out, "recovered: every node heal touched reads back compliant")
	}
	return out
}

// NewFailures are the failed nodes of c that prev did not list.
func NewFailures(prev *Snapshot, c Cycle) []string {
	var p []string
	if prev != nil {
		p = prev.Failed
	}
	var out []string
	for _, id := range c.Failed {
		if _, found := slices.BinarySearch(p, id); !found {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Message is one notification, as every channel sends it.
type Message struct {
	// Title is one line; SNS uses it as the subject.
	Title string
	// Text is the body, plain text with bullet lines.
	Text string
}

// maxListed caps the instance IDs and reasons a message lists.
const maxListed = 10

// Compose writes the message about c for the changes found.
func Compose(c Cycle, changes []string, fresh []string) Message {
	where := ""
	if c.Region != "" {
		where = " in " + c.Region
	}
	title := "patchready heal" + where + ": " + changes[0]
	var b strings.Builder
	fmt.Fprintf(&b, "What changed: %s.\n", strings.Join(changes, "; "))
	var counts []string
	for _, v := range c.Verdicts {
		counts = append(counts, fmt.Sprintf("%d %s", v.N, v.Name))
	}
	fmt.Fprintf(&b, "Cycle %s: %s. %s: %s.\n", c.RunID, c.Result, plural(c.Nodes, "node", "nodes"), strings.Join(counts, ", "))
	if c.Targets > 0 {
		fmt.Fprintf(&b, "Fixed and read back %d of %d targeted; %d failed or timed out.\n", c.Verified, c.Targets, len(c.Failed))
	}
	if c.BackingOff > 0 {
		fmt.Fprintf(&b, "%s backing off after earlier failures.\n", plural(c.BackingOff, "node is", "nodes are"))
	}
	if c.Error != "" {
		fmt.Fprintf(&b, "Error: %s\n", c.Error)
	}
	if len(c.Reasons) > 0 {
		b.WriteString("Top reasons:\n")
		for i, r := range c.Reasons {
			if i == maxListed {
				break
			}
			fmt.Fprintf(&b, "• %d× %s\n", r.N, r.Name)
		}
	}
	if len(fresh) > 0 {
		shown := fresh[:min(len(fresh), maxListed)]
		fmt.Fprintf(&b, "New failures: %s", strings.Join(shown, ", "))
		if len(fresh) > len(shown) {
			fmt.Fprintf(&b, " and %d more", len(fresh)-len(shown))
		}
		b.WriteString("\n")
	}
	return Message{Title: scrub(title), Text: scrub(strings.TrimRight(b.String(), "\n"))}
}
