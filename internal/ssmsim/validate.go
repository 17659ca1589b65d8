package ssmsim

import (
	"fmt"
	"regexp"
	"strings"
)

// validator collects constraint violations the way AWS reports them:
// "2 validation errors detected: Value 'x' at 'maxConcurrency' failed to
// satisfy constraint: Member must satisfy regular expression pattern: ...".
// Member names are the API model's, in lower camel case.
type validator struct {
	problems []string
}

func (v *validator) add(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// required reports a missing member. Missing members are checked by the SDK
// too, but other clients (the AWS CLI, boto3, curl) reach the server.
func (v *validator) required(member string, present bool) {
	if !present {
		v.add("Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
}

// length checks a string's length in characters, when it is set.
func (v *validator) length(member, s string, min, max int) {
	n := len([]rune(s))
	if n < min {
		v.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", clip(s), member, min)
	}
	if max > 0 && n > max {
		v.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", clip(s), member, max)
	}
}

// pattern checks s against the model's regular expression.
func (v *validator) pattern(member, s string, re *regexp.Regexp) {
	if !re.MatchString(s) {
		v.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", clip(s), member, re.String())
	}
}

// enum checks that s is one of the allowed values.
func (v *validator) enum(member, s string, allowed ...string) {
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	v.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", clip(s), member, strings.Join(allowed, ", "))
}

// count checks a list's length.
func (v *validator) count(member string, n, min, max int) {
	if n < min {
		v.add("Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", member, min)
	}
	if max > 0 && n > max {
		v.add("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", member, max)
	}
}

// intRange checks a number, when it is set.
func (v *validator) intRange(member string, n *int, min, max int) {
	if n == nil {
		return
	}
	if *n < min {
		v.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", *n, member, min)
	}
	if *n > max {
		v.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", *n, member, max)
	}
}

// err returns the collected problems as one ValidationException, or nil.
func (v *validator) err() *apiError {
	switch len(v.problems) {
	case 0:
		return nil
	case 1:
		return validationError("1 validation error detected: %s", v.problems[0])
	default:
		return validationError("%d validation errors detected: %s", len(v.problems), strings.Join(v.problems, "; "))
	}
}

// clip keeps error messages bounded when a client sends a huge value.
func clip(s string) string {
	const max = 256
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// Patterns and limits from the SSM API model (botocore ssm 2014-11-06).
var (
	reInstanceID      = regexp.MustCompile(`^(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)$`)
	reMaxConcurrency  = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	reMaxErrors       = regexp.MustCompile(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
	reAssociationName = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	reDocumentName    = regexp.MustCompile(`^[a-zA-Z0-9_\-.:/]{3,128}$`)
	reDocumentVersion = regexp.MustCompile(`^([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)$`)
	reCommandID       = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reAssociationID   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reWindowID        = regexp.MustCompile(`^mw-[0-9a-f]{17}$`)
	reWindowTargetID  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reWindowName      = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	reTagKey          = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
)
