package schedule

import (
	"strings"
	"testing"
)

func TestValidateExpression(t *testing.T) {
	for _, ok := range []string{"rate(14 days)", "rate(30 minutes)", "rate(1 day)", "rate(12 hours)", "rate(30 days)",
		"cron(0 3 ? * SUN *)", "cron(0 2 * * ? *)", "cron(15 10 ? * MON-FRI *)", "cron(0/30 * * * ? *)", "cron(0 0 L * ? *)",
		"cron(0 8 ? JAN,JUL 2#1 2027)", " rate(14 days) "} {
		if err := ValidateExpression(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for expr, want := range map[string]string{
		"bogus":                  "want rate(...) or cron(...)",
		"":                       "want rate(...) or cron(...)",
		"every(2 days)":          "want rate(...) or cron(...)",
		"rate(14 weeks)":         "must be minutes, hours or days",
		"rate(10 minutes)":       "from every 30 minutes to every 30 days",
		"rate(31 days)":          "from every 30 minutes to every 30 days",
		"rate(two days)":         "not a positive whole number",
		"cron(0 3 * * *)":        "want 6 fields",
		"cron(0 3 * * SUN *)":    "exactly one of day-of-month and day-of-week must be ?",
		"cron(0 3 ? * ? *)":      "exactly one of day-of-month and day-of-week must be ?",
		"cron(61 3 ? * SUN *)":   `"61" is not a valid minutes`,
		"cron(0 3 ? FOO SUN *)":  `"FOO" is not a valid month`,
		"cron(0 ? * * SUN *)":    "exactly one of",
		"cron(0 3 ? * SUN 1800)": `"1800" is not a valid year`,
	} {
		err := ValidateExpression(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", expr, err, want)
		}
	}
}
