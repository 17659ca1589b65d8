package remedy

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
)

// While other scans run, the patch states of nodes whose scan passed are
// read a whole page of 50 at a time; the rest once nothing is in flight,
// or once one of them has waited stateWait. A few scans ending per poll
// round then cost no call each.
func TestScanReadsPatchStatesByThePage(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	opts, _ := testOptions(t, "20260302T090000Z-0000c2")
	clk := clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	opts.Clock = clk
	var nodes []fleet.Node
	var ids []string
	for i := range 70 {
		id := fmt.Sprintf("i-%017x", i)
		nodes = append(nodes, fleet.Node{InstanceID: id, PlatformType: fleet.PlatformLinux})
		ids = append(ids, id)
		api.patchStates[id] = types.InstancePatchState{InstanceId: aws.String(id), MissingCount: 1, Operation: types.PatchOperationTypeScan}
	}
	s, err := NewScan(api, nodes, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, ids); err != nil {
		t.Fatal(err)
	}
	verified := 0
	round := func(finish []string) {
		t.Helper()
		for _, id := range finish {
			api.finish(api.commandOf(id), id, types.CommandInvocationStatusSuccess, documents.PatchLinuxStepName, "scan done")
		}
		res, err := s.Results(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if !r.OK {
				t.Fatalf("a scan that passed failed: %+v", r)
			}
		}
		verified += len(res)
	}
	round(ids[:10]) // 10 passed, 60 still scanning: nothing read
	if verified != 0 || api.calls["DescribeInstancePatchStates"] != 0 {
		t.Fatalf("after 10 of 70: %d verified, %d reads; want none until a page is full", verified, api.calls["DescribeInstancePatchStates"])
	}
	round(ids[10:55]) // 55 waiting: one page of 50 read
	if verified != 50 || api.calls["DescribeInstancePatchStates"] != 1 {
		t.Fatalf("after 55 of 70: %d verified, %d reads; want 50 and 1", verified, api.calls["DescribeInstancePatchStates"])
	}
	clk.Advance(stateWait)
	round(ids[55:60]) // 10 waiting, the oldest for stateWait: read
	if verified != 60 || api.calls["DescribeInstancePatchStates"] != 2 {
		t.Fatalf("after the wait: %d verified, %d reads; want 60 and 2", verified, api.calls["DescribeInstancePatchStates"])
	}
	round(ids[60:]) // nothing in flight any more: the rest read
	if verified != 70 || api.calls["DescribeInstancePatchStates"] != 3 {
		t.Fatalf("at the end: %d verified, %d reads; want 70 and 3", verified, api.calls["DescribeInstancePatchStates"])
	}
}

// Nodes reach the scan in waves; their scans are saved up into whole
// commands of 50 while more of the platform's targets may come, and the
// rest sent once none can, or once they have waited sendWait.
func TestScanSendsWholeCommands(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	opts, _ := testOptions(t, "20260302T090000Z-0000c3")
	clk := clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	opts.Clock = clk
	var nodes []fleet.Node
	var ids []string
	for i := range 120 {
		id := fmt.Sprintf("i-%017x", i)
		nodes = append(nodes, fleet.Node{InstanceID: id, PlatformType: fleet.PlatformLinux})
		ids = append(ids, id)
	}
	s, err := NewScan(api, nodes, opts)
	if err != nil {
		t.Fatal(err)
	}
	step := func(what string, do func() error, want int) {
		t.Helper()
		if err := do(); err != nil {
			t.Fatal(err)
		}
		if len(api.cmds) != want {
			t.Fatalf("%s: %d scan commands, want %d", what, len(api.cmds), want)
		}
	}
	results := func() error { _, err := s.Results(ctx); return err }
	step("60 of 120 ready", func() error { return s.Send(ctx, ids[:60]) }, 1)
	step("a round later", results, 1)
	clk.Advance(sendWait)
	step("after sendWait", results, 2)
	step("the last 60", func() error { return s.Send(ctx, ids[60:]) }, 4)
	sent := 0
	for _, c := range api.cmds {
		sent += len(c.InstanceIds)
	}
	if sent != 120 {
		t.Errorf("%d nodes sent, want each of the 120 once", sent)
	}
	// A scan of every target at once, as plan --scan sends it, goes at
	// once: nothing more can come.
	s2, err := NewScan(api, nodes[:7], opts)
	if err != nil {
		t.Fatal(err)
	}
	step("plan --scan of 7", func() error { return s2.Send(ctx, ids[:7]) }, 5)
}
