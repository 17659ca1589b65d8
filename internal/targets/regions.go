package targets

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// regionsAPI is the part of EC2 that finding an account's regions uses.
type regionsAPI interface {
	DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

var _ regionsAPI = (*ec2.Client)(nil)

// Region opt-in statuses, as DescribeRegions reports them.
const optInNotOptedIn = "not-opted-in"

// regionsOf returns every region of the partition as the account sees it,
// by name, with whether the account may use it: opt-in regions differ
// between accounts, so this is asked in each account.
func regionsOf(ctx context.Context, api regionsAPI) (map[string]bool, []string, error) {
	out, err := api.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil {
		return nil, nil, fmt.Errorf("describe regions: %w", err)
	}
	enabled := map[string]bool{}
	var order []string
	for _, r := range out.Regions {
		name := aws.ToString(r.RegionName)
		enabled[name] = aws.ToString(r.OptInStatus) != optInNotOptedIn
		order = append(order, name)
	}
	return enabled, order, nil
}
