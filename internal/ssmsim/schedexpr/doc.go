// Package schedexpr parses the schedule expressions of Systems Manager:
// rate(N unit) and cron(...) for State Manager associations, and also
// at(...) for maintenance windows, and computes their next fire times in a
// time zone, with a day offset.
//
// It is pure: it reads strings and times, and holds no clock.
package schedexpr
