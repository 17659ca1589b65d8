package runcmd_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/runcmd"
	"github.com/patchready/patchready/internal/ssmsim"
)

// TestResultsKeepStandardErrorOfACutOutput runs a step whose standard
// output is longer than a listing shows, and which says on standard error
// why it failed, as the patch run says "Unable to download payload". Read
// again in full, the output must still carry that error, after the
// agent's ERROR title as in the listing.
func TestResultsKeepStandardErrorOfACutOutput(t *testing.T) {
	const id = "i-00000000000000001"
	clk := clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Fleets: map[string]ssmsim.Fleet{"*": {Nodes: []ssmsim.Node{{
		ID: id, PlatformType: "Linux", PlatformName: "Amazon Linux", PlatformVersion: "2", AgentVersion: "3.3.1142.0",
		Python: "/usr/bin/python3", Pip: "/usr/bin/pip3", Requests: "2.25.1",
	}}}}})
	srv := httptest.NewServer(sim) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	ctx := context.Background()
	cfg, err := awsclient.Load(ctx, awsclient.Config{Region: "us-east-1", MaxBackoff: 50 * time.Millisecond,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}
	api := awsclient.NewSSM(cfg, srv.URL)

	long := strings.Repeat("x", 60)
	var script []string
	for range 80 { // 80 lines of 61 bytes: past the listing's 2,500
		script = append(script, "echo "+long)
	}
	script = append(script, "echo 'Unable to download payload: https://bucket/payload.tar.gz.' >&2", "exit 156")
	sent, refused, err := runcmd.Send(ctx, api, runcmd.Command{
		Document: documents.RunShellScriptDocumentName, Parameters: map[string][]string{"commands": script},
		MaxConcurrency: "1", MaxErrors: "1", DeliveryTimeoutSeconds: 600, Comment: "patchready test", Step: "aws:runShellScript",
	}, []string{id}, nil)
	if err != nil || len(refused) > 0 || len(sent) != 1 {
		t.Fatalf("send: %v, refused %v, sent %v", err, refused, sent)
	}
	var got []runcmd.Result
	for range 100 {
		clk.Advance(10 * time.Second)
		if got, err = runcmd.Results(ctx, api, sent[0].CommandID, "aws:runShellScript", nil); err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].Finished {
			break
		}
	}
	if len(got) != 1 || !got[0].Finished {
		t.Fatalf("results %+v", got)
	}
	r := got[0]
	if r.Status != types.CommandInvocationStatusFailed || r.ResponseCode != 156 {
		t.Fatalf("status %s exit %d", r.Status, r.ResponseCode)
	}
	// The full standard output, then its standard error: nothing cut.
	if strings.Count(r.Output, long) != 80 {
		t.Errorf("the output holds %d of the 80 lines: it was not read in full", strings.Count(r.Output, long))
	}
	if !strings.Contains(r.Output, "\n----------ERROR-------\nUnable to download payload: https://bucket/payload.tar.gz.") {
		t.Errorf("standard error lost from the full output:\n…%s", r.Output[len(r.Output)-300:])
	}
}
