package remedy

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/patchready/patchready/internal/runcmd"
)

// sendWait bounds how long a node waits for its scan to be sent. In an
// apply, nodes reach the scan in waves, as their agent update or fix is
// read back a few at a time; sending each wave's few nodes at once would
// cost one SendCommand per platform per poll round. So a platform's scans
// are saved up into whole commands of 50, and the rest sent once every
// target of the platform has come or settled (Done), or once the oldest
// has waited this long. A scan takes minutes, and at the default
// concurrency (10%, five nodes of a command at a time) tens of minutes.
const sendWait = 5 * time.Minute

// queuedNode is a node whose scan is saved up.
type queuedNode struct {
	id string
	at time.Time
}

// enqueue saves up the scans of ids, each by its platform.
func (s *Scan) enqueue(ids []string) error {
	now := s.opts.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if _, ok := s.platform[id]; !ok {
			return fmt.Errorf("scan: node %s is not a scan target", id)
		}
	}
	for _, id := range ids {
		p := s.platform[id]
		s.queued[p] = append(s.queued[p], queuedNode{id: id, at: now})
		s.entered[id] = true
	}
	return nil
}

// flush sends what is saved up: of each platform, whole commands of 50
// nodes at once, and the rest once nothing more of the platform can come
// or its oldest node has waited sendWait.
func (s *Scan) flush(ctx context.Context) error {
	if s.drain != nil && s.draining() {
		return nil
	}
	now := s.opts.Clock.Now()
	type batch struct {
		platform string
		ids      []string
	}
	var due []batch
	s.mu.Lock()
	coming := map[string]int{}
	for id, p := range s.platform {
		if !s.entered[id] {
			coming[p]++
		}
	}
	platforms := make([]string, 0, len(s.queued))
	for p := range s.queued {
		platforms = append(platforms, p)
	}
	slices.Sort(platforms)
	for _, p := range platforms {
		q := s.queued[p]
		n := len(q) / runcmd.MaxTargets * runcmd.MaxTargets
		if len(q) > 0 && (coming[p] == 0 || !now.Before(q[0].at.Add(sendWait))) {
			n = len(q)
		}
		if n == 0 {
			continue
		}
		ids := make([]string, n)
		for i, qn := range q[:n] {
			ids[i] = qn.id
		}
		due = append(due, batch{platform: p, ids: ids})
		s.queued[p] = q[n:]
	}
	s.mu.Unlock()
	for _, b := range due {
		// An error stops the run (converge returns it), so what was not
		// sent is not saved up again.
		if err := s.send(ctx, b.platform, b.ids); err != nil {
			return err
		}
	}
	return nil
}

// Done tells the stage that ids have settled: those that had not reached
// the scan (their update or fix failed, they timed out) never will, so the
// scans saved up for the others need not wait for them.
func (s *Scan) Done(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if _, ok := s.platform[id]; ok {
			s.entered[id] = true
		}
	}
}

// SetDrain gives the stage the run's drain channel: once it is closed (the
// first interrupt) nothing saved up is sent, as converge sends nothing new;
// resuming the run sends it.
func (s *Scan) SetDrain(drain <-chan struct{}) { s.drain = drain }

func (s *Scan) draining() bool {
	select {
	case <-s.drain:
		return true
	default:
		return false
	}
}
