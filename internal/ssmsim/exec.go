package ssmsim

import "time"

// This file is the contract between the command machinery (commands_*.go,
// behaviour_*.go) and its users inside the simulator (associations,
// maintenance windows).

// execResult is how one run of a document on one node ended.
type execResult struct {
	Status        string // Success | Failed | TimedOut | Cancelled | Undeliverable? see commands: invocation statuses
	StatusDetails string // Success | Failed | DeliveryTimedOut | ExecutionTimedOut | Undeliverable | Terminated | ...
	ResponseCode  int
	Output        string // standard output (cut at 24,000 characters as AWS does)
	Start, End    time.Time
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
// Implemented by the command machinery.
var _ = (*region).runOnNode

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

// runOnNode: see the comment above. This placeholder is replaced by the
// command machinery's implementation.
func (r *region) runOnNode(id, document, version string, params map[string][]string, start time.Time, done func(execResult)) {
	panic("ssmsim: runOnNode not implemented yet")
}
