package awsclient

import "github.com/aws/aws-sdk-go-v2/service/ssm/types"

// InvocationFinished reports whether a Run Command invocation has reached a
// final status. Pending, InProgress, Delayed and Cancelling are still
// moving; everything else (Success, Failed, TimedOut, Cancelled, and any
// status a newer API adds) is taken as final, so a poller never waits
// forever on a status it does not know.
func InvocationFinished(s types.CommandInvocationStatus) bool {
	switch s {
	case types.CommandInvocationStatusPending, types.CommandInvocationStatusInProgress,
		types.CommandInvocationStatusDelayed, types.CommandInvocationStatusCancelling:
		return false
	}
	return true
}
