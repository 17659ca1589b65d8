package unmanaged

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/fleet"
)

// PageSize is the largest page DescribeInstances returns: discovery costs
// ceil(N/1000) calls for N instances.
const PageSize = 1000

// maxFilterValues is how many values one EC2 filter takes.
const maxFilterValues = 200

// maxStalledPages bounds pages in a row that bring no instance and no new
// token, as fleet does for SSM.
const maxStalledPages = 100

// keptStates are the instance states discovery lists: the running ones,
// and those listed apart as not fixable now. Terminated instances are gone.
var keptStates = []string{fleet.EC2Pending, fleet.EC2Running, fleet.EC2Stopping, fleet.EC2Stopped}

// Input is what one discovery needs besides the clients.
type Input struct {
	// Selection is the plan's node selection, normalised; it selects EC2
	// instances as it selects managed nodes (IDs, tags, platform,
	// exclusions).
	Selection fleet.Selection
	// Managed holds the IDs of the managed nodes the same selection found.
	Managed map[string]bool
	// Confirm reads the given instances from SSM (DescribeInstanceInformation
	// by InstanceIds); those it returns are managed. It is called, when
	// the selection has tags or a platform, for the instances the
	// managed listing did not return, because SSM and EC2 do not read tags
	// and platforms alike. Nil skips that check.
	Confirm func(ctx context.Context, ids []string) (map[string]fleet.Node, error)
	// AttachProfile is --attach-instance-profile's profile, read so that
	// the plan can say whether it would work.
	AttachProfile string
	Logger        *zap.Logger
}

// Discover lists the EC2 instances in.Selection covers, keeps those SSM
// does not manage (running or not), and reads what decides whether each
// can register: its instance profile's role, its metadata options and the
// region's Default Host Management setting. Nodes come back sorted by ID,
// each with its EC2 facts. When EC2 refuses the listing (access denied),
// the region says so and no node is returned: a plan is still worth having.
func Discover(ctx context.Context, apis APIs, in Input) (Region, []fleet.Node, error) {
	log := in.Logger
	if log == nil {
		log = zap.NewNop()
	}
	reg := Region{Searched: true}
	cands, listed, calls, err := listInstances(ctx, apis.EC2, in.Selection, in.Managed)
	if awsclient.IsAccessDenied(err) {
		reg = Region{Note: "EC2 instances were not read (access denied to ec2:DescribeInstances): grant the policy from patchready iam-policy to find the ones SSM does not manage"}
		log.Warn("unmanaged instances not looked for", zap.Error(err))
		return reg, nil, nil
	}
	if err != nil {
		return reg, nil, err
	}
	reg.Instances = listed
	sel := in.Selection
	if len(cands) > 0 && in.Confirm != nil && (len(sel.Tags) > 0 || sel.Platform != "") {
		if cands, err = confirm(ctx, in.Confirm, cands); err != nil {
			return reg, nil, err
		}
	}
	reg.Unmanaged = len(cands)
	r := newIAMReader(apis.IAM)
	running := slices.ContainsFunc(cands, func(x types.Instance) bool { return stateOf(x) == fleet.EC2Running })
	if running {
		if reg.HostManagement, err = hostManagement(ctx, apis.SSM, r); err != nil {
			return reg, nil, err
		}
	}
	if in.AttachProfile != "" {
		p := &Profile{Name: in.AttachProfile}
		pf, err := r.profile(ctx, in.AttachProfile)
		if err != nil {
			return reg, nil, err
		}
		p.ARN = pf.arn
		if !pf.exists && !pf.unreadable {
			p.Problem = ProfileMissing
		} else if p.Role, p.Problem, err = r.profileRole(ctx, in.AttachProfile); err != nil {
			return reg, nil, err
		}
		reg.Profile = p
	}
	nodes := make([]fleet.Node, 0, len(cands))
	for _, x := range cands {
		n, err := nodeOf(ctx, x, reg.HostManagement, r)
		if err != nil {
			return reg, nil, err
		}
		nodes = append(nodes, n)
	}
	slices.SortFunc(nodes, func(a, b fleet.Node) int { return strings.Compare(a.InstanceID, b.InstanceID) })
	log.Info("discovered unmanaged instances", zap.Int("instances", reg.Instances), zap.Int("unmanaged", len(nodes)),
		zap.Int("describe_instances_calls", calls), zap.String("host_management", reg.HostManagement.State))
	return reg, nodes, nil
}

// listInstances pages DescribeInstances to the end, PageSize a page, with
// the selection's tags and IDs as server-side filters and the rest
// checked here. It returns the instances the selection covers that are
// not in managed, how many it covers in all, and the calls it made. Only
// those kept are held: a managed instance's record is dropped with its
// page, so listing 100,000 instances holds a page, not the fleet.
func listInstances(ctx context.Context, api EC2API, sel fleet.Selection, managed map[string]bool) ([]types.Instance, int, int, error) {
	base := []types.Filter{{Name: aws.String("instance-state-name"), Values: keptStates}}
	for _, t := range groupTags(sel.Tags) {
		base = append(base, t)
	}
	queries := [][]types.Filter{base}
	if len(sel.InstanceIDs) > 0 {
		var ids []string
		for _, id := range sel.InstanceIDs {
			// mi- nodes are not EC2 instances, and EC2 refuses their IDs.
			if strings.HasPrefix(id, "i-") {
				ids = append(ids, id)
			}
		}
		queries = nil
		for chunk := range slices.Chunk(ids, maxFilterValues) {
			queries = append(queries, append(slices.Clone(base), types.Filter{Name: aws.String("instance-id"), Values: chunk}))
		}
	}
	excluded := map[string]bool{}
	for _, id := range sel.ExcludeInstanceIDs {
		excluded[id] = true
	}
	var out []types.Instance
	calls, listed := 0, 0
	for _, filters := range queries {
		p := ec2.NewDescribeInstancesPaginator(api, &ec2.DescribeInstancesInput{Filters: filters, MaxResults: aws.Int32(PageSize)},
			func(o *ec2.DescribeInstancesPaginatorOptions) { o.StopOnDuplicateToken = true })
		stalled := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			calls++
			if err != nil {
				return nil, 0, calls, fmt.Errorf("describe EC2 instances: %w", err)
			}
			got := 0
			for _, res := range page.Reservations {
				for _, x := range res.Instances {
					got++
					id := aws.ToString(x.InstanceId)
					if excluded[id] || (sel.Platform != "" && platformOf(x) != sel.Platform) {
						continue
					}
					listed++
					if !managed[id] {
						out = append(out, x)
					}
				}
			}
			if got == 0 {
				if stalled++; stalled > maxStalledPages {
					return nil, 0, calls, fmt.Errorf("describe EC2 instances: %d empty pages in a row; giving up", stalled)
				}
			} else {
				stalled = 0
			}
		}
	}
	slices.SortFunc(out, func(a, b types.Instance) int {
		return strings.Compare(aws.ToString(a.InstanceId), aws.ToString(b.InstanceId))
	})
	out = slices.CompactFunc(out, func(a, b types.Instance) bool { return aws.ToString(a.InstanceId) == aws.ToString(b.InstanceId) })
	return out, listed, calls, nil
}

// groupTags turns the selection's tags into EC2 filters, one per key:
// values of one key are alternatives, keys must all match, as in SSM.
func groupTags(tags []fleet.Tag) []types.Filter {
	var out []types.Filter
	idx := map[string]int{}
	for _, t := range tags {
		i, ok := idx[t.Key]
		if !ok {
			i = len(out)
			idx[t.Key] = i
			out = append(out, types.Filter{Name: aws.String("tag:" + t.Key)})
		}
		if !slices.Contains(out[i].Values, t.Value) {
			out[i].Values = append(out[i].Values, t.Value)
		}
	}
	return out
}

// confirm drops the candidates SSM does manage after all.
func confirm(ctx context.Context, read func(context.Context, []string) (map[string]fleet.Node, error), cands []types.Instance) ([]types.Instance, error) {
	ids := make([]string, len(cands))
	for i, x := range cands {
		ids[i] = aws.ToString(x.InstanceId)
	}
	managed, err := read(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("confirm unmanaged instances: %w", err)
	}
	return slices.DeleteFunc(cands, func(x types.Instance) bool {
		_, ok := managed[aws.ToString(x.InstanceId)]
		return ok
	}), nil
}

// hostManagement reads the region's Default Host Management setting, the
// role it names, and the documented role --enable-dhmc would use.
func hostManagement(ctx context.Context, api SettingsAPI, r *iamReader) (HostManagement, error) {
	out, err := api.GetServiceSetting(ctx, &ssm.GetServiceSettingInput{SettingId: aws.String(HostManagementSettingID)})
	if err != nil {
		return HostManagement{}, fmt.Errorf("read the Default Host Management setting: %w", err)
	}
	hm := HostManagement{Setting: HostManagementOffValue, State: fleet.HostManagementOff}
	if out.ServiceSetting != nil && aws.ToString(out.ServiceSetting.SettingValue) != "" {
		hm.Setting = aws.ToString(out.ServiceSetting.SettingValue)
	}
	if hm.Setting != HostManagementOffValue {
		hm.Role = roleNameOf(hm.Setting)
		rf, err := r.role(ctx, hm.Role)
		if err != nil {
			return hm, err
		}
		hm.State = fleet.HostManagementOn
		if hm.Problem = rf.problem(HostManagementService, hostManagementPolicies); hm.Problem != "" {
			hm.State = fleet.HostManagementBroken
		}
	}
	doc, err := r.role(ctx, HostManagementRoleName)
	if err != nil {
		return hm, err
	}
	hm.Documented = RoleState{Name: HostManagementRoleName, Exists: doc.exists, Unreadable: doc.unreadable,
		Trusted: slices.Contains(doc.trusts, HostManagementService), HasPolicy: slices.Contains(doc.policies, HostManagementPolicyARN)}
	return hm, nil
}

// nodeOf turns one instance into an unmanaged node with its facts.
func nodeOf(ctx context.Context, x types.Instance, hm HostManagement, r *iamReader) (fleet.Node, error) {
	f := &fleet.EC2Facts{
		State: stateOf(x), InstanceType: string(x.InstanceType), MetadataEndpoint: "enabled",
		HostManagement: hm.State, HostManagementRole: hm.Role, HostManagementProblem: hm.Problem,
	}
	for _, t := range x.Tags {
		if aws.ToString(t.Key) == "Name" {
			f.Name = aws.ToString(t.Value)
		}
	}
	if m := x.MetadataOptions; m != nil {
		if m.HttpEndpoint != "" {
			f.MetadataEndpoint = string(m.HttpEndpoint)
		}
		f.MetadataTokens = string(m.HttpTokens)
	}
	if p := x.IamInstanceProfile; p != nil && aws.ToString(p.Arn) != "" {
		f.Profile = roleNameOf(aws.ToString(p.Arn))
		if f.State == fleet.EC2Running {
			var err error
			if f.Role, f.RoleProblem, err = r.profileRole(ctx, f.Profile); err != nil {
				return fleet.Node{}, err
			}
		}
	}
	return fleet.Node{
		InstanceID:   aws.ToString(x.InstanceId),
		ComputerName: aws.ToString(x.PrivateDnsName),
		ResourceType: "EC2Instance",
		PlatformType: platformOf(x),
		PlatformName: aws.ToString(x.PlatformDetails),
		EC2:          f,
	}, nil
}

func stateOf(x types.Instance) string {
	if x.State == nil {
		return ""
	}
	return string(x.State.Name)
}

// platformOf is the platform type SSM would report: EC2 marks Windows,
// and Mac instances run on mac* instance types.
func platformOf(x types.Instance) string {
	switch {
	case x.Platform == types.PlatformValuesWindows:
		return fleet.PlatformWindows
	case strings.HasPrefix(string(x.InstanceType), "mac"):
		return fleet.PlatformMacOS
	}
	return fleet.PlatformLinux
}
