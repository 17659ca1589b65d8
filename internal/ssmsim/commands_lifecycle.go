package ssmsim

import "time"

// startCommand begins dispatching a new command (added to the store, its
// invocations Pending) at its request time, running document version
// version. onDone, when not nil, is called once when the command reaches
// its final status, whichever way it gets there: every invocation ended,
// MaxErrors stopped the rest, or CancelCommand cancelled what was left.
// Simulator features that run their work as Run Command commands
// (associations, maintenance windows) learn through it that a run is over,
// so that their own executions end when the command does.
func (r *region) startCommand(c *command, version string, onDone func(*command)) {
	n := len(c.invocations)
	c.maxConc = rateLimit(c.MaxConcurrency, n, true)
	c.maxErrs = rateLimit(c.MaxErrors, n, false)
	c.onDone = onDone
	if n == 0 {
		// No targets matched: the command is done at once, as AWS's is.
		r.settle(c)
		return
	}
	r.schedule(c.Requested, func(now time.Time) { r.dispatch(c, version, now) })
}

// deliveryWindow returns how long a command waits for delivery and the
// TimeoutSeconds it reports, from the request's TimeoutSeconds (nil: not
// given). Delivery gives up after the simulator's DeliveryTimeout, or
// sooner when the request asks for less.
func (r *region) deliveryWindow(timeoutSeconds *int) (time.Duration, int) {
	timeout := r.server.opts.Behaviour.DeliveryTimeout
	if timeoutSeconds == nil {
		return timeout, defaultTimeoutSeconds
	}
	return min(timeout, time.Duration(*timeoutSeconds)*time.Second), *timeoutSeconds
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
			commandID: c.ID,
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
	inv.Output, inv.Stderr, inv.Plugin, inv.Start, inv.End = res.Output, res.Stderr, res.Plugin, res.Start, res.End
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

// settle sets the command's final status once every invocation is final,
// and then tells onDone, once.
func (r *region) settle(c *command) {
	if c.settled {
		return
	}
	for _, inv := range c.invocations {
		if !terminal(inv.Status) {
			return
		}
	}
	c.settled = true
	c.Status, c.StatusDetails = finalStatus(c)
	if c.onDone != nil {
		c.onDone(c)
	}
}

// finalStatus is the status of a command whose invocations are all final.
func finalStatus(c *command) (status, details string) {
	switch {
	case c.cancelling:
		return "Cancelled", "Cancelled"
	case c.maxErrs >= 0 && c.Errors > c.maxErrs:
		return "Failed", "Failed"
	case c.maxErrs >= 0 && c.DeliveryTOs > c.maxErrs && c.DeliveryTOs == len(c.invocations):
		return "TimedOut", "DeliveryTimedOut"
	}
	for _, inv := range c.invocations {
		if inv.Status != "Success" && inv.StatusDetails != "Undeliverable" {
			// Attempted everywhere, not all succeeded, but not enough
			// failed for Failed: AWS calls that Incomplete.
			return "Failed", "Incomplete"
		}
	}
	return "Success", "Success"
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
