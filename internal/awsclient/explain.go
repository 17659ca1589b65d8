package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/aws/smithy-go"
)

// Explain turns an error from an AWS call into one line a user can act on.
// Errors it does not recognise are returned as their own text.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	op := operationOf(err)
	switch {
	case errors.Is(err, ErrNoRegion):
		return ErrNoRegion.Error()
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case IsNoCredentials(err):
		return "no AWS credentials found: set AWS_PROFILE (or pass --profile), " +
			"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an instance or task role"
	case IsInvalidCredentials(err):
		return fmt.Sprintf("AWS rejected the credentials (%s): they may have expired; refresh them (aws sso login, new session token) and retry", Code(err))
	case IsAccessDenied(err):
		if op == "" {
			return "access denied by AWS: the caller lacks a permission patchready needs (see: patchready iam-policy)"
		}
		return fmt.Sprintf("access denied: the caller lacks permission ssm:%s (see: patchready iam-policy)", op)
	case IsThrottled(err):
		return fmt.Sprintf("AWS kept throttling %s after every retry: lower --max-concurrency, or retry later", orCall(op))
	}
	if u, ok := unreachable(err); ok {
		return fmt.Sprintf("cannot reach %s: %s", u, reachAdvice(u))
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%s: %s: %s", orCall(op), ae.ErrorCode(), ae.ErrorMessage())
	}
	return err.Error()
}

func orCall(op string) string {
	if op == "" {
		return "the call"
	}
	return op
}

// operationOf returns the SSM operation an error came from, from the
// smithy.OperationError the SDK wraps every call error in.
func operationOf(err error) string {
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return oe.Operation()
	}
	return ""
}

// unreachable reports whether err is a failure to connect, and to where
// (scheme://host only: the path carries nothing useful).
func unreachable(err error) (string, bool) {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return "", false
	}
	var oe *net.OpError
	var de *net.DNSError
	if !errors.As(err, &oe) && !errors.As(err, &de) {
		return "", false
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil || u.Host == "" {
		return ue.URL, true
	}
	return u.Scheme + "://" + u.Host, true
}

// reachAdvice guesses what a user should check. A loopback endpoint is
// almost always the simulator (patchready sim serve).
func reachAdvice(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err == nil {
		host := u.Hostname()
		if host == "localhost" {
			return "is the simulator running?"
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return "is the simulator running?"
		}
	}
	return "check the network, proxy settings and --endpoint-url"
}
