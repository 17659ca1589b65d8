package ssmsim

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// patchStates reads the states of ids through the SDK's paginator.
func patchStates(t *testing.T, c *ssm.Client, ids []string) map[string]types.InstancePatchState {
	t.Helper()
	out := map[string]types.InstancePatchState{}
	for start := 0; start < len(ids); start += 50 {
		p := ssm.NewDescribeInstancePatchStatesPaginator(c, &ssm.DescribeInstancePatchStatesInput{
			InstanceIds: ids[start:min(len(ids), start+50)], MaxResults: aws.Int32(10)})
		for pages := 0; p.HasMorePages(); pages++ {
			if pages > 10 {
				t.Fatal("more pages than the nodes asked for")
			}
			page, err := p.NextPage(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range page.InstancePatchStates {
				id := aws.ToString(st.InstanceId)
				if _, dup := out[id]; dup {
					t.Fatalf("%s listed twice", id)
				}
				out[id] = st
			}
		}
	}
	return out
}

// TestDescribeInstancePatchStatesValidation: the request is checked as
// AWS's model says, and a node never scanned is left out. (The SDK itself
// refuses a request without InstanceIds before sending it.)
func TestDescribeInstancePatchStatesValidation(t *testing.T) {
	f := fleetOf(30)
	opts, clk := manualOpts(f)
	s := New(opts)
	url := startHTTP(t, s)
	c := sdkClient(t, url, "us-east-1", 0)
	var ids []string
	for _, n := range f.Nodes {
		ids = append(ids, n.ID)
	}
	scan(t, c, clk, ids[:25], scanParams)
	// The same nodes in another region were never scanned there.
	if got := patchStates(t, sdkClient(t, url, "eu-west-1", 0), ids); len(got) != 0 {
		t.Errorf("eu-west-1 answers %d states of us-east-1's scan", len(got))
	}
	for name, in := range map[string]*ssm.DescribeInstancePatchStatesInput{
		"empty list":       {InstanceIds: []string{}},
		"51 ids":           {InstanceIds: make51()},
		"malformed id":     {InstanceIds: []string{"i-123"}},
		"max results 9":    {InstanceIds: ids[:1], MaxResults: aws.Int32(9)},
		"max results 101":  {InstanceIds: ids[:1], MaxResults: aws.Int32(101)},
		"foreign token":    {InstanceIds: ids[:1], NextToken: aws.String("bm90IGEgdG9rZW4=")},
		"unreadable token": {InstanceIds: ids[:1], NextToken: aws.String("!!")},
	} {
		_, err := c.DescribeInstancePatchStates(testCtx(t), in)
		if code := apiCode(err); code != "ValidationException" && code != "InvalidNextToken" {
			t.Errorf("%s: %v, want a ValidationException or InvalidNextToken", name, err)
		}
	}
	// 30 asked, 25 scanned: pages of 10, 10 and 5, nothing else.
	page, err := c.DescribeInstancePatchStates(testCtx(t), &ssm.DescribeInstancePatchStatesInput{InstanceIds: ids, MaxResults: aws.Int32(10)})
	if err != nil || len(page.InstancePatchStates) != 10 || page.NextToken == nil {
		t.Fatalf("first page: %v, %d states", err, len(page.InstancePatchStates))
	}
	if _, err := c.DescribeInstancePatchStates(testCtx(t), &ssm.DescribeInstancePatchStatesInput{InstanceIds: ids[:29], NextToken: page.NextToken}); apiCode(err) != "InvalidNextToken" {
		t.Errorf("a token with another request: %v, want InvalidNextToken", err)
	}
	if got := patchStates(t, c, ids); len(got) != 25 {
		t.Errorf("%d states, want the 25 scanned", len(got))
	} else if _, ok := got[ids[27]]; ok {
		t.Errorf("a node never scanned has a state")
	}
}

func make51() []string {
	out := make([]string, 51)
	for i := range out {
		out[i] = fmt.Sprintf("i-%017x", i+1)
	}
	return out
}

// TestAWSCLIReadsPatchStates: the AWS CLI, botocore's own client, reads
// the states the scan left.
func TestAWSCLIReadsPatchStates(t *testing.T) {
	cli := needTool(t, "aws", "check that it reads patch states")
	f := Fleet{Nodes: []Node{scanNodeNamed(t, "amazon linux 2"), scanNodeNamed(t, "ubuntu without python3"), scanNodeNamed(t, "windows")}}
	opts, clk := manualOpts(f)
	s := New(opts)
	url := startHTTP(t, s)
	c := sdkClient(t, url, "us-east-1", 0)
	ids := []string{f.Nodes[0].ID, f.Nodes[1].ID, f.Nodes[2].ID}
	scan(t, c, clk, ids, scanParams)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, append([]string{"ssm", "describe-instance-patch-states", "--endpoint-url", url,
		"--region", "us-east-1", "--output", "json", "--instance-ids"}, ids...)...)
	cmd.Env = otherClientEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws ssm describe-instance-patch-states: %v\n%s", err, exitStderr(err))
	}
	var res struct {
		InstancePatchStates []struct {
			InstanceId, BaselineId, Operation, RebootOption, PatchGroup string
			MissingCount, InstalledCount                                int
			// CLI v1 prints timestamps as they came (epoch seconds).
			OperationEndTime float64
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("CLI output %q: %v", out, err)
	}
	// The Ubuntu node without python3 failed its scan: no state.
	got := map[string]int{}
	for _, st := range res.InstancePatchStates {
		got[st.InstanceId] = st.MissingCount
		if st.Operation != "Scan" || st.RebootOption != "NoReboot" || st.OperationEndTime < float64(simT0.Unix()) || !reBaselineID.MatchString(st.BaselineId) {
			t.Errorf("state %+v", st)
		}
	}
	want := map[string]int{ids[0]: host.PresetPatches(host.AmazonLinux2).Missing, ids[2]: nodePatches(&f.Nodes[2]).Missing}
	if !maps.Equal(got, want) {
		t.Errorf("CLI read missing counts %v, want %v\n%s", got, want, out)
	}
}
