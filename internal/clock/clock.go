// Package clock gives patchready and its simulator one notion of time.
//
// Everything that waits (pollers, backoff, the heal loop) and everything that
// schedules (the simulator's updates, associations, maintenance windows) takes
// a Clock, so that tests and the demo can run hours of fleet time in seconds
// of real time by sharing one Scaled clock between tool and simulator.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time and sleeps.
type Clock interface {
	Now() time.Time
	// Sleep waits for d of this clock's time, or until ctx is done, in which
	// case it returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Sleep waits d of real time or until ctx is done.
func (Real) Sleep(ctx context.Context, d time.Duration) error { return sleepReal(ctx, d) }

// Scaled is a clock that runs Scale times faster than the wall clock, starting
// at Start. A Scale of 100 turns a 30-minute wait into 18 real seconds.
type Scaled struct {
	start     time.Time
	realStart time.Time
	scale     float64
}

// NewScaled returns a clock running scale times faster than real time, whose
// Now starts at start. A scale ≤ 0 is taken as 1.
func NewScaled(start time.Time, scale float64) *Scaled {
	if scale <= 0 {
		scale = 1
	}
	return &Scaled{start: start, realStart: time.Now(), scale: scale}
}

// Scale returns how many times faster than real time the clock runs.
func (c *Scaled) Scale() float64 { return c.scale }

// Now returns the scaled time.
func (c *Scaled) Now() time.Time {
	elapsed := time.Since(c.realStart)
	return c.start.Add(time.Duration(float64(elapsed) * c.scale))
}

// Sleep waits d of scaled time.
func (c *Scaled) Sleep(ctx context.Context, d time.Duration) error {
	return sleepReal(ctx, time.Duration(float64(d)/c.scale))
}

// Manual is a clock that moves only when told to: for pure unit tests.
// Sleep advances the clock by d at once and returns.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// NewManual returns a manual clock set to t.
func NewManual(t time.Time) *Manual { return &Manual{now: t} }

// Now returns the manual clock's time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Sleep advances the clock by d (unless ctx is already done).
func (c *Manual) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

func sleepReal(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
