package htmlpage

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// thousands writes n with thin separators: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

// percent writes n of total as a whole percentage, never rounding a
// non-zero share to 0% or a partial one to 100%.
func percent(n, total int) string {
	if total == 0 {
		return "0%"
	}
	p := n * 100 / total
	switch {
	case n > 0 && p == 0:
		return "<1%"
	case n < total && p == 100:
		return ">99%"
	case n*100%total*2 >= total && p < 99:
		p++ // round half up, except into 100%
	}
	return strconv.Itoa(p) + "%"
}

// shortDuration writes a duration as a reader wants it on an axis: 0s,
// 45s, 2m30s, 1h5m.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		d = d.Round(time.Second)
		m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
		if s == 0 {
			return fmt.Sprintf("%dm", m)
		}
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}

// utc writes a time for the page header.
func utc(t time.Time) string {
	if t.IsZero() {
		return "unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// clean makes text that may come from a node safe to show: control
// characters (an ESC that would colour a terminal, a NUL) and invalid
// UTF-8 become U+FFFD. HTML escaping is the template's and esc's job.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return '\uFFFD'
		}
		return r
	}, s)
}
