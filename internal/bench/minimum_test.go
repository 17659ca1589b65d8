package bench

import (
	"maps"
	"testing"
	"time"
)

func TestNaiveAndMinimumCounts(t *testing.T) {
	tests := []struct {
		name       string
		w          work
		update     time.Duration
		wantNaive  map[string]int
		wantFloors map[string]int
	}{
		{
			name: "1k nodes, 400 targets, 90 s update", w: work{nodes: 1000, targets: 400, probed: 449},
			update: 90 * time.Second,
			// 8 commands, each polled at 0, 30, 60 and 90 s.
			wantNaive:  map[string]int{"DescribeInstanceInformation": 100, "SendCommand": 8, "ListCommandInvocations": 32},
			wantFloors: map[string]int{"DescribeInstanceInformation": 20, "CreateAssociation": 8, "SendCommand": 9},
		},
		{
			// The scan: one command per 50 nodes of each platform, one
			// patch-state read per 50 nodes whose scan passed.
			name: "1k nodes scanned", w: work{nodes: 1000, targets: 400, probed: 449, scanned: map[string]int{"Linux": 720, "Windows": 160, "MacOS": 32}, scanPassed: 912},
			update:    90 * time.Second,
			wantNaive: map[string]int{"DescribeInstanceInformation": 100, "SendCommand": 8, "ListCommandInvocations": 32},
			wantFloors: map[string]int{"DescribeInstanceInformation": 20, "CreateAssociation": 8, "SendCommand": 9,
				scanOp: 15 + 4 + 1, "DescribeInstancePatchStates": 19},
		},
		{
			name: "one node, 100 s update", w: work{nodes: 1, targets: 1},
			update:     100 * time.Second,
			wantNaive:  map[string]int{"DescribeInstanceInformation": 1, "SendCommand": 1, "ListCommandInvocations": 5},
			wantFloors: map[string]int{"DescribeInstanceInformation": 1, "CreateAssociation": 1, "SendCommand": 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := naive(tc.w, tc.update); !maps.Equal(got, tc.wantNaive) {
				t.Errorf("naive = %v, want %v", got, tc.wantNaive)
			}
			if got := minimums(tc.w); !maps.Equal(got, tc.wantFloors) {
				t.Errorf("minimums = %v, want %v", got, tc.wantFloors)
			}
		})
	}
}

func TestBusyRateLeavesIdleOut(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &answerLog{at: map[string][]time.Time{}}
	// 21 calls 50 ms apart (20/s), a minute idle, then 3 polling calls.
	for i := range 21 {
		l.at["Op"] = append(l.at["Op"], t0.Add(time.Duration(i)*50*time.Millisecond))
	}
	for i := range 3 {
		l.at["Op"] = append(l.at["Op"], t0.Add(time.Minute+time.Duration(i)*time.Second))
	}
	// Less a burst of 5: 15 paced intervals over 1 s.
	if got := l.busyRate("Op", 3*time.Second, 10, 5); got < 14.99 || got > 15.01 {
		t.Errorf("busyRate = %.2f, want 15", got)
	}
}
