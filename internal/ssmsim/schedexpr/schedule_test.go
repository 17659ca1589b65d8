package schedexpr

import (
	"testing"
	"time"
)

func TestScheduleParse(t *testing.T) {
	tests := []struct {
		name    string
		expr    string
		allowAt bool
		wantErr bool
	}{
		{"rate minutes", "rate(30 minutes)", false, false},
		{"rate singular", "rate(1 hour)", false, false},
		{"rate days", "rate(14 days)", false, false},
		{"rate zero", "rate(0 days)", false, true},
		{"rate bad unit", "rate(3 weeks)", false, true},
		{"cron six fields", "cron(0 2 ? * SUN *)", false, false},
		{"cron seven fields", "cron(0 0/30 * 1/1 * ? *)", false, false},
		{"cron lists ranges steps", "cron(0,30 8-17/2 ? JAN-MAR,DEC MON-FRI 2025-2030)", false, false},
		{"cron both days", "cron(0 2 1 * SUN *)", false, true},
		{"cron no question mark", "cron(0 2 * * * *)", false, true},
		{"cron L", "cron(0 2 L * ? *)", false, true},
		{"cron hash", "cron(30 23 ? * TUE#3 *)", false, true},
		{"cron W", "cron(0 2 15W * ? *)", false, true},
		{"cron minute out of range", "cron(60 2 ? * * *)", false, true},
		{"cron five fields", "cron(0 2 ? * *)", false, true},
		{"cron nonzero seconds", "cron(5 0 2 ? * * *)", false, true},
		{"at for windows", "at(2025-07-07T13:15:30)", true, false},
		{"at refused for associations", "at(2025-07-07T13:15:30)", false, true},
		{"at bad time", "at(2025-07-07 13:15)", true, true},
		{"garbage", "every day", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.expr, tc.allowAt)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Parse(%q) error = %v, want error %v", tc.expr, err, tc.wantErr)
			}
		})
	}
}

func TestScheduleNext(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no tzdata: %v", err)
	}
	// 2025-06-02 is a Monday.
	from := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		expr   string
		loc    *time.Location
		offset int
		from   time.Time
		want   time.Time
		wantOK bool
	}{
		{"rate", "rate(30 minutes)", nil, 0, from, from.Add(30 * time.Minute), true},
		{"daily later today", "cron(0 10 ? * * *)", nil, 0, from, time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC), true},
		{"strictly after", "cron(0 9 ? * * *)", nil, 0, from, time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC), true},
		{"sunday", "cron(0 2 ? * SUN *)", nil, 0, from, time.Date(2025, 6, 8, 2, 0, 0, 0, time.UTC), true},
		{"dow number 1 is sunday", "cron(0 2 ? * 1 *)", nil, 0, from, time.Date(2025, 6, 8, 2, 0, 0, 0, time.UTC), true},
		{"day of month", "cron(15 3 31 * ? *)", nil, 0, from, time.Date(2025, 7, 31, 3, 15, 0, 0, time.UTC), true},
		{"every 30 minutes", "cron(0/30 * ? * * *)", nil, 0, from.Add(time.Minute), from.Add(30 * time.Minute), true},
		{"time zone", "cron(0 10 ? * * *)", berlin, 0, from, time.Date(2025, 6, 3, 8, 0, 0, 0, time.UTC), true},
		{"offset days", "cron(0 10 ? * MON *)", nil, 2, from, time.Date(2025, 6, 4, 10, 0, 0, 0, time.UTC), true},
		{"year range", "cron(0 0 1 JAN ? 2027)", nil, 0, from, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"years exhausted", "cron(0 0 1 JAN ? 2020)", nil, 0, from, time.Time{}, false},
		{"leap day", "cron(0 0 29 FEB ? *)", nil, 0, from, time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"at future", "at(2025-06-02T12:00:00)", nil, 0, from, time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC), true},
		{"at in zone", "at(2025-06-02T12:00:00)", berlin, 0, from, time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC), true},
		{"at past", "at(2025-06-01T12:00:00)", nil, 0, from, time.Time{}, false},
		{"dst gap skipped", "cron(30 2 ? * * *)", berlin, 0, time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 31, 0, 30, 0, 0, time.UTC), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse(tc.expr, true)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.expr, err)
			}
			got, ok := sc.Next(tc.from, tc.loc, tc.offset)
			if ok != tc.wantOK || !got.Equal(tc.want) {
				t.Fatalf("Next(%s) = %v, %v; want %v, %v", tc.from, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
