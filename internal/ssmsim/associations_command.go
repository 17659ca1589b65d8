package ssmsim

import (
	"strconv"
	"time"
)

// runTracked runs a document on one node as a one-node Run Command
// command registered in the command store, and returns its CommandId.
// Association runs and maintenance-window invocations go through it, so
// that the OutputSourceId and ExecutionId they report lead to a command
// that ListCommands, ListCommandInvocations and GetCommandInvocation know,
// as on AWS.
//
// It drives the command itself (rather than through startCommand) because
// its caller needs the result callback; the command's bookkeeping is the
// Run Command machinery's own complete and settle.
func (r *region) runTracked(node, document, version string, params map[string][]string, comment string, timeoutSeconds *int, at time.Time, done func(execResult)) string {
	runVersion := version
	if d, err := r.lookupDocument(document); err == nil {
		// Resolve the version now, as SendCommand does: a default version
		// moved later must not change a run already started.
		if n, _, err := d.version(version); err == nil {
			runVersion = strconv.Itoa(n)
		}
	}
	timeout := r.server.opts.Behaviour.DeliveryTimeout
	seconds := defaultTimeoutSeconds
	if timeoutSeconds != nil {
		seconds = *timeoutSeconds
		timeout = min(timeout, time.Duration(seconds)*time.Second)
	}
	c := &command{
		ID: r.newUUID(), DocumentName: document, DocumentVersion: orDefault(version, "$DEFAULT"), Comment: comment,
		Parameters: params, InstanceIDs: []string{node}, Requested: at, ExpiresAfter: at.Add(timeout),
		TimeoutSeconds: seconds, MaxConcurrency: "1", MaxErrors: "0",
		Status: "InProgress", StatusDetails: "InProgress", byNode: map[string]*invocation{},
	}
	inv := &invocation{cmd: c, InstanceID: node, Status: "Pending", StatusDetails: "Pending", ResponseCode: -1, started: true}
	c.invocations = []*invocation{inv}
	c.byNode[node] = inv
	// The one invocation is dispatched here, so the dispatcher has
	// nothing left to start.
	c.maxConc, c.maxErrs, c.next, c.inFlight = 1, 0, 1, 1
	r.commands.add(c)
	hooks := runHooks{
		deliveryTimeout: timeout,
		progress: func(status string, t time.Time) {
			if !terminal(inv.Status) {
				inv.Status, inv.StatusDetails = status, status
				if status == "InProgress" {
					inv.Start = t
				}
			}
		},
		cancelled: func() bool { return inv.cancelled },
	}
	r.runWith(node, document, runVersion, params, at, hooks, func(res execResult) {
		r.complete(c, inv, res, runVersion)
		done(res)
	})
	return c.ID
}
