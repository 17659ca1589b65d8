package remedy

import (
	"maps"
	"sync"
)

// inFlight is what a Run Command stage (fix, scan) still waits for: each
// command it sent, and that command's nodes not yet settled. It is safe
// for concurrent use.
type inFlight struct {
	mu   sync.Mutex
	cmds map[string][]string // command ID → nodes not yet settled
}

// add watches command cmdID on ids.
func (f *inFlight) add(cmdID string, ids []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cmds == nil {
		f.cmds = map[string][]string{}
	}
	f.cmds[cmdID] = append([]string(nil), ids...)
}

// snapshot returns the commands in flight, to read without the lock.
func (f *inFlight) snapshot() map[string][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.cmds)
}

// settle keeps of command cmdID's nodes ids those not settled, and drops
// the command when none is left.
func (f *inFlight) settle(cmdID string, ids []string, settled map[string]bool) {
	var left []string
	for _, id := range ids {
		if !settled[id] {
			left = append(left, id)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(left) == 0 {
		delete(f.cmds, cmdID)
	} else {
		f.cmds[cmdID] = left
	}
}

// empty reports whether no command is in flight.
func (f *inFlight) empty() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cmds) == 0
}
