package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

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
	if u, ok := endpointOf(err); ok && IsPlainHTTPOverTLS(err) {
		return fmt.Sprintf("%s answered in plain HTTP, not HTTPS: use --endpoint-url %s", u, "http"+strings.TrimPrefix(u, "https"))
	}
	if u, ok := unreachable(err); ok {
		var re *RefusedError
		switch {
		case errors.As(err, &re):
			return fmt.Sprintf("cannot reach %s: nothing is listening there (connection refused %d times); %s", u, re.Attempts, reachAdvice(u))
		case isHostNotFound(err) && regionOfHost(u) != "":
			return fmt.Sprintf("no SSM endpoint answers for region %q (%s does not resolve): check --region, AWS_REGION or the profile's region (regions look like eu-west-1), or this machine's DNS", regionOfHost(u), strings.TrimPrefix(u, "https://"))
		}
		return fmt.Sprintf("cannot reach %s: %s", u, reachAdvice(u))
	}
	if a, ok := IsNotSSMAnswer(err); ok {
		what := "something that is not the SSM API"
		if a.HTML {
			what = "an HTML page, not the SSM API"
		}
		return fmt.Sprintf("the endpoint answered %s (HTTP %d): is --endpoint-url (or AWS_ENDPOINT_URL_SSM) the SSM endpoint, or the simulator's address?", what, a.Status)
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
	var oe *net.OpError
	var de *net.DNSError
	if !errors.As(err, &oe) && !errors.As(err, &de) {
		return "", false
	}
	return endpointOf(err)
}

// endpointOf returns the scheme://host the failed request went to.
func endpointOf(err error) (string, bool) {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return "", false
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil || u.Host == "" {
		return ue.URL, true
	}
	return u.Scheme + "://" + u.Host, true
}

// regionOfHost returns the region of an AWS SSM endpoint URL
// (https://ssm.REGION.amazonaws.com), or "".
func regionOfHost(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	region, ok := strings.CutPrefix(u.Hostname(), "ssm.")
	if !ok {
		return ""
	}
	region, ok = strings.CutSuffix(region, ".amazonaws.com")
	if !ok || strings.Contains(region, ".") {
		return ""
	}
	return region
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
