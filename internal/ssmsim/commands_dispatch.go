package ssmsim

import "time"

// start begins dispatching a new command at its request time.
func (r *region) startCommand(c *command, version string) {
	n := len(c.invocations)
	c.maxConc = rateLimit(c.MaxConcurrency, n, true)
	c.maxErrs = rateLimit(c.MaxErrors, n, false)
	if n == 0 {
		// No targets matched: the command is done at once, as AWS's is.
		c.Status, c.StatusDetails = "Success", "Success"
		return
	}
	r.schedule(c.Requested, func(now time.Time) { r.dispatch(c, version, now) })
}

// dispatch starts invocations while concurrency allows and the error
// threshold is not passed. Undispatched invocations wait as Pending.
func (r *region) dispatch(c *command, version string, now time.Time) {
	for !c.stopped && c.next < len(c.invocations) && (c.maxConc < 0 || c.inFlight < c.maxConc) {
		inv := c.invocations[c.next]
		c.next++
		if inv.cancelled {
			continue
		}
		c.inFlight++
		inv.started = true
		if c.Status == "Pending" {
			c.Status, c.StatusDetails = "InProgress", "InProgress"
		}
		hooks := runHooks{
			deliveryTimeout: c.ExpiresAfter.Sub(c.Requested),
			progress: func(status string, at time.Time) {
				if !terminal(inv.Status) {
					inv.Status, inv.StatusDetails = status, status
					if status == "InProgress" {
						inv.Start = at
					}
				}
			},
			cancelled: func() bool { return inv.cancelled },
		}
		r.runWith(inv.InstanceID, c.DocumentName, version, c.Parameters, now, hooks, func(res execResult) {
			r.complete(c, inv, res, version)
		})
	}
}

// complete records one invocation's result, updates the command's counts
// and dispatches more, or stops when MaxErrors is exceeded.
func (r *region) complete(c *command, inv *invocation, res execResult, version string) {
	inv.Status, inv.StatusDetails, inv.ResponseCode = res.Status, res.StatusDetails, res.ResponseCode
	inv.Output, inv.Plugin, inv.Start, inv.End = res.Output, res.Plugin, res.Start, res.End
	c.inFlight--
	c.Completed++
	switch {
	case res.StatusDetails == "DeliveryTimedOut":
		c.DeliveryTOs++
	case res.Status == "Failed" && res.StatusDetails != "Undeliverable", res.StatusDetails == "ExecutionTimedOut":
		c.Errors++
	}
	if c.maxErrs >= 0 && c.Errors > c.maxErrs && !c.stopped {
		// Past MaxErrors: invocations not yet sent never start, and end
		// Terminated as AWS reports them.
		c.stopped = true
		for _, rest := range c.invocations[c.next:] {
			if !terminal(rest.Status) {
				rest.Status, rest.StatusDetails, rest.ResponseCode, rest.End = "Cancelled", "Terminated", -1, res.End
				c.Completed++
			}
		}
		c.next = len(c.invocations)
	}
	r.dispatch(c, version, res.End)
	r.settle(c)
}

// settle sets the command's final status once every invocation is final.
func (r *region) settle(c *command) {
	for _, inv := range c.invocations {
		if !terminal(inv.Status) {
			return
		}
	}
	switch {
	case c.cancelling:
		c.Status, c.StatusDetails = "Cancelled", "Cancelled"
	case c.maxErrs >= 0 && c.Errors > c.maxErrs:
		c.Status, c.StatusDetails = "Failed", "Failed"
	case c.maxErrs >= 0 && c.DeliveryTOs > c.maxErrs && c.DeliveryTOs == len(c.invocations):
		c.Status, c.StatusDetails = "TimedOut", "DeliveryTimedOut"
	default:
		c.Status, c.StatusDetails = "Success", "Success"
		for _, inv := range c.invocations {
			if inv.Status != "Success" && inv.StatusDetails != "Undeliverable" {
				// Attempted everywhere, not all succeeded, but not enough
				// failed for Failed: AWS calls that Incomplete.
				c.Status, c.StatusDetails = "Failed", "Incomplete"
				break
			}
		}
	}
}

// cancel cancels a command's unfinished invocations on the given nodes
// (all when nodes is empty).
func (r *region) cancel(c *command, nodes []string, now time.Time) {
	all := len(nodes) == 0
	for _, inv := range c.invocations {
		if terminal(inv.Status) || (!all && !contains(nodes, inv.InstanceID)) {
			continue
		}
		inv.cancelled = true
		inv.Status, inv.StatusDetails, inv.ResponseCode, inv.End = "Cancelled", "Cancelled", -1, now
		c.Completed++
		if inv.started {
			c.inFlight--
		}
	}
	if all {
		c.cancelling = true
		c.stopped = true
	}
	r.settle(c)
}
