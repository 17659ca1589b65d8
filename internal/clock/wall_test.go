package clock

import (
	"testing"
	"time"
)

func TestWallTime(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if got := WallTime(Real{}, at); !got.Equal(at) {
		t.Errorf("real clock: %v, want %v", got, at)
	}
	// An hour of a clock running 1000 times faster passes in 3.6 s.
	c := NewScaled(at, 1000)
	got := WallTime(c, c.Now().Add(time.Hour))
	if d := time.Until(got); d < 3*time.Second || d > 4*time.Second {
		t.Errorf("an hour ahead on a 1000x clock is %v of wall time away, want about 3.6s", d)
	}
	// A time the scaled clock passed already is in the wall clock's past.
	if got := WallTime(c, at.Add(-time.Hour)); !got.Before(time.Now()) {
		t.Errorf("a past time maps to %v, in the future", got)
	}
}
