package fleet

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("i-%017x", i+1)
	}
	return out
}

// describeFilters renders filters as "Key=v1,v2" strings for comparison.
func describeFilters(fs []types.InstanceInformationStringFilter) []string {
	var out []string
	for _, f := range fs {
		vals := f.Values
		if len(vals) > 3 {
			vals = []string{fmt.Sprintf("%d values", len(vals))}
		}
		out = append(out, aws.ToString(f.Key)+"="+strings.Join(vals, ","))
	}
	return out
}

func TestQueries(t *testing.T) {
	tests := []struct {
		name string
		sel  Selection
		want [][]string // per query, its filters
	}{
		{"everything", Selection{}, [][]string{nil}},
		{"platform only", Selection{Platform: "Windows"}, [][]string{{"PlatformType=Windows"}}},
		{"few ids", Selection{InstanceIDs: ids(2)}, [][]string{{"InstanceIds=i-00000000000000001,i-00000000000000002"}}},
		{"120 ids in chunks of 50", Selection{InstanceIDs: ids(120)}, [][]string{
			{"InstanceIds=50 values"}, {"InstanceIds=50 values"}, {"InstanceIds=20 values"}}},
		{"ids and platform together", Selection{InstanceIDs: ids(60), Platform: "Linux"}, [][]string{
			{"InstanceIds=50 values", "PlatformType=Linux"}, {"InstanceIds=10 values", "PlatformType=Linux"}}},
		{"tags alone go server-side", Selection{Tags: []Tag{{"env", "prod"}, {"team", "a"}}}, [][]string{{"tag:env=prod", "tag:team=a"}}},
		{"tags push ids and platform client-side", Selection{Tags: []Tag{{"env", "prod"}}, InstanceIDs: ids(3), Platform: "Linux"},
			[][]string{{"tag:env=prod"}}},
		{"values of one key are alternatives", Selection{Tags: []Tag{{"env", "prod"}, {"env", "stage"}, {"env", "prod"}}},
			[][]string{{"tag:env=prod,stage"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := tt.sel.Normalize()
			if err != nil {
				t.Fatal(err)
			}
			qs, err := queries(sel, true)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, q := range qs {
				got = append(got, describeFilters(q.filters))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("queries = %q\nwant      %q", got, tt.want)
			}
		})
	}
}

func TestQueriesWithoutServerPlatform(t *testing.T) {
	qs, _ := queries(Selection{Platform: "Linux"}, false)
	if len(qs) != 1 || qs[0].filters != nil {
		t.Errorf("want one unfiltered listing, got %v", qs)
	}
}

func TestMatcher(t *testing.T) {
	sel := Selection{InstanceIDs: []string{"i-0000000a", "i-0000000b"}, Platform: "Linux", ExcludeInstanceIDs: []string{"i-0000000b"}}
	m := matcher(sel)
	tests := []struct {
		n    Node
		want bool
	}{
		{Node{InstanceID: "i-0000000a", PlatformType: "Linux"}, true},
		{Node{InstanceID: "i-0000000a", PlatformType: "Windows"}, false},
		{Node{InstanceID: "i-0000000b", PlatformType: "Linux"}, false}, // excluded
		{Node{InstanceID: "i-0000000c", PlatformType: "Linux"}, false}, // not selected
	}
	for _, tt := range tests {
		if got := m(tt.n); got != tt.want {
			t.Errorf("match(%s/%s) = %v, want %v", tt.n.InstanceID, tt.n.PlatformType, got, tt.want)
		}
	}
}
