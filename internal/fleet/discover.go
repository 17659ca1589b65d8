package fleet

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
)

// DiscoverAPI is the part of SSM that discovery uses.
type DiscoverAPI interface {
	ssm.DescribeInstanceInformationAPIClient
}

var _ DiscoverAPI = (*ssm.Client)(nil)

// maxStalledPages bounds how many pages in a row may bring no progress (no
// nodes, or the same NextToken again) before a listing gives up. SSM does
// return empty pages that carry a NextToken, so a few are normal; hundreds
// in a row mean a loop that would otherwise never end.
const maxStalledPages = 100

// Discover lists the managed nodes that sel selects, sorted by instance ID,
// each once. Stopped and terminated nodes are not managed nodes and are not
// returned (SSM does not list them).
//
// The number of DescribeInstanceInformation calls is one per 50 nodes
// listed (plus any empty pages the service inserts); see queries for how a
// selection becomes filters.
func Discover(ctx context.Context, api DiscoverAPI, sel Selection, log *zap.Logger) ([]Node, error) {
	if log == nil {
		log = zap.NewNop()
	}
	sel, err := sel.Normalize()
	if err != nil {
		return nil, err
	}
	match := matcher(sel)
	var nodes []Node
	keep := func(n Node) {
		if match(n) {
			nodes = append(nodes, n)
		}
	}
	calls, err := listSelection(ctx, api, sel, keep, log)
	if err != nil {
		return nil, err
	}
	nodes = sortUnique(nodes)
	log.Info("discovered nodes", zap.Int("nodes", len(nodes)), zap.Int("calls", calls),
		zap.Int("selected_ids", len(sel.InstanceIDs)), zap.Int("tags", len(sel.Tags)),
		zap.String("platform", sel.Platform), zap.Int("excluded_ids", len(sel.ExcludeInstanceIDs)))
	return nodes, nil
}

// listSelection runs the listings for sel, passing every node returned to
// visit (a node may be visited twice), and returns the number of calls
// made. It degrades, never fails, on
// two service answers that only concern the server-side filters:
//   - the platform filter key rejected: list without it (visit's matcher
//     still filters by platform);
//   - an InstanceIds chunk rejected for an unknown ID (a node terminated
//     since the IDs were chosen): list the fleet once instead.
func listSelection(ctx context.Context, api DiscoverAPI, sel Selection, visit func(Node), log *zap.Logger) (int, error) {
	total := 0
	serverPlatform := true
	for {
		qs, err := queries(sel, serverPlatform)
		if err != nil {
			return total, err
		}
		// A redone listing visits some nodes twice; callers deduplicate.
		calls, err := runQueries(ctx, api, qs, visit)
		total += calls
		switch {
		case err == nil:
			return total, nil
		case serverPlatform && sel.Platform != "" && awsclient.Code(err) == "InvalidFilterKey":
			log.Warn("platform filter refused by the service; filtering locally", zap.Error(err))
			serverPlatform = false
		case len(sel.InstanceIDs) > 0 && awsclient.Code(err) == "InvalidInstanceId":
			// The caller's matcher still holds the ID list.
			log.Info("instance id filter refused; listing the whole fleet", zap.Error(err))
			sel.InstanceIDs = nil
		default:
			return total, err
		}
	}
}

func runQueries(ctx context.Context, api DiscoverAPI, qs []query, visit func(Node)) (int, error) {
	calls := 0
	for _, q := range qs {
		n, err := listAll(ctx, api, q.filters, visit)
		calls += n
		if err != nil {
			return calls, err
		}
	}
	return calls, nil
}

// listAll pages one listing to exhaustion with the SDK paginator, 50 nodes
// a page, converting each page to Nodes at once so that no SDK page outlives
// its loop iteration (a 100,000-node fleet keeps only its Nodes in memory).
//
// The paginator already continues across empty pages (it stops only when
// NextToken is absent). What it cannot do is notice a service that keeps
// answering without progress; the stall counter bounds that.
func listAll(ctx context.Context, api DiscoverAPI, filters []types.InstanceInformationStringFilter, visit func(Node)) (int, error) {
	in := &ssm.DescribeInstanceInformationInput{Filters: filters, MaxResults: aws.Int32(PageSize)}
	p := ssm.NewDescribeInstanceInformationPaginator(api, in)
	calls, stalled := 0, 0
	var prev string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		calls++
		if err != nil {
			return calls, fmt.Errorf("describe instances: %w", err)
		}
		token := aws.ToString(out.NextToken)
		if len(out.InstanceInformationList) == 0 || (token != "" && token == prev) {
			stalled++
			if stalled > maxStalledPages {
				return calls, fmt.Errorf("describe instances: %d pages in a row without progress; giving up", stalled)
			}
		} else {
			stalled = 0
		}
		prev = token
		for i := range out.InstanceInformationList {
			visit(nodeFrom(&out.InstanceInformationList[i]))
		}
	}
	return calls, nil
}

// nodeFrom copies what patchready uses out of the SDK's shape.
func nodeFrom(ii *types.InstanceInformation) Node {
	return Node{
		InstanceID:      aws.ToString(ii.InstanceId),
		ComputerName:    aws.ToString(ii.ComputerName),
		ResourceType:    string(ii.ResourceType),
		PingStatus:      string(ii.PingStatus),
		LastPingAt:      aws.ToTime(ii.LastPingDateTime),
		AgentVersion:    aws.ToString(ii.AgentVersion),
		IsLatestVersion: aws.ToBool(ii.IsLatestVersion),
		PlatformType:    string(ii.PlatformType),
		PlatformName:    aws.ToString(ii.PlatformName),
		PlatformVersion: aws.ToString(ii.PlatformVersion),
	}
}

// sortUnique sorts nodes by ID and keeps the first of any duplicates (a node
// can appear twice when a listing is paged while the fleet changes).
func sortUnique(nodes []Node) []Node {
	slices.SortStableFunc(nodes, func(a, b Node) int { return cmp.Compare(a.InstanceID, b.InstanceID) })
	return slices.CompactFunc(nodes, func(a, b Node) bool { return a.InstanceID == b.InstanceID })
}
