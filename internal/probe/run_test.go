package probe

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
)

func alNode(i int) fleet.Node {
	return fleet.Node{InstanceID: fmt.Sprintf("i-%017x", i), PingStatus: fleet.PingOnline,
		PlatformType: fleet.PlatformLinux, PlatformName: "Amazon Linux", PlatformVersion: "2"}
}

func success(out string) fakeOutcome {
	return fakeOutcome{status: types.CommandInvocationStatusSuccess, details: "Success", output: out}
}

func testOptions() Options {
	return Options{Clock: clock.NewManual(time.Unix(0, 0)), Timeout: 2 * time.Minute}
}

func TestRunOutcomes(t *testing.T) {
	long := strings.Repeat("x", 3000) + "\n" + goodLine // report cut off in the listing
	outcomes := map[string]fakeOutcome{
		alNode(1).InstanceID: success(goodLine),
		alNode(2).InstanceID: {status: types.CommandInvocationStatusTimedOut, details: "DeliveryTimedOut"},
		alNode(3).InstanceID: {status: types.CommandInvocationStatusFailed, details: "Undeliverable"},
		alNode(4).InstanceID: {status: types.CommandInvocationStatusFailed, details: "Failed", code: 2},
		alNode(5).InstanceID: success("garbage"),
		alNode(6).InstanceID: {status: types.CommandInvocationStatusSuccess, output: long[:2500], full: long},
		alNode(7).InstanceID: {status: types.CommandInvocationStatusSuccess, output: goodLine, hiddenPolls: 2, pendingPolls: 3},
		alNode(8).InstanceID: {status: types.CommandInvocationStatusCancelled, details: "Cancelled"},
		"i-0000000b":         success(goodLine),
	}
	want := map[string]string{ // ID → status or reason fragment
		alNode(1).InstanceID: "ok",
		alNode(2).InstanceID: "probe not delivered (DeliveryTimedOut): node unreachable",
		alNode(3).InstanceID: "probe not delivered (Undeliverable): node unreachable",
		alNode(4).InstanceID: "exit code 2",
		alNode(5).InstanceID: "probe output unreadable",
		alNode(6).InstanceID: "ok",
		alNode(7).InstanceID: "ok",
		alNode(8).InstanceID: "probe cancelled",
		"i-0000000b":         "ok", // every Linux node is probed, not only Amazon Linux
	}
	var nodes []fleet.Node
	for i := 1; i <= 8; i++ {
		nodes = append(nodes, alNode(i))
	}
	// Not eligible: Windows, offline.
	nodes = append(nodes,
		fleet.Node{InstanceID: "i-0000000a", PingStatus: fleet.PingOnline, PlatformType: fleet.PlatformWindows},
		func() fleet.Node { n := alNode(9); n.PingStatus = fleet.PingConnectionLost; return n }(),
		fleet.Node{InstanceID: "i-0000000b", PingStatus: fleet.PingOnline, PlatformType: fleet.PlatformLinux, PlatformName: "Ubuntu"},
	)
	api := newFakeAPI(outcomes)
	var progress []int
	opts := testOptions()
	opts.Progress = func(done, total int) { progress = append(progress, done, total) }
	got, err := Run(context.Background(), api, nodes, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("got facts for %d nodes, want %d (only eligible ones)", len(got), len(want))
	}
	for id, w := range want {
		f, ok := got[id]
		switch {
		case !ok:
			t.Errorf("%s: no facts", id)
		case w == "ok" && f.Status != fleet.ProbeOK:
			t.Errorf("%s: %s %q, want ok", id, f.Status, f.Reason)
		case w != "ok" && (f.Status != fleet.ProbeFailed || !strings.Contains(f.Reason, w)):
			t.Errorf("%s: %s %q, want failed with %q", id, f.Status, f.Reason, w)
		}
	}
	if f := got[alNode(1).InstanceID]; !f.Proxied || f.ProxyScheme != "http" || f.RequestsVersion != "2.6.0" || f.Python != "python2.7" || f.PayloadCode != "403" {
		t.Errorf("facts not copied: %+v", f)
	}
	if len(api.sends) != 1 || api.gets != 1 {
		t.Errorf("sends = %d, gets = %d; want 1 send and 1 get (for the cut output)", len(api.sends), api.gets)
	}
	if fmt.Sprint(progress) != "[9 9]" {
		t.Errorf("progress = %v", progress)
	}
}

func TestRunBatchesOf50(t *testing.T) {
	outcomes := map[string]fakeOutcome{}
	var nodes []fleet.Node
	for i := 1; i <= 120; i++ {
		nodes = append(nodes, alNode(i))
		outcomes[alNode(i).InstanceID] = success(goodLine)
	}
	api := newFakeAPI(outcomes)
	got, err := Run(context.Background(), api, nodes, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 120 {
		t.Fatalf("got %d facts", len(got))
	}
	var sizes []int
	for _, s := range api.sends {
		sizes = append(sizes, len(s))
	}
	if len(sizes) != 3 || sizes[0]+sizes[1]+sizes[2] != 120 || max(sizes[0], sizes[1], sizes[2]) != 50 {
		t.Errorf("batch sizes = %v, want 50, 50, 20 in any order", sizes)
	}
	// One listing per batch: every invocation was finished at the first poll.
	if api.lists != 3 {
		t.Errorf("ListCommandInvocations calls = %d, want 3", api.lists)
	}
}

func TestRunIsolatesGoneNodes(t *testing.T) {
	outcomes := map[string]fakeOutcome{}
	var nodes []fleet.Node
	for i := 1; i <= 50; i++ {
		nodes = append(nodes, alNode(i))
		outcomes[alNode(i).InstanceID] = success(goodLine)
	}
	gone := alNode(17).InstanceID
	outcomes[gone] = fakeOutcome{gone: true}
	api := newFakeAPI(outcomes)
	got, err := Run(context.Background(), api, nodes, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if f := got[gone]; f.Status != fleet.ProbeFailed || !strings.Contains(f.Reason, "InvalidInstanceId") {
		t.Errorf("gone node: %+v", f)
	}
	ok := 0
	for _, f := range got {
		if f.Status == fleet.ProbeOK {
			ok++
		}
	}
	if ok != 49 {
		t.Errorf("%d nodes ok, want 49", ok)
	}
	if len(api.sends) > 1+2*6 {
		t.Errorf("%d sends to isolate one bad node, want at most %d", len(api.sends), 1+2*6)
	}
}

func TestRunTimesOut(t *testing.T) {
	id := alNode(1).InstanceID
	never := fakeOutcome{status: types.CommandInvocationStatusSuccess, output: goodLine, pendingPolls: 1 << 30}
	hidden := fakeOutcome{hiddenPolls: 1 << 30}
	for name, o := range map[string]fakeOutcome{"last status InProgress": never, "never became visible": hidden} {
		t.Run(name, func(t *testing.T) {
			api := newFakeAPI(map[string]fakeOutcome{id: o})
			got, err := Run(context.Background(), api, []fleet.Node{alNode(1)}, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			if f := got[id]; f.Status != fleet.ProbeFailed || !strings.Contains(f.Reason, "did not finish within 2m0s") || !strings.Contains(f.Reason, name) {
				t.Errorf("facts = %+v", f)
			}
			// Backoff: 5s growing by half to 30s within 2 minutes is about
			// 9 polls, not 24.
			if api.lists > 12 {
				t.Errorf("%d polls in 2 minutes", api.lists)
			}
		})
	}
}

func TestRunNothingEligibleMakesNoCalls(t *testing.T) {
	api := newFakeAPI(nil)
	got, err := Run(context.Background(), api, []fleet.Node{{InstanceID: "i-0000000a", PlatformType: fleet.PlatformWindows}}, testOptions())
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v", got, err)
	}
	if len(api.sends) != 0 || api.content != nil {
		t.Error("made calls for no eligible node")
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	api := newFakeAPI(map[string]fakeOutcome{alNode(1).InstanceID: success(goodLine)})
	opts := testOptions()
	opts.SkipEnsureDocument = true
	if _, err := Run(ctx, api, []fleet.Node{alNode(1)}, opts); err == nil {
		t.Fatal("want an error after cancel")
	}
}
