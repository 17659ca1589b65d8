package schedule

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Rate limits of a State Manager association schedule.
const (
	minRate = 30 * time.Minute
	maxRate = 31 * 24 * time.Hour // exclusive
)

// ValidateExpression checks a schedule expression the way State Manager
// checks an association's ScheduleExpression, so that install refuses a
// bad one before it creates or changes anything: rate(N minutes|hours|days)
// from 30 minutes to 30 days, or a six-field cron(...) in which exactly one
// of day-of-month and day-of-week is "?".
func ValidateExpression(expr string) error {
	s := strings.TrimSpace(expr)
	kind, body, ok := strings.Cut(s, "(")
	if !ok || !strings.HasSuffix(body, ")") {
		return fmt.Errorf("want rate(...) or cron(...), e.g. %q or %q", DefaultSchedule, "cron(0 3 ? * SUN *)")
	}
	body = strings.TrimSpace(strings.TrimSuffix(body, ")"))
	switch strings.ToLower(kind) {
	case "rate":
		return validateRate(body)
	case "cron":
		return validateCron(body)
	}
	return fmt.Errorf("want rate(...) or cron(...), e.g. %q or %q", DefaultSchedule, "cron(0 3 ? * SUN *)")
}

func validateRate(body string) error {
	f := strings.Fields(body)
	if len(f) != 2 {
		return fmt.Errorf("rate(%s): want rate(N minutes|hours|days)", body)
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 1 {
		return fmt.Errorf("rate(%s): %q is not a positive whole number", body, f[0])
	}
	var unit time.Duration
	switch strings.TrimSuffix(strings.ToLower(f[1]), "s") {
	case "minute":
		unit = time.Minute
	case "hour":
		unit = time.Hour
	case "day":
		unit = 24 * time.Hour
	default:
		return fmt.Errorf("rate(%s): the unit %q must be minutes, hours or days", body, f[1])
	}
	if d := time.Duration(n) * unit; d < minRate || d >= maxRate {
		return fmt.Errorf("rate(%s): State Manager runs associations from every 30 minutes to every 30 days", body)
	}
	return nil
}

// cronField is one field of a cron expression.
type cronField struct {
	name     string
	min, max int
	names    []string // month or weekday names, from min
	special  *regexp.Regexp
}

var cronFields = []cronField{
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31, special: regexp.MustCompile(`^(L|LW|[0-9]{1,2}W)$`)},
	{name: "month", min: 1, max: 12, names: strings.Fields("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC")},
	{name: "day-of-week", min: 1, max: 7, names: strings.Fields("SUN MON TUE WED THU FRI SAT"), special: regexp.MustCompile(`^([1-7]|[A-Z]{3})(L|#[1-5])$|^L$`)},
	{name: "year", min: 1970, max: 2199},
}

func validateCron(body string) error {
	f := strings.Fields(body)
	if len(f) != len(cronFields) {
		return fmt.Errorf("cron(%s): want 6 fields: minutes hours day-of-month month day-of-week year", body)
	}
	if (f[2] == "?") == (f[4] == "?") {
		return fmt.Errorf("cron(%s): exactly one of day-of-month and day-of-week must be ?", body)
	}
	for i, field := range cronFields {
		if f[i] == "?" {
			if i != 2 && i != 4 {
				return fmt.Errorf("cron(%s): ? is allowed only in day-of-month or day-of-week", body)
			}
			continue
		}
		for _, part := range strings.Split(strings.ToUpper(f[i]), ",") {
			if !field.validPart(part) {
				return fmt.Errorf("cron(%s): %q is not a valid %s (%d-%d)", body, part, field.name, field.min, field.max)
			}
		}
	}
	return nil
}

// validPart checks one comma-separated part: *, a value, a range, any of
// them with /step, or the field's special forms (L, W, #).
func (c cronField) validPart(part string) bool {
	if c.special != nil && c.special.MatchString(part) {
		return true
	}
	rng, step, stepped := strings.Cut(part, "/")
	if stepped {
		if n, err := strconv.Atoi(step); err != nil || n < 1 {
			return false
		}
	}
	if rng == "*" {
		return true
	}
	lo, hi, isRange := strings.Cut(rng, "-")
	if !c.validValue(lo) {
		return false
	}
	return !isRange || c.validValue(hi)
}

func (c cronField) validValue(s string) bool {
	for _, n := range c.names {
		if s == n {
			return true
		}
	}
	v, err := strconv.Atoi(s)
	return err == nil && v >= c.min && v <= c.max
}
