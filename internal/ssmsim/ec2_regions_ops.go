package ssmsim

import (
	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() { registerOp("ec2", "DescribeRegions", describeRegions) }

type regionInfoOut struct {
	RegionName     string `xml:"regionName"`
	RegionEndpoint string `xml:"regionEndpoint"`
	OptInStatus    string `xml:"optInStatus"`
}

type describeRegionsOut struct {
	wire.EC2Meta
	Regions []regionInfoOut `xml:"regionInfo>item"`
}

// describeRegions lists the partition's regions as the caller's account
// sees them: with AllRegions false (the default) the regions it may use,
// with AllRegions true every region, an opt-in one it has not enabled
// marked not-opted-in.
func describeRegions(c *call) (any, *wire.Error) {
	f := c.form
	all, ok := f.Bool("AllRegions")
	if !ok {
		return nil, wire.Errorf("InvalidParameterValue", "Value (%s) for parameter allRegions is invalid.", wire.Clip(f.Get("AllRegions")))
	}
	names := f.List("RegionName")
	filters := f.Filters()
	for _, fl := range filters {
		switch fl.Name {
		case "endpoint", "region-name", "opt-in-status":
		default:
			return nil, wire.Errorf("InvalidParameterValue", "The filter '%s' is invalid", wire.Clip(fl.Name))
		}
	}
	known := map[string]bool{}
	for _, r := range c.s.regionSpecs {
		known[r.Name] = true
	}
	for _, n := range names {
		if !known[n] {
			return nil, wire.Errorf("InvalidParameterValue", "Invalid region: %s", wire.Clip(n))
		}
	}
	out := &describeRegionsOut{Regions: []regionInfoOut{}}
	for _, spec := range c.s.regionSpecs {
		status := "opt-in-not-required"
		if spec.OptIn {
			status = "not-opted-in"
			if c.acct.optedIn[spec.Name] {
				status = "opted-in"
			}
		}
		if !all && status == "not-opted-in" {
			continue
		}
		info := regionInfoOut{RegionName: spec.Name, RegionEndpoint: "ec2." + spec.Name + ".amazonaws.com", OptInStatus: status}
		if len(names) > 0 && !contains(names, spec.Name) {
			continue
		}
		if !ec2FiltersMatch(filters, func(name string) []string {
			switch name {
			case "endpoint":
				return []string{info.RegionEndpoint}
			case "region-name":
				return []string{info.RegionName}
			}
			return []string{info.OptInStatus}
		}) {
			continue
		}
		out.Regions = append(out.Regions, info)
	}
	return out, nil
}

// ec2FiltersMatch applies EC2 filters: every filter must match, and a
// filter matches when one of the item's values for its name equals one of
// the filter's values (EC2's * and ? wildcards are honoured).
func ec2FiltersMatch(filters []wire.Filter, values func(name string) []string) bool {
	for _, f := range filters {
		ok := false
		for _, have := range values(f.Name) {
			for _, want := range f.Values {
				if wildcardMatch(want, have) {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// wildcardMatch matches s against an EC2 filter value, where * matches any
// run of characters and ? any one.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
