package fleet

import (
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Limits of DescribeInstanceInformation that shape the queries.
const (
	// PageSize is the largest page DescribeInstanceInformation returns.
	PageSize = 50
	// IDsPerQuery is how many IDs one InstanceIds filter carries. The filter
	// accepts 100 values, but a page holds at most 50 nodes, so 50 IDs are
	// answered by one call and 100 by two: the same cost, and 50 keeps the
	// project's rule of at most 50 IDs per call.
	IDsPerQuery = 50
	// maxFilterValues is the API's limit on values per filter.
	maxFilterValues = 100
)

// Filter keys. FilterKeyPlatform follows the API reference and the project's
// reference notes ("PlatformType"); the newer SDK model text says
// "PlatformTypes". Discover therefore treats the server-side platform filter
// as an optimisation only: it always re-checks the platform client-side, and
// drops the server-side filter if the service rejects the key.
const (
	FilterKeyInstanceIDs = "InstanceIds"
	FilterKeyPlatform    = "PlatformType"
	filterKeyTagPrefix   = "tag:"
)

// query is one paginated listing: the filters sent to the service.
type query struct {
	filters []types.InstanceInformationStringFilter
}

// queries returns the listings Discover makes for a normalised selection.
//
// SSM does not accept tag filters together with other filter keys in one
// call. So when tags are given they are the only server-side filter, and
// instance IDs and platform are applied client-side (by matcher). Without
// tags, instance IDs go server-side in chunks of IDsPerQuery, each chunk its
// own paginated listing, with the platform filter beside them.
func queries(sel Selection, serverPlatform bool) ([]query, error) {
	if len(sel.Tags) > 0 {
		f, err := tagFilters(sel.Tags)
		if err != nil {
			return nil, err
		}
		return []query{{filters: f}}, nil
	}
	var platform []types.InstanceInformationStringFilter
	if sel.Platform != "" && serverPlatform {
		platform = []types.InstanceInformationStringFilter{{Key: aws.String(FilterKeyPlatform), Values: []string{sel.Platform}}}
	}
	if len(sel.InstanceIDs) == 0 {
		return []query{{filters: platform}}, nil
	}
	var qs []query
	for chunk := range slices.Chunk(sel.InstanceIDs, IDsPerQuery) {
		f := append([]types.InstanceInformationStringFilter{{
			Key: aws.String(FilterKeyInstanceIDs), Values: slices.Clone(chunk),
		}}, platform...)
		qs = append(qs, query{filters: f})
	}
	return qs, nil
}

// tagFilters builds one tag:KEY filter per key. Several values of one key
// are alternatives (SSM ORs the values of a filter); different keys must all
// match (SSM ANDs filters).
func tagFilters(tags []Tag) ([]types.InstanceInformationStringFilter, error) {
	var keys []string
	values := map[string][]string{}
	for _, t := range tags {
		if _, ok := values[t.Key]; !ok {
			keys = append(keys, t.Key)
		}
		if !slices.Contains(values[t.Key], t.Value) {
			values[t.Key] = append(values[t.Key], t.Value)
		}
	}
	f := make([]types.InstanceInformationStringFilter, 0, len(keys))
	for _, k := range keys {
		if len(values[k]) > maxFilterValues {
			return nil, fmt.Errorf("tag %s: %d values, SSM accepts at most %d", k, len(values[k]), maxFilterValues)
		}
		f = append(f, types.InstanceInformationStringFilter{Key: aws.String(filterKeyTagPrefix + k), Values: values[k]})
	}
	return f, nil
}

// matcher returns the client-side filter for a normalised selection: the
// parts SSM could not apply (IDs and platform beside tags), re-checked
// always because it costs nothing, and the exclusions, which SSM has no
// filter for.
func matcher(sel Selection) func(Node) bool {
	var ids map[string]bool
	if len(sel.InstanceIDs) > 0 {
		ids = make(map[string]bool, len(sel.InstanceIDs))
		for _, id := range sel.InstanceIDs {
			ids[id] = true
		}
	}
	excluded := make(map[string]bool, len(sel.ExcludeInstanceIDs))
	for _, id := range sel.ExcludeInstanceIDs {
		excluded[id] = true
	}
	return func(n Node) bool {
		if ids != nil && !ids[n.InstanceID] {
			return false
		}
		if sel.Platform != "" && n.PlatformType != sel.Platform {
			return false
		}
		return !excluded[n.InstanceID]
	}
}
