package ssmsim

import (
	"time"
	"unicode/utf8"

	"github.com/patchready/patchready/internal/ssmsim/docparse"
)

// This file is the contract between the command machinery (commands_*.go,
// node_*.go) and its users inside the simulator (associations,
// maintenance windows).

// maxOutputChars is how much standard output GetCommandInvocation returns;
// AWS cuts the rest (the full text goes to S3 when configured).
const maxOutputChars = 24000

// execResult is how one run of a document on one node ended.
type execResult struct {
	Status        string // Success | Failed | TimedOut | Cancelled (CommandInvocationStatus)
	StatusDetails string // Success | Failed | DeliveryTimedOut | Undeliverable | Terminated | Cancelled
	ResponseCode  int    // the script's exit code; -1 when it never ran
	Output        string // standard output (cut at 24,000 characters as AWS does)
	// Stderr is standard error as the agent reports it: the step's own,
	// then, for a step that failed, the agent's "failed to run commands"
	// line (cut at 24,000 characters too).
	Stderr     string
	Start, End time.Time
	// Plugin is the name of the step (2.x) or plugin (1.2) that produced
	// Output: what CommandPlugins and GetCommandInvocation call PluginName.
	Plugin string
}

// runHooks let the Run Command machinery follow one run. The zero value
// (used by runOnNode) follows nothing and waits Behaviour.DeliveryTimeout.
type runHooks struct {
	// deliveryTimeout bounds how long delivery waits for an offline node.
	deliveryTimeout time.Duration
	// progress, when set, hears Delayed and InProgress as they happen.
	progress func(status string, at time.Time)
	// cancelled, when set, is asked before each step; a cancelled run stops
	// without calling done (the caller recorded the cancellation).
	cancelled func() bool
	// commandID is the Run Command command the run belongs to, "" when
	// none: the agent names its work directory after it.
	commandID string
}

// runOnNode schedules a run of the named document (version "" = default)
// with params on node id, starting at start, and calls done with the result
// at the simulated time the run ends (through the event queue). It models
// the node's behaviour: AWS-UpdateSSMAgent raises the agent version after
// Behaviour.UpdateDelay and opens a restart window; the project's probe and
// upgrade documents (recognised by their step names) read and change the
// node's proxy and requests model; AWS-RunShellScript succeeds doing
// nothing; node faults apply.
//
// Delivery: a node that does not exist or is terminated when the run
// starts ends Failed/Undeliverable at once. A node inside its restart
// window is waited for; a node that is offline (ConnectionLost, Inactive)
// or has the Undeliverable fault ends TimedOut/DeliveryTimedOut after
// Behaviour.DeliveryTimeout. Parameters are not validated here: callers
// validate them first (validateParameters).
func (r *region) runOnNode(id, document, version string, params map[string][]string, start time.Time, done func(execResult)) {
	r.runWith(id, document, version, params, start, runHooks{}, done)
}

// runWith is runOnNode with hooks for the Run Command machinery.
func (r *region) runWith(id, document, version string, params map[string][]string, start time.Time, h runHooks, done func(execResult)) {
	if h.deliveryTimeout <= 0 {
		h.deliveryTimeout = r.server.opts.Behaviour.DeliveryTimeout
	}
	x := &run{node: id, docName: document, commandID: h.commandID, params: params, start: start, deadline: start.Add(h.deliveryTimeout), hooks: h, done: done}
	d, err := r.lookupDocument(document)
	var v *docVersion
	if err == nil {
		_, v, err = d.version(version)
	}
	if err != nil {
		r.schedule(start, func(now time.Time) {
			x.finish(execResult{Status: "Failed", StatusDetails: "Failed", ResponseCode: -1, Output: err.Message, End: now})
		})
		return
	}
	x.doc = v.Parsed
	r.schedule(start, func(now time.Time) { r.deliver(x, now) })
}

// run is one document run on one node, in flight through the event queue.
type run struct {
	node string
	// docName is the document's name as the run was asked for (a name or
	// an ARN); commandID the command's ID, "" outside Run Command.
	docName, commandID string
	doc                *docparse.Doc
	params             map[string][]string
	start              time.Time
	deadline           time.Time
	hooks              runHooks
	done               func(execResult)
	began              time.Time
}

func (x *run) cancelled() bool { return x.hooks.cancelled != nil && x.hooks.cancelled() }

func (x *run) progress(status string, at time.Time) {
	if x.hooks.progress != nil {
		x.hooks.progress(status, at)
	}
}

// finish reports the result, cut to what AWS returns.
func (x *run) finish(res execResult) {
	if x.cancelled() {
		return
	}
	if res.Start.IsZero() {
		res.Start = x.began
	}
	if res.Plugin == "" && x.doc != nil && len(x.doc.Steps) > 0 {
		res.Plugin = x.doc.Steps[0].Name
	}
	res.Output = cutOutput(res.Output)
	res.Stderr = cutOutput(res.Stderr)
	x.done(res)
}

// deliver hands the run to the node, or waits for it, or gives up.
func (r *region) deliver(x *run, now time.Time) {
	if x.cancelled() {
		return
	}
	n, ok := r.byID[x.node]
	if !ok || n.Terminated {
		x.finish(execResult{Status: "Failed", StatusDetails: "Undeliverable", ResponseCode: -1, End: now})
		return
	}
	if r.pingStatus(n, now) != "Online" || n.Faults.Undeliverable {
		x.progress("Delayed", now)
		until, restarting := r.offlineUntil[n.ID]
		if restarting && now.Before(until) && n.PingStatus == "Online" && !n.Faults.Undeliverable && !until.After(x.deadline) {
			// The agent is restarting and will be back before the delivery
			// timeout: the command waits for it, as SSM's queue does.
			r.schedule(until, func(t time.Time) { r.deliver(x, t) })
			return
		}
		r.schedule(x.deadline, func(t time.Time) {
			x.finish(execResult{Status: "TimedOut", StatusDetails: "DeliveryTimedOut", ResponseCode: -1, End: t})
		})
		return
	}
	x.began = now
	x.progress("InProgress", now)
	r.execute(n, x, now)
}

// cutOutput keeps the first 24,000 characters, on a rune boundary.
func cutOutput(s string) string {
	if len(s) <= maxOutputChars {
		return s
	}
	if utf8.RuneCountInString(s) <= maxOutputChars {
		return s
	}
	n := 0
	for i := range s {
		if n == maxOutputChars {
			return s[:i]
		}
		n++
	}
	return s
}

// setTags and tagsOf store tags of non-node resources, keyed by the
// ResourceTypeForTagging name (Document, Association, MaintenanceWindow).
func (r *region) setTags(resourceType, id string, tags map[string]string) {
	key := resourceType + "/" + id
	m, ok := r.tags[key]
	if !ok {
		m = map[string]string{}
		r.tags[key] = m
	}
	for k, v := range tags {
		m[k] = v
	}
}

func (r *region) tagsOf(resourceType, id string) map[string]string {
	return r.tags[resourceType+"/"+id]
}

func (r *region) removeTags(resourceType, id string, keys []string) {
	m := r.tags[resourceType+"/"+id]
	for _, k := range keys {
		delete(m, k)
	}
}

func (r *region) dropTags(resourceType, id string) { delete(r.tags, resourceType+"/"+id) }
