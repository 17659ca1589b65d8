package targets

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/plan"
)

// Failure kinds, as plan.TargetFailure.Kind and the exit report name them.
const (
	KindRole           = "role"
	KindSuspended      = "suspended"
	KindRegionDisabled = "region-disabled"
	KindThrottled      = "throttled"
	KindDenied         = "denied"
	KindStale          = "stale"
	KindError          = "error"
)

// kind is one way a target fails: how to recognise it from the error,
// what to say, and what to do. Classify tries them in order.
type kind struct {
	name   string
	match  func(err error) bool
	reason func(where string, err error) string
	advice string
}

// kinds is every way a target fails, registered once; the first match wins.
var kinds = []kind{
	{
		name:  KindStale,
		match: func(err error) bool { var se *plan.StaleError; return errors.As(err, &se) },
		reason: func(where string, err error) string {
			var se *plan.StaleError
			errors.As(err, &se)
			return fmt.Sprintf("the plan is stale in %s: %d node facts changed since it was made", where, len(se.Changes))
		},
		advice: "make a new plan and review it; nothing was changed in this target",
	},
	{
		name: KindSuspended,
		match: func(err error) bool {
			return awsclient.Code(err) == "SubscriptionRequiredException" || isSuspended(err)
		},
		reason: func(where string, err error) string {
			return fmt.Sprintf("%s is in a suspended account: AWS refuses its credentials", where)
		},
		advice: "leave the account out (--exclude-accounts), or reopen it",
	},
	{
		name:  KindThrottled,
		match: awsclient.IsThrottled,
		reason: func(where string, err error) string {
			return fmt.Sprintf("AWS kept throttling %s in %s after every retry", opOr(err), where)
		},
		advice: "run again later; the limit is this account's and region's own, shared with other tools calling SSM there (lower --max-concurrency, or ask AWS for a higher quota)",
	},
	{
		name:  KindRole,
		match: isAssumeRole,
		reason: func(where string, err error) string {
			return fmt.Sprintf("cannot assume the role in %s: %s", where, codeOr(err))
		},
		advice: "create the role in the account (patchready iam-policy --for stackset), or check that its trust policy admits this caller, and --role-name and --external-id",
	},
	{
		name: KindRegionDisabled,
		match: func(err error) bool {
			switch awsclient.Code(err) {
			case "UnrecognizedClientException", "InvalidClientTokenId", "OptInRequired", "RegionDisabledException":
				return true
			}
			return errors.Is(err, errRegionDisabled)
		},
		reason: func(where string, err error) string {
			if errors.Is(err, errRegionDisabled) {
				return strings.TrimPrefix(err.Error(), errRegionDisabled.Error()+": ")
			}
			return fmt.Sprintf("AWS refused the credentials in %s (%s): the region is not enabled in the account", where, codeOr(err))
		},
		advice: "enable the region in the account (Account settings, AWS Regions), or leave it out of --regions",
	},
	{
		name:  KindDenied,
		match: awsclient.IsAccessDenied,
		reason: func(where string, err error) string {
			return fmt.Sprintf("the role may not call %s in %s", opOr(err), where)
		},
		advice: "attach the member policy to the role (patchready iam-policy --for member)",
	},
}

// errRegionDisabled is wrapped by the failures Resolve makes for a region
// an account has not enabled or that does not exist.
var errRegionDisabled = errors.New("region not enabled")

// errSuspended is wrapped when the organization says the account is
// suspended.
var errSuspended = errors.New("account suspended")

func isSuspended(err error) bool { return errors.Is(err, errSuspended) }

// Classify turns what stopped a target into its failure: the kind, the
// reason in words and what to do. where names the target as a phrase
// (Where).
func Classify(where string, err error) *plan.TargetFailure {
	for _, k := range kinds {
		if k.match(err) {
			return &plan.TargetFailure{Kind: k.name, Reason: k.reason(where, err), Advice: k.advice}
		}
	}
	return &plan.TargetFailure{Kind: KindError, Reason: fmt.Sprintf("%s: %s", where, awsclient.Explain(err))}
}

// isAssumeRole reports whether err came from assuming the role: the
// credentials provider's STS AssumeRole call.
func isAssumeRole(err error) bool {
	var oe *smithy.OperationError
	for e := err; errors.As(e, &oe); e = oe.Err {
		if oe.Service() == "STS" && oe.Operation() == "AssumeRole" {
			return true
		}
	}
	return false
}

func codeOr(err error) string {
	if c := awsclient.Code(err); c != "" {
		return c
	}
	return err.Error()
}

// opOr names the innermost operation of err.
func opOr(err error) string {
	var oe *smithy.OperationError
	op := ""
	for e := err; errors.As(e, &oe); e = oe.Err {
		op = oe.Operation()
	}
	if op == "" {
		return "a call"
	}
	return op
}

// Where names a target in a reason: "account 111122223333 in eu-west-1",
// or the account alone when its regions are not known.
func Where(account, region string) string {
	if region == "" || region == AllRegions {
		return "account " + account
	}
	return "account " + account + " in " + region
}
