package clock

import "time"

// WallTime returns the wall-clock time at which c will read t: t itself
// for the real clock, and for a Scaled clock the moment its faster time
// reaches t. Code that hands a time of c to something that only knows the
// wall clock (the SDK's credentials cache, which checks expiry against
// time.Now) converts it first, so that credentials issued on a simulated
// clock expire when that clock says. Any other clock's times are returned
// as they are.
func WallTime(c Clock, t time.Time) time.Time {
	s, ok := c.(*Scaled)
	if !ok {
		return t
	}
	return time.Now().Add(time.Duration(float64(t.Sub(s.Now())) / s.scale))
}
