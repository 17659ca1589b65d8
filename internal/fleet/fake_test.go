package fleet

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// fakeNode is a node of the fake service, with its tags.
type fakeNode struct {
	info types.InstanceInformation
	tags map[string]string
}

// fakeDescribe is a small in-memory DescribeInstanceInformation for pure
// edge cases (the simulator covers the real protocol). Its NextToken is the
// index of the next node to examine.
type fakeDescribe struct {
	nodes []fakeNode
	// emptyEvery makes every n-th call an empty page that carries the same
	// token (0: never).
	emptyEvery int
	// stuck makes every call an empty page with the same token.
	stuck bool
	// rejectKey answers InvalidFilterKey for this filter key.
	rejectKey string

	mu    sync.Mutex
	calls []*ssm.DescribeInstanceInformationInput
}

func newFakeNode(id, platform string, tags map[string]string) fakeNode {
	name := "Ubuntu"
	if platform == PlatformLinux {
		name = "Amazon Linux"
	}
	return fakeNode{info: types.InstanceInformation{
		InstanceId: aws.String(id), PingStatus: types.PingStatusOnline, AgentVersion: aws.String("3.0.0.0"),
		PlatformType: types.PlatformType(platform), PlatformName: aws.String(name), PlatformVersion: aws.String("2"),
		IsLatestVersion: aws.Bool(false), ResourceType: types.ResourceTypeEc2Instance,
	}, tags: tags}
}

func (f *fakeDescribe) DescribeInstanceInformation(_ context.Context, in *ssm.DescribeInstanceInformationInput, _ ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, in)
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	if f.stuck || (f.emptyEvery > 0 && len(f.calls)%f.emptyEvery == 0) {
		return &ssm.DescribeInstanceInformationOutput{NextToken: aws.String(strconv.Itoa(start))}, nil
	}
	for _, flt := range in.Filters {
		if aws.ToString(flt.Key) == f.rejectKey {
			return nil, &smithy.GenericAPIError{Code: "InvalidFilterKey", Message: "The filter key is not valid."}
		}
	}
	limit := int(aws.ToInt32(in.MaxResults))
	out := &ssm.DescribeInstanceInformationOutput{}
	i := start
	for ; i < len(f.nodes) && len(out.InstanceInformationList) < limit; i++ {
		if f.match(f.nodes[i], in.Filters) {
			out.InstanceInformationList = append(out.InstanceInformationList, f.nodes[i].info)
		}
	}
	// A token only when a later node matches: an efficient service. (The
	// simulator, like AWS, also returns short pages; that is tested there.)
	for j := i; j < len(f.nodes); j++ {
		if f.match(f.nodes[j], in.Filters) {
			out.NextToken = aws.String(strconv.Itoa(i))
			break
		}
	}
	return out, nil
}

func (f *fakeDescribe) match(n fakeNode, filters []types.InstanceInformationStringFilter) bool {
	for _, flt := range filters {
		key := aws.ToString(flt.Key)
		var v string
		switch {
		case key == FilterKeyInstanceIDs:
			v = aws.ToString(n.info.InstanceId)
		case key == FilterKeyPlatform:
			v = string(n.info.PlatformType)
		case strings.HasPrefix(key, "tag:"):
			v = n.tags[strings.TrimPrefix(key, "tag:")]
		}
		if !slices.Contains(flt.Values, v) {
			return false
		}
	}
	return true
}

func (f *fakeDescribe) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}
