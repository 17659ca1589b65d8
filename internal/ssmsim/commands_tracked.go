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
// as on AWS, and that CancelCommand can cancel. done gets the invocation's
// result once the command is over, cancelled included.
func (r *region) runTracked(node, document, version string, params map[string][]string, comment string, timeoutSeconds *int, at time.Time, done func(execResult)) string {
	runVersion := version
	if d, err := r.lookupDocument(document); err == nil {
		// Resolve the version now, as SendCommand does: a default version
		// moved later must not change a run already started.
		if n, _, err := d.version(version); err == nil {
			runVersion = strconv.Itoa(n)
		}
	}
	timeout, seconds := r.deliveryWindow(timeoutSeconds)
	c := &command{
		ID: r.newUUID(), DocumentName: document, DocumentVersion: orDefault(version, "$DEFAULT"), Comment: comment,
		Parameters: params, InstanceIDs: []string{node}, Requested: at, ExpiresAfter: at.Add(timeout),
		TimeoutSeconds: seconds, MaxConcurrency: "1", MaxErrors: "0",
		Status: "Pending", StatusDetails: "Pending", byNode: map[string]*invocation{},
	}
	inv := &invocation{cmd: c, InstanceID: node, Status: "Pending", StatusDetails: "Pending", ResponseCode: -1}
	c.invocations = []*invocation{inv}
	c.byNode[node] = inv
	r.commands.add(c)
	r.startCommand(c, runVersion, func(*command) { done(inv.result()) })
	return c.ID
}
