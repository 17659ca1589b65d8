package awsclient

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// The classifiers below look for the SDK's typed SSM errors first, then for
// the error code of any smithy.APIError: codes the SSM model does not list
// (Throttling, UnauthorizedOperation, ...) arrive as GenericAPIError.

// Code returns the AWS error code of err ("" when err is not an API error).
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func hasCode(err error, codes ...string) bool {
	c := Code(err)
	if c == "" {
		return false
	}
	for _, want := range codes {
		if c == want {
			return true
		}
	}
	return false
}

// IsThrottled reports whether AWS refused the call for its rate.
func IsThrottled(err error) bool {
	var te *types.ThrottlingException
	if errors.As(err, &te) {
		return true
	}
	return hasCode(err, "ThrottlingException", "Throttling", "ThrottledException",
		"RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
		"TooManyRequestsException", "SlowDown")
}

// IsNotFound reports whether the named resource does not exist. InvalidDocument
// is included because SSM answers it for a document that does not exist (its
// model documents it as "the specified SSM document doesn't exist").
// InvalidInstanceId is not: SSM also uses it for nodes that exist but are not
// in a state to receive commands. IAM's NoSuchEntity and EC2's
// InvalidInstanceID.NotFound are: they mean nothing else.
func IsNotFound(err error) bool {
	var (
		dne *types.DoesNotExistException
		ade *types.AssociationDoesNotExist
		idc *types.InvalidDocument
		ide *types.InvocationDoesNotExist
		aed *types.AssociationExecutionDoesNotExist
	)
	switch {
	case errors.As(err, &dne), errors.As(err, &ade), errors.As(err, &idc),
		errors.As(err, &ide), errors.As(err, &aed):
		return true
	}
	return hasCode(err, "DoesNotExistException", "AssociationDoesNotExist", "InvalidDocument",
		"InvocationDoesNotExist", "AssociationExecutionDoesNotExist", "NoSuchEntity", "InvalidInstanceID.NotFound")
}

// IsAlreadyExists reports whether a create call met an existing resource,
// which for patchready's idempotent creates means "already done".
func IsAlreadyExists(err error) bool {
	var (
		aae *types.AssociationAlreadyExists
		dae *types.DocumentAlreadyExists
		ae  *types.AlreadyExistsException
	)
	switch {
	case errors.As(err, &aae), errors.As(err, &dae), errors.As(err, &ae):
		return true
	}
	return hasCode(err, "AssociationAlreadyExists", "DocumentAlreadyExists", "AlreadyExistsException", "EntityAlreadyExists")
}

// IsAccessDenied reports whether the caller lacks permission for the call.
func IsAccessDenied(err error) bool {
	var ade *types.AccessDeniedException
	if errors.As(err, &ade) {
		return true
	}
	return hasCode(err, "AccessDeniedException", "AccessDenied", "UnauthorizedOperation")
}

// IsIncorrectState reports whether EC2 refused a change for the state the
// resource is in: AssociateIamInstanceProfile answers it for an instance
// that has a profile association already.
func IsIncorrectState(err error) bool { return hasCode(err, "IncorrectState") }

// IsInvocationNotYetVisible reports whether a command invocation asked for
// right after SendCommand is not visible yet. SSM is eventually consistent
// here: GetCommandInvocation answers InvocationDoesNotExist for a moment.
// Callers keep polling until their own deadline.
func IsInvocationNotYetVisible(err error) bool {
	var ide *types.InvocationDoesNotExist
	return errors.As(err, &ide) || hasCode(err, "InvocationDoesNotExist")
}

// IsExpiredToken reports whether AWS refused the call because its
// temporary credentials had expired by the time it checked them.
func IsExpiredToken(err error) bool {
	return hasCode(err, "ExpiredTokenException", "ExpiredToken")
}

// IsInvalidCredentials reports whether AWS rejected the credentials that were
// sent (expired, unknown key, bad signature), as opposed to there being none.
func IsInvalidCredentials(err error) bool {
	return hasCode(err, "ExpiredTokenException", "ExpiredToken", "UnrecognizedClientException",
		"InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch")
}

// IsNoCredentials reports whether the call could not be signed because no
// credentials were found. It recognises clients built from Load's config.
func IsNoCredentials(err error) bool {
	var nc *NoCredentialsError
	return errors.As(err, &nc)
}
