package ssmsim

import (
	"net/http"
	"strings"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// protocol is how a service's requests and answers are encoded.
type protocol int

const (
	protoJSON  protocol = iota + 1 // awsJson1_1: X-Amz-Target, JSON body
	protoQuery                     // awsQuery: Action=Op form, XML answer
	protoEC2                       // ec2Query: like awsQuery, EC2's own XML shapes
)

// service is one AWS service the simulator speaks. Each *_ops*.go file
// registers its operations into one of these, so adding a service is a new
// entry here and its files.
type service struct {
	name     string // the SigV4 signing name: ssm, sts, ...
	protocol protocol
	target   string // awsJson1_1: the X-Amz-Target prefix, dot included
	version  string // the query protocols: the API version
	xmlns    string // the query protocols: the answers' namespace
	// global services (IAM, Organizations) keep their state per account,
	// not per region, and are served whatever region the call names.
	global bool
	ops    map[string]handler
	errs   serviceErrors
}

// serviceErrors are the codes a service answers for what goes wrong before
// an operation runs. They differ by protocol family, and the SDKs decode
// them by code: the JSON services' UnrecognizedClientException is the
// query services' InvalidClientTokenId.
type serviceErrors struct {
	throttled, internal *wire.Error
	// badToken: a session token that does not match its key, or a key
	// the simulator issued and no longer knows.
	badToken *wire.Error
	// regionDisabled: a call into an opt-in region the caller's account
	// has not enabled.
	regionDisabled *wire.Error
	// expired: temporary credentials past their expiration.
	expired *wire.Error
	// suspended: credentials of a suspended account.
	suspended *wire.Error
	// unknownOp answers an operation the simulator does not model.
	unknownOp func(op, version string) *wire.Error
	// validation is the code a failed constraint check answers.
	validation string
}

// handler runs one operation and returns the value to encode, or an error.
type handler func(c *call) (any, *wire.Error)

// Where the error codes below come from: the JSON services' codes are
// those the SDKs' shared error handling knows (aws-sdk-go#253 names
// ExpiredTokenException, ExpiredToken and RequestExpired as the
// expired-credential codes); UnrecognizedClientException /
// InvalidClientTokenId "The security token included in the request is
// invalid" is what AWS answers in an opt-in region the account has not
// enabled (grafana/grafana-aws-sdk#129 for the query services, the
// Remotion docs' "security-token" page for the JSON ones); EC2 answers
// OptInRequired (401) there, and AuthFailure (401) for credentials it
// cannot validate (AWS knowledge center, "iam-validate-access-credentials") (Appliscale/cloud-security-audit#24,
// awslabs/aws-deployment-framework#283); and a suspended account's keys
// "need a subscription for the service" (aws-amplify/amplify-js#2796).
func jsonErrors() serviceErrors {
	return serviceErrors{
		throttled:      wire.ThrottlingError(),
		internal:       wire.InternalError(),
		badToken:       wire.Errorf("UnrecognizedClientException", "The security token included in the request is invalid."),
		regionDisabled: wire.Errorf("UnrecognizedClientException", "The security token included in the request is invalid."),
		expired:        wire.Errorf("ExpiredTokenException", "The security token included in the request is expired"),
		suspended:      wire.Errorf("SubscriptionRequiredException", "The AWS Access Key Id needs a subscription for the service"),
		unknownOp: func(op, _ string) *wire.Error {
			return wire.Errorf("UnknownOperationException", "operation %s is not simulated", wire.Clip(op))
		},
		validation: "ValidationException",
	}
}

func queryErrors(validation string) serviceErrors {
	return serviceErrors{
		throttled:      wire.Errorf("Throttling", "Rate exceeded"),
		internal:       wire.Errorf("InternalFailure", "An internal error occurred. Try again later.").WithStatus(http.StatusInternalServerError),
		badToken:       wire.Errorf("InvalidClientTokenId", "The security token included in the request is invalid.").WithStatus(http.StatusForbidden),
		regionDisabled: wire.Errorf("InvalidClientTokenId", "The security token included in the request is invalid.").WithStatus(http.StatusForbidden),
		expired:        wire.Errorf("ExpiredToken", "The security token included in the request is expired").WithStatus(http.StatusForbidden),
		suspended:      wire.Errorf("OptInRequired", "The AWS Access Key Id needs a subscription for the service").WithStatus(http.StatusForbidden),
		unknownOp: func(op, version string) *wire.Error {
			return wire.Errorf("InvalidAction", "Could not find operation %s for version %s", wire.Clip(op), wire.Clip(version))
		},
		validation: validation,
	}
}

var services = map[string]*service{
	"ssm": {name: "ssm", protocol: protoJSON, target: "AmazonSSM.", ops: map[string]handler{}, errs: jsonErrors()},
	"organizations": {name: "organizations", protocol: protoJSON, target: "AWSOrganizationsV20161128.", global: true, ops: map[string]handler{},
		errs: func() serviceErrors {
			e := jsonErrors()
			e.throttled = wire.Errorf("TooManyRequestsException", "You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.")
			e.internal = wire.Errorf("ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later.").WithStatus(http.StatusInternalServerError)
			e.validation = "InvalidInputException"
			return e
		}()},
	"sts": {name: "sts", protocol: protoQuery, version: "2011-06-15", xmlns: "https://sts.amazonaws.com/doc/2011-06-15/", ops: map[string]handler{},
		errs: queryErrors("ValidationError")},
	"iam": {name: "iam", protocol: protoQuery, version: "2010-05-08", xmlns: "https://iam.amazonaws.com/doc/2010-05-08/", global: true, ops: map[string]handler{},
		errs: queryErrors("ValidationError")},
	"sns": {name: "sns", protocol: protoQuery, version: "2010-03-31", xmlns: "http://sns.amazonaws.com/doc/2010-03-31/", ops: map[string]handler{},
		errs: func() serviceErrors {
			e := queryErrors("InvalidParameter")
			e.throttled = wire.Errorf("Throttled", "Rate exceeded").WithStatus(http.StatusTooManyRequests)
			e.internal = wire.Errorf("InternalError", "Internal service error").WithStatus(http.StatusInternalServerError)
			return e
		}()},
	"ec2": {name: "ec2", protocol: protoEC2, version: "2016-11-15", xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/", ops: map[string]handler{},
		errs: serviceErrors{
			throttled:      wire.Errorf("RequestLimitExceeded", "Request limit exceeded.").WithStatus(http.StatusServiceUnavailable),
			internal:       wire.Errorf("InternalError", "An internal error has occurred").WithStatus(http.StatusInternalServerError),
			badToken:       wire.Errorf("AuthFailure", "AWS was not able to validate the provided access credentials").WithStatus(http.StatusUnauthorized),
			regionDisabled: wire.Errorf("OptInRequired", "You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe.").WithStatus(http.StatusUnauthorized),
			expired:        wire.Errorf("RequestExpired", "Request has expired."),
			suspended:      wire.Errorf("OptInRequired", "You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe.").WithStatus(http.StatusUnauthorized),
			unknownOp: func(op, _ string) *wire.Error {
				return wire.Errorf("InvalidAction", "The action %s is not valid for this web service.", wire.Clip(op))
			},
			validation: "InvalidParameterValue",
		}},
}

// serviceByTarget finds a JSON service by its X-Amz-Target prefix.
func serviceByTarget(target string) (*service, string) {
	for _, svc := range services {
		if svc.protocol == protoJSON {
			if op, ok := strings.CutPrefix(target, svc.target); ok {
				return svc, op
			}
		}
	}
	return nil, ""
}

// serviceByAction finds the query service that has an operation, for an
// unsigned request that names no service; nil when none or several do.
func serviceByAction(action string) *service {
	var found *service
	for _, svc := range services {
		if _, ok := svc.ops[action]; ok && svc.protocol != protoJSON {
			if found != nil {
				return nil
			}
			found = svc
		}
	}
	return found
}

// register adds an SSM operation. SSM's handlers take the region and the
// body, as they did before the simulator spoke other services.
func register(name string, fn func(s *Server, r *region, body []byte) (any, *wire.Error)) {
	registerOp("ssm", name, func(c *call) (any, *wire.Error) { return fn(c.s, c.r, c.body) })
}

// registerOp adds an operation to a service.
func registerOp(svc, name string, h handler) {
	ops := services[svc].ops
	if _, dup := ops[name]; dup {
		panic("ssmsim: operation registered twice: " + svc + ":" + name)
	}
	ops[name] = h
}

// statsName is the name an operation is counted under: SSM's bare, as it
// always was, other services' prefixed (ec2:DescribeInstances) so that
// names do not collide.
func (svc *service) statsName(op string) string {
	if svc.name == "ssm" {
		return op
	}
	return svc.name + ":" + op
}

// writeError answers e in the service's protocol.
func (svc *service) writeError(w http.ResponseWriter, requestID string, e *wire.Error) {
	switch svc.protocol {
	case protoQuery:
		wire.WriteQueryError(w, svc.xmlns, requestID, e)
	case protoEC2:
		wire.WriteEC2Error(w, requestID, e)
	default:
		wire.WriteJSON(w, e)
	}
}
