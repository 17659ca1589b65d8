package schedexpr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// Kind tells the three forms of a Systems Manager schedule apart.
type Kind int

const (
	Rate Kind = iota + 1 // rate(N minutes|hours|days)
	Cron                 // cron(min hour dom month dow year)
	At                   // at(yyyy-mm-ddThh:mm:ss), windows only
)

// Schedule is a parsed ScheduleExpression (associations) or Schedule
// (maintenance windows).
type Schedule struct {
	Text  string        // the expression as given
	Kind  Kind          // which form it is
	Every time.Duration // Rate: the interval
	cron  *cronSpec
	at    time.Time // At: wall-clock fields only, read in the schedule's zone
}

// Parse parses expr. allowAt admits the one-off at() form, which
// the simulator accepts for maintenance windows only: the brief for
// associations names cron and rate, and refusing is the stricter reading.
func Parse(expr string, allowAt bool) (*Schedule, error) {
	s := strings.TrimSpace(expr)
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return nil, fmt.Errorf("schedule expression %q must be cron(...), rate(...)%s", wire.Clip(expr), atHint(allowAt))
	}
	body := strings.TrimSpace(s[open+1 : len(s)-1])
	switch strings.ToLower(s[:open]) {
	case "rate":
		d, err := parseRate(body)
		if err != nil {
			return nil, err
		}
		return &Schedule{Text: expr, Kind: Rate, Every: d}, nil
	case "cron":
		c, err := parseCron(body)
		if err != nil {
			return nil, err
		}
		return &Schedule{Text: expr, Kind: Cron, cron: c}, nil
	case "at":
		if !allowAt {
			break
		}
		t, err := time.Parse("2006-01-02T15:04:05", body)
		if err != nil {
			return nil, fmt.Errorf("at expression %q must be at(yyyy-mm-ddThh:mm:ss)", wire.Clip(expr))
		}
		return &Schedule{Text: expr, Kind: At, at: t}, nil
	}
	return nil, fmt.Errorf("schedule expression %q must be cron(...), rate(...)%s", wire.Clip(expr), atHint(allowAt))
}

func atHint(allowAt bool) string {
	if allowAt {
		return " or at(...)"
	}
	return ""
}

// parseRate reads "N unit". AWS documents the plural units and the
// singular for N = 1; both spellings are accepted for any N, since AWS's
// own examples mix them.
func parseRate(body string) (time.Duration, error) {
	f := strings.Fields(body)
	if len(f) != 2 {
		return 0, fmt.Errorf("rate expression rate(%s) must be rate(N minutes|hours|days)", wire.Clip(body))
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 || n > 100000 {
		return 0, fmt.Errorf("rate value %q must be a positive integer", wire.Clip(f[0]))
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
		return 0, fmt.Errorf("rate unit %q must be minutes, hours or days", wire.Clip(f[1]))
	}
	return time.Duration(n) * unit, nil
}

// Next returns the first fire time strictly after after, read in loc
// (nil means UTC), plus offsetDays (ScheduleOffset, cron only). For a
// rate the caller passes the previous fire (or the anchor) as after. ok is
// false when the schedule never fires again.
func (s *Schedule) Next(after time.Time, loc *time.Location, offsetDays int) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	switch s.Kind {
	case Rate:
		return after.Add(s.Every), true
	case At:
		t := time.Date(s.at.Year(), s.at.Month(), s.at.Day(), s.at.Hour(), s.at.Minute(), s.at.Second(), 0, loc)
		if !t.After(after) {
			return time.Time{}, false
		}
		return t, true
	case Cron:
		// The offset shifts every cron time by whole days, so search from
		// after minus the offset and add it back.
		t, ok := s.cron.next(after.AddDate(0, 0, -offsetDays), loc)
		if !ok {
			return time.Time{}, false
		}
		return t.AddDate(0, 0, offsetDays), true
	}
	return time.Time{}, false
}

// LoadZone resolves an IANA time zone name; empty means UTC.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, errors.New("ScheduleTimezone " + wire.Clip(name) + " is not a valid IANA time zone")
	}
	return loc, nil
}
