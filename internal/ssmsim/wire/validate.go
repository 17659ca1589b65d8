package wire

import (
	"fmt"
	"regexp"
	"strings"
)

// Validator collects constraint violations the way AWS reports them:
// "2 validation errors detected: Value 'x' at 'maxConcurrency' failed to
// satisfy constraint: Member must satisfy regular expression pattern: ...".
// Member names are the API model's, in lower camel case.
type Validator struct {
	problems []string
}

func (v *Validator) Add(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// Required reports a missing member. Missing members are checked by the SDK
// too, but other clients (the AWS CLI, boto3, curl) reach the server.
func (v *Validator) Required(member string, present bool) {
	if !present {
		v.Add("Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
}

// Length checks a string's length in characters, when it is set.
func (v *Validator) Length(member, s string, min, max int) {
	n := len([]rune(s))
	if n < min {
		v.Add("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", Clip(s), member, min)
	}
	if max > 0 && n > max {
		v.Add("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", Clip(s), member, max)
	}
}

// Pattern checks s against the model's regular expression.
func (v *Validator) Pattern(member, s string, re *regexp.Regexp) {
	if !re.MatchString(s) {
		v.Add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", Clip(s), member, re.String())
	}
}

// Enum checks that s is one of the allowed values.
func (v *Validator) Enum(member, s string, allowed ...string) {
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	v.Add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", Clip(s), member, strings.Join(allowed, ", "))
}

// Count checks a list's length.
func (v *Validator) Count(member string, n, min, max int) {
	if n < min {
		v.Add("Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", member, min)
	}
	if max > 0 && n > max {
		v.Add("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", member, max)
	}
}

// IntRange checks a number, when it is set.
func (v *Validator) IntRange(member string, n *int, min, max int) {
	if n == nil {
		return
	}
	if *n < min {
		v.Add("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", *n, member, min)
	}
	if *n > max {
		v.Add("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", *n, member, max)
	}
}

// Err returns the collected problems as one ValidationException, or nil.
func (v *Validator) Err() *Error { return v.ErrCode("ValidationException") }

// ErrCode returns the collected problems as one error with the given
// code, or nil: the query protocols answer the same text as
// ValidationError (STS, IAM) or InvalidParameter (SNS).
func (v *Validator) ErrCode(code string) *Error {
	switch len(v.problems) {
	case 0:
		return nil
	case 1:
		return Errorf(code, "1 validation error detected: %s", v.problems[0])
	default:
		return Errorf(code, "%d validation errors detected: %s", len(v.problems), strings.Join(v.problems, "; "))
	}
}

// Clip keeps error messages bounded when a client sends a huge value.
func Clip(s string) string {
	const max = 256
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
