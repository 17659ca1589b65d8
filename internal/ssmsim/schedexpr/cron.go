package schedexpr

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// cronSpec is a parsed AWS cron expression: minutes, hours, day-of-month,
// month, day-of-week (1-7 = SUN-SAT) and year, each as a set of allowed
// values. Exactly one of day-of-month and day-of-week is "?", as AWS
// requires; the other is then the only day constraint.
type cronSpec struct {
	minutes, hours, dom, months, dow uint64
	years                            [cronMaxYear - cronMinYear + 1]bool
	domAny, dowAny                   bool // the field was "?"
}

const (
	cronMinYear = 1970
	cronMaxYear = 2199
)

type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
	question bool     // "?" allowed
}

var (
	cronMonthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	cronDayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	cronFields     = []cronField{
		{name: "minutes", min: 0, max: 59},
		{name: "hours", min: 0, max: 23},
		{name: "day-of-month", min: 1, max: 31, question: true},
		{name: "month", min: 1, max: 12, names: cronMonthNames},
		{name: "day-of-week", min: 1, max: 7, names: cronDayNames, question: true},
		{name: "year", min: cronMinYear, max: cronMaxYear},
	}
)

// parseCron reads the body of cron(...). It takes AWS's six fields, or
// seven with a leading seconds field that must be 0 (the Quartz form that
// Systems Manager's own examples use). L, W and # are refused: the
// simulator supports the common subset and says so.
func parseCron(body string) (*cronSpec, error) {
	f := strings.Fields(body)
	if len(f) == 7 {
		if f[0] != "0" {
			return nil, fmt.Errorf("cron(%s): the seconds field must be 0", wire.Clip(body))
		}
		f = f[1:]
	}
	if len(f) != 6 {
		return nil, fmt.Errorf("cron(%s) must have 6 fields: minutes hours day-of-month month day-of-week year", wire.Clip(body))
	}
	c := &cronSpec{}
	sets := make([]uint64, 5)
	for i, field := range cronFields {
		if strings.ContainsAny(strings.ToUpper(f[i]), "LW#") && !isCronName(f[i], field) {
			return nil, fmt.Errorf("cron(%s): %s %q uses L, W or #, which the simulator does not support", wire.Clip(body), field.name, wire.Clip(f[i]))
		}
		if f[i] == "?" {
			if !field.question {
				return nil, fmt.Errorf("cron(%s): ? is allowed only in day-of-month or day-of-week", wire.Clip(body))
			}
			if i == 2 {
				c.domAny = true
			} else {
				c.dowAny = true
			}
			continue
		}
		set, err := parseCronField(f[i], field)
		if err != nil {
			return nil, fmt.Errorf("cron(%s): %v", wire.Clip(body), err)
		}
		if i < 5 { // the year field is read by cronYearIn instead
			sets[i] = set
			continue
		}
		for y := cronMinYear; y <= cronMaxYear; y++ {
			c.years[y-cronMinYear] = cronYearIn(f[i], y)
		}
	}
	if c.domAny == c.dowAny {
		return nil, fmt.Errorf("cron(%s): exactly one of day-of-month and day-of-week must be ?", wire.Clip(body))
	}
	c.minutes, c.hours, c.dom, c.months, c.dow = sets[0], sets[1], sets[2], sets[3], sets[4]
	return c, nil
}

func isCronName(s string, field cronField) bool {
	for _, part := range strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return r == ',' || r == '-' || r == '/' }) {
		if _, ok := cronNameValue(part, field); !ok && strings.ContainsAny(part, "LW#") {
			return false
		}
	}
	return true
}

func cronNameValue(s string, field cronField) (int, bool) {
	for i, n := range field.names {
		if strings.EqualFold(s, n) {
			return field.min + i, true
		}
	}
	return 0, false
}

// parseCronField turns one field (lists, ranges, steps, *, numbers,
// names) into a bit set of allowed values. Years do not fit in 64 bits;
// for them the set stays empty and cronYearIn answers instead.
func parseCronField(s string, field cronField) (uint64, error) {
	var set uint64
	for _, part := range strings.Split(s, ",") {
		lo, hi, step, err := parseCronPart(part, field)
		if err != nil {
			return 0, err
		}
		if field.max-field.min >= 64 {
			continue
		}
		for v := lo; v <= hi; v += step {
			set |= 1 << uint(v)
		}
	}
	return set, nil
}

func parseCronPart(part string, field cronField) (lo, hi, step int, err error) {
	step = 1
	rng := part
	if base, st, ok := strings.Cut(part, "/"); ok {
		rng = base
		step, err = strconv.Atoi(st)
		if err != nil || step <= 0 {
			return 0, 0, 0, fmt.Errorf("%s step %q must be a positive integer", field.name, wire.Clip(part))
		}
	}
	switch {
	case rng == "*":
		return field.min, field.max, step, nil
	case strings.Contains(rng, "-"):
		a, b, _ := strings.Cut(rng, "-")
		if lo, err = cronValue(a, field); err == nil {
			hi, err = cronValue(b, field)
		}
		if err == nil && hi < lo {
			err = fmt.Errorf("%s range %q runs backwards", field.name, wire.Clip(rng))
		}
		return lo, hi, step, err
	default:
		lo, err = cronValue(rng, field)
		hi = lo
		if strings.Contains(part, "/") {
			hi = field.max
		}
		return lo, hi, step, err
	}
}

func cronValue(s string, field cronField) (int, error) {
	if v, ok := cronNameValue(s, field); ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < field.min || v > field.max {
		return 0, fmt.Errorf("%s value %q must be %d-%d%s", field.name, wire.Clip(s), field.min, field.max, cronNamesHint(field))
	}
	return v, nil
}

func cronNamesHint(field cronField) string {
	if len(field.names) == 0 {
		return ""
	}
	return " or " + field.names[0] + "-" + field.names[len(field.names)-1]
}

// cronYearIn reports whether year y is allowed by the year field s, which
// parseCron has already validated.
func cronYearIn(s string, y int) bool {
	field := cronFields[5]
	for _, part := range strings.Split(s, ",") {
		lo, hi, step, err := parseCronPart(part, field)
		if err == nil && y >= lo && y <= hi && (y-lo)%step == 0 {
			return true
		}
	}
	return false
}

// next returns the first minute strictly after after that matches, in
// loc. Wall-clock times skipped by a daylight-saving jump do not fire.
// The search skips whole years, months and days, so it is bounded.
func (c *cronSpec) next(after time.Time, loc *time.Location) (time.Time, bool) {
	t := after.In(loc)
	y, mo, d := t.Date()
	h, mi := t.Hour(), t.Minute()+1
	for range 200000 {
		switch {
		case y > cronMaxYear:
			return time.Time{}, false
		case y < cronMinYear || !c.years[y-cronMinYear]:
			y, mo, d, h, mi = y+1, time.January, 1, 0, 0
		case c.months&(1<<uint(mo)) == 0:
			y, mo, d, h, mi = nextMonth(y, mo)
		case d > daysIn(y, mo):
			y, mo, d, h, mi = nextMonth(y, mo)
		case !c.dayMatches(y, mo, d, loc):
			d, h, mi = d+1, 0, 0
		case h > 23 || c.hours&(1<<uint(h)) == 0:
			h, mi = h+1, 0
			if h > 23 {
				d, h = d+1, 0
			}
		case mi > 59 || c.minutes&(1<<uint(mi)) == 0:
			mi++
			if mi > 59 {
				h, mi = h+1, 0
				if h > 23 {
					d, h = d+1, 0
				}
			}
		default:
			cand := time.Date(y, mo, d, h, mi, 0, 0, loc)
			if cand.Hour() == h && cand.Minute() == mi && cand.After(after) {
				return cand, true
			}
			mi++
		}
	}
	return time.Time{}, false
}

func nextMonth(y int, mo time.Month) (int, time.Month, int, int, int) {
	if mo == time.December {
		return y + 1, time.January, 1, 0, 0
	}
	return y, mo + 1, 1, 0, 0
}

func daysIn(y int, mo time.Month) int {
	return time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (c *cronSpec) dayMatches(y int, mo time.Month, d int, loc *time.Location) bool {
	if c.domAny {
		wd := time.Date(y, mo, d, 12, 0, 0, 0, loc).Weekday()
		return c.dow&(1<<uint(wd+1)) != 0
	}
	return c.dom&(1<<uint(d)) != 0
}
