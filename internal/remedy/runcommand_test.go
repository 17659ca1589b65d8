package remedy

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func journalLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func TestRunCommandSendsEachBatchAndReadsStatus(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	opts, journal := testOptions(t, "20260302T090000Z-0000a1")
	r, err := NewRunCommand(api, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx, [][]string{batchA, batchB}); err != nil {
		t.Fatal(err)
	}
	if n := api.calls["SendCommand"]; n != 2 {
		t.Fatalf("SendCommand calls = %d, want one per batch", n)
	}
	c0, c1 := aws.ToString(api.cmds[0].CommandId), aws.ToString(api.cmds[1].CommandId)
	if got := aws.ToString(api.cmds[1].Comment); got != "patchready update-agent run 20260302T090000Z-0000a1 batch 2" {
		t.Errorf("comment %q: a resumed run finds its commands by it", got)
	}
	api.finish(c0, batchA[0], types.CommandInvocationStatusSuccess, updateAgentStep, "updated")
	api.finish(c0, batchA[1], types.CommandInvocationStatusFailed, updateAgentStep, "exit 1")
	pending := map[string]bool{batchA[0]: true, batchA[1]: true, batchB[0]: true}
	st, err := r.Status(ctx, pending)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Succeeded[batchA[0]] || st.Failed[batchA[1]] != "agent update failed (Failed)" || len(st.Failed)+len(st.Succeeded) != 2 {
		t.Errorf("status = %+v", st)
	}
	// The first command has settled: it is not read again.
	lists := api.calls["ListCommandInvocations"]
	api.finish(c1, batchB[0], types.CommandInvocationStatusSuccess, updateAgentStep, "")
	if _, err := r.Status(ctx, map[string]bool{batchB[0]: true}); err != nil {
		t.Fatal(err)
	}
	if n := api.calls["ListCommandInvocations"] - lists; n != 1 {
		t.Errorf("%d listings for the one open command, want 1", n)
	}
	if got := len(journalLines(t, journal)); got != 2 {
		t.Errorf("%d journal lines, want one per command", got)
	}
}

// A resumed run follows the commands its interrupted part sent (from the
// journal, or by their comment when the journal line was never written)
// and sends the update only to batches nothing was sent to.
func TestRunCommandResumeFindsItsCommands(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	const runID = "20260302T090000Z-0000a2"
	first, _ := testOptions(t, runID)
	r, _ := NewRunCommand(api, first)
	if err := r.Start(ctx, [][]string{batchA}); err != nil {
		t.Fatal(err)
	}
	// Batch 2 went out, but the process died before its journal line.
	if _, err := api.SendCommand(ctx, fakeSend(r.comment(2), batchB)); err != nil {
		t.Fatal(err)
	}
	sent := api.calls["SendCommand"]
	resumed, _ := testOptions(t, runID)
	resumed.Resume = true
	resumed.Resumed = []Resource{{Type: ResourceCommand, ID: aws.ToString(api.cmds[0].CommandId), Name: r.comment(1), InstanceIDs: batchA, Action: "update-agent"}}
	again, _ := NewRunCommand(api, resumed)
	if err := again.Start(ctx, [][]string{batchA, batchB, {"i-0000000000000000d"}}); err != nil {
		t.Fatal(err)
	}
	if n := api.calls["SendCommand"] - sent; n != 1 {
		t.Errorf("resume sent %d commands, want 1 (batch 3, the only one not sent)", n)
	}
	if len(again.cmds) != 3 {
		t.Errorf("resume follows %d commands, want 3", len(again.cmds))
	}
}

// The interrupt cancels the commands still open and records them gone, so
// that a resumed run sends their batches again rather than follow a
// command that will not finish its work.
func TestRunCommandInterruptCancels(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	const runID = "20260302T090000Z-0000a3"
	opts, journal := testOptions(t, runID)
	r, _ := NewRunCommand(api, opts)
	if err := r.Start(ctx, [][]string{batchA}); err != nil {
		t.Fatal(err)
	}
	if err := r.Interrupt(ctx); err != nil {
		t.Fatal(err)
	}
	if api.cmds[0].Status != types.CommandStatusCancelled {
		t.Fatalf("command status %s after the interrupt", api.cmds[0].Status)
	}
	st, _ := ReadJournal(journal)
	if len(st.Live) != 0 {
		t.Errorf("the cancelled command is still live in the journal: %v", st.Live)
	}
	resumed, _ := testOptions(t, runID)
	resumed.Resume, resumed.Resumed = true, st.Live
	again, _ := NewRunCommand(api, resumed)
	if err := again.Start(ctx, [][]string{batchA}); err != nil {
		t.Fatal(err)
	}
	if n := api.calls["SendCommand"]; n != 2 {
		t.Errorf("SendCommand calls = %d, want the cancelled batch sent again", n)
	}
}

// A batch holding a node SSM refuses is split until the node stands alone;
// the others are sent and followed.
func TestRunCommandSplitsAroundARefusedNode(t *testing.T) {
	api := newFakeSSM()
	api.refuse["i-0000000000000000b"] = true
	opts, _ := testOptions(t, "20260302T090000Z-0000a4")
	r, _ := NewRunCommand(api, opts)
	if err := r.Start(context.Background(), [][]string{{"i-0000000000000000a", "i-0000000000000000b", "i-0000000000000000c", "i-0000000000000000d"}}); err != nil {
		t.Fatal(err)
	}
	var covered []string
	for _, c := range api.cmds {
		covered = append(covered, c.InstanceIds...)
	}
	if strings.Join(covered, ",") != "i-0000000000000000a,i-0000000000000000c,i-0000000000000000d" {
		t.Errorf("sent to %v, want every node but the refused one", covered)
	}
}

func fakeSend(comment string, ids []string) *ssm.SendCommandInput {
	return &ssm.SendCommandInput{DocumentName: aws.String("AWS-UpdateSSMAgent"), Comment: aws.String(comment), InstanceIds: ids}
}
