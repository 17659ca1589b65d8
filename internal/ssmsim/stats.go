package ssmsim

import (
	"maps"
	"sort"
	"sync"
)

type outcome int

const (
	outcomeOK outcome = iota
	outcomeError
	outcomeThrottled
	outcomeServerError
)

// OpStats counts the calls of one operation by how they ended.
type OpStats struct {
	Calls        int `json:"calls"`     // every call received
	OK           int `json:"ok"`        // answered with a result
	ClientErrors int `json:"errors"`    // answered with a 4xx other than throttling
	Throttled    int `json:"throttled"` // answered ThrottlingException
	ServerErrors int `json:"server_errors"`
}

// Stats counts API calls per operation, so tests and benchmarks can report
// exactly how many calls a piece of work took.
type Stats struct {
	mu  sync.Mutex
	ops map[string]*OpStats
}

func newStats() *Stats { return &Stats{ops: map[string]*OpStats{}} }

func (st *Stats) record(op string, o outcome) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.ops[op]
	if !ok {
		s = &OpStats{}
		st.ops[op] = s
	}
	s.Calls++
	switch o {
	case outcomeOK:
		s.OK++
	case outcomeError:
		s.ClientErrors++
	case outcomeThrottled:
		s.Throttled++
	case outcomeServerError:
		s.ServerErrors++
	}
}

// Snapshot returns a copy of the counters by operation name.
func (st *Stats) Snapshot() map[string]OpStats {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make(map[string]OpStats, len(st.ops))
	for k, v := range st.ops {
		out[k] = *v
	}
	return out
}

// Calls returns how many calls of op were received.
func (st *Stats) Calls(op string) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.ops[op]; ok {
		return s.Calls
	}
	return 0
}

// Total returns the sum of counters over every operation.
func (st *Stats) Total() OpStats {
	var t OpStats
	for _, s := range st.Snapshot() {
		t.Calls += s.Calls
		t.OK += s.OK
		t.ClientErrors += s.ClientErrors
		t.Throttled += s.Throttled
		t.ServerErrors += s.ServerErrors
	}
	return t
}

// Operations returns the names of the operations called so far, sorted.
func (st *Stats) Operations() []string {
	snap := st.Snapshot()
	names := make([]string, 0, len(snap))
	for k := range maps.Keys(snap) {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Reset sets every counter back to zero.
func (st *Stats) Reset() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.ops = map[string]*OpStats{}
}
