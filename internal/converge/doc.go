// Package converge follows every targeted node from pending to verified,
// failed or timed out, by reading the facts back from SSM: a node's agent
// update counts only when DescribeInstanceInformation reports the new
// version, never because a command or association said Success.
//
// It owns the order of work on a node (the requests upgrade starts only
// once the node's agent update is read back and the node is Online again,
// since the agent restarts during its update), the poll schedule (backoff
// with jitter, reading only what is still pending), and progress events.
// It creates nothing itself: the executors in package remedy do.
package converge
