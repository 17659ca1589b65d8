package fleet

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func fakeFleet(n int) *fakeDescribe {
	f := &fakeDescribe{}
	for i, id := range ids(n) {
		platform := PlatformLinux
		if i%3 == 2 {
			platform = PlatformWindows
		}
		env := "prod"
		if i%2 == 1 {
			env = "dev"
		}
		f.nodes = append(f.nodes, newFakeNode(id, platform, map[string]string{"env": env}))
	}
	return f
}

func nodeIDs(nodes []Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.InstanceID
	}
	return out
}

func TestDiscoverPagesAcrossEmptyPages(t *testing.T) {
	f := fakeFleet(120)
	f.emptyEvery = 2 // every second call: an empty page, same token
	nodes, err := Discover(context.Background(), f, Selection{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(nodeIDs(nodes), ids(120)) {
		t.Fatalf("got %d nodes, want all 120 in order", len(nodes))
	}
	// 3 full pages, each after an empty one but the first.
	if got := f.callCount(); got != 5 {
		t.Errorf("calls = %d, want 5 (3 pages + 2 empty)", got)
	}
	for _, in := range f.calls {
		if aws.ToInt32(in.MaxResults) != PageSize {
			t.Fatalf("MaxResults = %d, want %d", aws.ToInt32(in.MaxResults), PageSize)
		}
	}
	n := nodes[0]
	if n.PingStatus != PingOnline || n.PlatformName != "Amazon Linux" || n.AgentVersion != "3.0.0.0" || n.ResourceType != "EC2Instance" {
		t.Errorf("node fields not copied: %+v", n)
	}
}

func TestDiscoverGivesUpOnAStuckService(t *testing.T) {
	f := fakeFleet(10)
	f.stuck = true
	_, err := Discover(context.Background(), f, Selection{}, nil)
	if err == nil || !strings.Contains(err.Error(), "without progress") {
		t.Fatalf("want a no-progress error, got %v", err)
	}
	if got := f.callCount(); got != maxStalledPages+1 {
		t.Errorf("calls = %d, want %d", got, maxStalledPages+1)
	}
}

func TestDiscoverDeduplicatesAndSorts(t *testing.T) {
	f := fakeFleet(3)
	f.nodes = append(f.nodes, f.nodes[0]) // listed twice, as in a fleet changing under paging
	slices.Reverse(f.nodes)
	nodes, err := Discover(context.Background(), f, Selection{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(nodeIDs(nodes), ids(3)) {
		t.Errorf("got %v", nodeIDs(nodes))
	}
}

func TestDiscoverSelections(t *testing.T) {
	all := ids(300)
	tests := []struct {
		name      string
		sel       Selection
		want      func(i int) bool // which fleet index is selected
		wantCalls int
	}{
		{"platform", Selection{Platform: "windows"}, func(i int) bool { return i%3 == 2 }, 2},
		{"ids over 50", Selection{InstanceIDs: all[10:130]}, func(i int) bool { return i >= 10 && i < 130 }, 3},
		{"tag", Selection{Tags: []Tag{{"env", "dev"}}}, func(i int) bool { return i%2 == 1 }, 3},
		{"tag, platform and exclusion", Selection{Tags: []Tag{{"env", "dev"}}, Platform: "Linux", ExcludeInstanceIDs: all[:10]},
			func(i int) bool { return i%2 == 1 && i%3 != 2 && i >= 10 }, 3},
		{"tag and ids", Selection{Tags: []Tag{{"env", "prod"}}, InstanceIDs: all[:5]}, func(i int) bool { return i < 5 && i%2 == 0 }, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeFleet(300)
			nodes, err := Discover(context.Background(), f, tt.sel, nil)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for i, id := range all {
				if tt.want(i) {
					want = append(want, id)
				}
			}
			if !slices.Equal(nodeIDs(nodes), want) {
				t.Errorf("got %d nodes, want %d", len(nodes), len(want))
			}
			if got := f.callCount(); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestDiscoverFallsBackWhenPlatformKeyRefused(t *testing.T) {
	f := fakeFleet(30)
	f.rejectKey = FilterKeyPlatform
	nodes, err := Discover(context.Background(), f, Selection{Platform: "Windows"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 10 {
		t.Fatalf("got %d nodes, want the 10 Windows nodes", len(nodes))
	}
	for _, n := range nodes {
		if n.PlatformType != PlatformWindows {
			t.Fatalf("non-Windows node %s", n.InstanceID)
		}
	}
}

func TestDiscoverRejectsBadSelectionWithoutCalls(t *testing.T) {
	f := fakeFleet(3)
	if _, err := Discover(context.Background(), f, Selection{InstanceIDs: []string{"web-1"}}, nil); err == nil {
		t.Fatal("want an error")
	}
	if f.callCount() != 0 {
		t.Errorf("made %d calls for an invalid selection", f.callCount())
	}
}

func TestReadBackPlan(t *testing.T) {
	tests := []struct {
		ids, fleet       int
		perBatch, listed int
		wantPerBatch     bool
	}{
		{10, 10000, 1, 200, true},
		{120, 150, 3, 3, true}, // equal: per batch, independent of fleet churn
		{500, 600, 10, 12, true},
		{600, 601, 12, 13, true},
		{900, 1000, 18, 20, true},
		{1000, 1001, 20, 21, true},
		{101, 120, 3, 3, true},
		{149, 60, 3, 2, false},
		{10, 0, 1, 1, true}, // unknown fleet size
		{0, 100, 0, 2, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d_of_%d", tt.ids, tt.fleet), func(t *testing.T) {
			b, l := ReadBackCalls(tt.ids, tt.fleet)
			if b != tt.perBatch || l != tt.listed {
				t.Errorf("ReadBackCalls = %d, %d; want %d, %d", b, l, tt.perBatch, tt.listed)
			}
			if got := ReadBackPlan(tt.ids, tt.fleet); got != tt.wantPerBatch {
				t.Errorf("ReadBackPlan = %v, want %v", got, tt.wantPerBatch)
			}
		})
	}
}

func TestReadBack(t *testing.T) {
	all := ids(200)
	want := append(slices.Clone(all[:59]), "i-0fffffffffffffff0") // the last one is gone
	for _, tc := range []struct {
		name      string
		fleetSize int
		wantCalls int
	}{
		{"per batch", 200, 2},
		{"full listing", 40, 4}, // a small (stale) fleet size makes one listing look cheaper
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fakeFleet(200)
			got, err := ReadBack(context.Background(), f, want, tc.fleetSize, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 59 || got[all[0]].InstanceID != all[0] {
				t.Errorf("got %d nodes: %v", len(got), got)
			}
			if _, ok := got["i-0fffffffffffffff0"]; ok {
				t.Error("a missing node must be absent")
			}
			if f.callCount() != tc.wantCalls {
				t.Errorf("calls = %d, want %d", f.callCount(), tc.wantCalls)
			}
		})
	}
}
