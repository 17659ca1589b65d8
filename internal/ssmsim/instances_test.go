package ssmsim

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// listAll pages DescribeInstanceInformation to exhaustion with the SDK
// paginator and returns the IDs and the number of pages.
func listAll(t *testing.T, c *ssm.Client, in *ssm.DescribeInstanceInformationInput) ([]string, int) {
	t.Helper()
	p := ssm.NewDescribeInstanceInformationPaginator(c, in)
	var ids []string
	pages := 0
	for p.HasMorePages() && pages < 10000 {
		out, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		for _, ii := range out.InstanceInformationList {
			ids = append(ids, aws.ToString(ii.InstanceId))
		}
	}
	return ids, pages
}

func TestDescribeInstanceInformationPaginatesWholeFleetWithEmptyPages(t *testing.T) {
	f := fleetOf(1234)
	f.Nodes[5].Terminated = true
	opts, _ := manualOpts(f)
	opts.Faults.EmptyPageRate = 0.2
	s, c := startSim(t, opts, 0)
	sent := &countingHTTP{}
	c = ssm.New(c.Options(), func(o *ssm.Options) { sent.inner, o.HTTPClient = o.HTTPClient, sent })

	ids, pages := listAll(t, c, &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(50)})
	if len(ids) != 1233 {
		t.Fatalf("listed %d nodes, want 1233 (1234 less one terminated)", len(ids))
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			t.Fatalf("node %s listed twice", id)
		}
		seen[id] = true
		if i > 0 && ids[i-1] >= id {
			t.Fatalf("nodes out of order at %d: %s then %s", i, ids[i-1], id)
		}
	}
	if seen[f.Nodes[5].ID] {
		t.Errorf("terminated node %s was listed", f.Nodes[5].ID)
	}
	if pages <= 25 {
		t.Errorf("got %d pages; with 20%% empty pages want more than the 25 full ones", pages)
	}
	// The server counts every request the client sent. That can be one
	// more than the pages: the SDK retries a 200 whose body read fails with
	// "use of closed network connection" (aws/aws-sdk-go-v2#1825), which
	// shows up under -race.
	if got := s.Stats().Calls("DescribeInstanceInformation"); got != int(sent.n.Load()) || got < pages {
		t.Errorf("stats counted %d calls; the client sent %d requests for %d pages", got, sent.n.Load(), pages)
	}
}

func TestDescribeInstanceInformationFields(t *testing.T) {
	f := Fleet{Nodes: []Node{linuxNode(0), linuxNode(1)}}
	f.Nodes[1].AgentVersion = DefaultLatestAgentVersion
	f.Nodes[1].PingStatus = "ConnectionLost"
	opts, _ := manualOpts(f)
	_, c := startSim(t, opts, 0)
	out, err := c.DescribeInstanceInformation(testCtx(t), &ssm.DescribeInstanceInformationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.InstanceInformationList) != 2 {
		t.Fatalf("got %d nodes, want 2", len(out.InstanceInformationList))
	}
	a, b := out.InstanceInformationList[0], out.InstanceInformationList[1]
	if a.PingStatus != types.PingStatusOnline || aws.ToBool(a.IsLatestVersion) || a.PlatformType != types.PlatformTypeLinux ||
		aws.ToString(a.PlatformName) != "Amazon Linux" || a.ResourceType != types.ResourceTypeEc2Instance || a.LastPingDateTime == nil || a.RegistrationDate == nil {
		t.Errorf("first node = %+v", a)
	}
	if b.PingStatus != types.PingStatusConnectionLost || !aws.ToBool(b.IsLatestVersion) || !b.LastPingDateTime.Before(simT0) {
		t.Errorf("second node = %+v", b)
	}
}

func TestDescribeInstanceInformationFilters(t *testing.T) {
	f := fleetOf(300)
	f.Nodes[3].PingStatus = "ConnectionLost"
	f.Nodes[4].PlatformType = "Windows"
	f.Nodes[7].Tags = map[string]string{"Env": "prod"}
	f.Nodes[8].Tags = map[string]string{"Env": "dev"}
	f.Nodes[9].ID = "mi-00000000000000abc"
	opts, _ := manualOpts(f)
	_, c := startSim(t, opts, 0)

	filter := func(k string, v ...string) []types.InstanceInformationStringFilter {
		return []types.InstanceInformationStringFilter{{Key: aws.String(k), Values: v}}
	}
	tests := []struct {
		name string
		in   ssm.DescribeInstanceInformationInput
		want []string
	}{
		{"ping status", ssm.DescribeInstanceInformationInput{Filters: filter("PingStatus", "ConnectionLost")}, []string{f.Nodes[3].ID}},
		{"platform", ssm.DescribeInstanceInformationInput{Filters: filter("PlatformType", "Windows")}, []string{f.Nodes[4].ID}},
		{"tag", ssm.DescribeInstanceInformationInput{Filters: filter("tag:Env", "prod")}, []string{f.Nodes[7].ID}},
		{"tag key", ssm.DescribeInstanceInformationInput{Filters: filter("tag-key", "Env")}, []string{f.Nodes[7].ID, f.Nodes[8].ID}},
		{"resource type", ssm.DescribeInstanceInformationInput{Filters: filter("ResourceType", "ManagedInstance")}, []string{"mi-00000000000000abc"}},
		{"ids", ssm.DescribeInstanceInformationInput{Filters: filter("InstanceIds", f.Nodes[200].ID, f.Nodes[2].ID, "i-0000000000fffffff")},
			[]string{f.Nodes[2].ID, f.Nodes[200].ID}},
		{"legacy", ssm.DescribeInstanceInformationInput{InstanceInformationFilterList: []types.InstanceInformationFilter{
			{Key: types.InstanceInformationFilterKeyPlatformTypes, ValueSet: []string{"Windows"}}}}, []string{f.Nodes[4].ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.MaxResults = aws.Int32(5)
			got, _ := listAll(t, c, &in)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestDescribeInstanceInformationRejectsBadInput(t *testing.T) {
	opts, _ := manualOpts(fleetOf(20))
	_, c := startSim(t, opts, 0)
	filter := func(k string, v ...string) []types.InstanceInformationStringFilter {
		return []types.InstanceInformationStringFilter{{Key: aws.String(k), Values: v}}
	}
	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = "Online"
	}
	tests := []struct {
		name string
		in   ssm.DescribeInstanceInformationInput
		code string
	}{
		{"max results low", ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(4)}, "ValidationException"},
		{"max results high", ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(51)}, "ValidationException"},
		{"garbage token", ssm.DescribeInstanceInformationInput{NextToken: aws.String("bm90IGEgdG9rZW4")}, "InvalidNextToken"},
		{"forged token", ssm.DescribeInstanceInformationInput{NextToken: aws.String("eyJvIjoiRGVzY3JpYmVJbnN0YW5jZUluZm9ybWF0aW9uIn0.AAAAAAAAAAAAAAAA")}, "InvalidNextToken"},
		{"unknown key", ssm.DescribeInstanceInformationInput{Filters: filter("Colour", "blue")}, "InvalidFilterKey"},
		{"bad ping value", ssm.DescribeInstanceInformationInput{Filters: filter("PingStatus", "Sleeping")}, "InvalidInstanceInformationFilterValue"},
		{"too many values", ssm.DescribeInstanceInformationInput{Filters: filter("PingStatus", tooMany...)}, "ValidationException"},
		{"malformed id", ssm.DescribeInstanceInformationInput{Filters: filter("InstanceIds", "i-xyz")}, "InvalidInstanceId"},
		{"tag with other", ssm.DescribeInstanceInformationInput{Filters: append(filter("tag:Env", "prod"), filter("PingStatus", "Online")...)}, "InvalidInstanceInformationFilterValue"},
		{"both lists", ssm.DescribeInstanceInformationInput{Filters: filter("PingStatus", "Online"), InstanceInformationFilterList: []types.InstanceInformationFilter{
			{Key: types.InstanceInformationFilterKeyPingStatus, ValueSet: []string{"Online"}}}}, "InvalidInstanceInformationFilterValue"},
		{"bad legacy key", ssm.DescribeInstanceInformationInput{InstanceInformationFilterList: []types.InstanceInformationFilter{
			{Key: "Nope", ValueSet: []string{"x"}}}}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DescribeInstanceInformation(testCtx(t), &tt.in)
			if got := apiCode(err); got != tt.code {
				t.Fatalf("error %v: code %q, want %q", err, got, tt.code)
			}
		})
	}
	// The typed errors decode too, for callers that use errors.As.
	_, err := c.DescribeInstanceInformation(testCtx(t), &ssm.DescribeInstanceInformationInput{Filters: filter("InstanceIds", "bogus")})
	var bad *types.InvalidInstanceId
	if !errors.As(err, &bad) {
		t.Errorf("error %v is not *types.InvalidInstanceId", err)
	}
	_, err = c.DescribeInstanceInformation(testCtx(t), &ssm.DescribeInstanceInformationInput{NextToken: aws.String("x")})
	var badTok *types.InvalidNextToken
	if !errors.As(err, &badTok) {
		t.Errorf("error %v is not *types.InvalidNextToken", err)
	}
}
