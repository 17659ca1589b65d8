package awsclient

import (
	"errors"
	"net"
	"strings"
	"syscall"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Errors of the way to AWS rather than of AWS: they say the endpoint is
// wrong, not that a call was refused. Explain turns each into a sentence
// naming the likely mistake.

// IsConnectionRefused reports whether nothing listened at the endpoint.
func IsConnectionRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// isDialError reports whether err happened before any byte reached a
// server: a refused or failed connection, or a name that did not resolve.
func isDialError(err error) bool {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return true
	}
	var de *net.DNSError
	return errors.As(err, &de)
}

// IsPlainHTTPOverTLS reports whether an https:// endpoint answered in
// plain HTTP. net/http reports it with an untyped error, so its text is
// the only sign.
func IsPlainHTTPOverTLS(err error) bool {
	return err != nil && strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// NotSSMAnswer describes an answer that is not the SSM API's.
type NotSSMAnswer struct {
	// Status is the HTTP status (0 when unknown).
	Status int
	// HTML is true when the answer was a web page.
	HTML bool
}

// IsNotSSMAnswer reports whether the endpoint answered, but not as the
// SSM API does: a body that does not decode (an HTML page, say).
func IsNotSSMAnswer(err error) (NotSSMAnswer, bool) {
	var de *smithy.DeserializationError
	if !errors.As(err, &de) {
		return NotSSMAnswer{}, false
	}
	a := NotSSMAnswer{HTML: strings.Contains(err.Error(), "invalid character '<'")}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		a.Status = re.HTTPStatusCode()
		if re.Response != nil && strings.Contains(re.Response.Header.Get("Content-Type"), "html") {
			a.HTML = true
		}
	}
	return a, true
}

// isHostNotFound reports whether the endpoint's name did not resolve.
func isHostNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}
