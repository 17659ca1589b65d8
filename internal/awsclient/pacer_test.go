package awsclient

import (
	"context"
	"math"
	"testing"
	"time"
)

func TestPacerCutsOncePerBurstAndGrowsBack(t *testing.T) {
	now := time.Unix(1000, 0)
	p := newPacer(func() time.Time { return now })
	ctx := context.Background()

	// 100 attempts over one second, unpaced.
	var sent []time.Time
	for range 100 {
		at, err := p.wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, at)
		now = now.Add(10 * time.Millisecond)
	}
	// The whole burst comes back throttled: only the first throttle cuts.
	for _, at := range sent[90:] {
		p.observe(at, true)
	}
	if !p.enabled {
		t.Fatal("pacing should be on after a throttle")
	}
	if want := 100 * paceCut; math.Abs(p.rate-want) > 1 {
		t.Errorf("rate after one cut = %.1f, want about %.1f", p.rate, want)
	}
	// A throttle of an attempt sent after the cut cuts again.
	p.observe(now.Add(time.Millisecond), true)
	if want := 100 * paceCut * paceCut; math.Abs(p.rate-want) > 1 {
		t.Errorf("rate after second cut = %.1f, want about %.1f", p.rate, want)
	}
	// A second without throttles grows the rate by about 22%.
	before := p.rate
	now = now.Add(time.Second)
	p.observe(now, false)
	if got := p.rate / before; math.Abs(got-math.Pow(paceGrow, 10)) > 0.01 {
		t.Errorf("growth over 1s = %.3f, want %.3f", got, math.Pow(paceGrow, 10))
	}
}

func TestPacerNeverStops(t *testing.T) {
	now := time.Unix(1000, 0)
	p := newPacer(func() time.Time { return now })
	for range 50 {
		now = now.Add(time.Minute)
		p.observe(now, true)
	}
	if p.rate < paceMinRate {
		t.Errorf("rate %.3f below the floor %.1f", p.rate, paceMinRate)
	}
}
