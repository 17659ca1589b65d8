package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/unmanaged"
)

func ec2(id, name string, mod func(*fleet.EC2Facts)) fleet.Node {
	f := &fleet.EC2Facts{State: fleet.EC2Running, Name: name, MetadataEndpoint: "enabled", HostManagement: fleet.HostManagementOff}
	if mod != nil {
		mod(f)
	}
	return fleet.Node{InstanceID: id, ResourceType: "EC2Instance", PlatformType: fleet.PlatformLinux, PlatformName: "Linux/UNIX", EC2: f}
}

// unmanagedPlan has a managed node to fix and an unmanaged instance of
// each cause; --attach-instance-profile is asked for, the other fixes are
// not.
func unmanagedPlan() plan.Plan {
	o := opts(true)
	o.Fixes = unmanaged.Options{AttachProfile: "ssm-core"}
	o.Unmanaged = &unmanaged.Region{Searched: true, Instances: 7, Unmanaged: 6,
		HostManagement: unmanaged.HostManagement{State: fleet.HostManagementOff, Setting: unmanaged.HostManagementOffValue,
			Documented: unmanaged.RoleState{Name: unmanaged.HostManagementRoleName}},
		Profile: &unmanaged.Profile{Name: "ssm-core", Role: "ssm-core"}}
	o.Selection = fleet.Selection{}
	nodes := []fleet.Node{
		probed(n("i-0000000000000000a", "2.0.700.0", "Ubuntu", "22.04")),
		ec2("i-0c0ffee000000a001", "no-profile", nil),
		ec2("i-0c0ffee000000a002", "profile-without-ssm", func(f *fleet.EC2Facts) {
			f.Profile, f.Role, f.RoleProblem = "app-server-role", "app-server-role", fleet.RoleNoSSMPolicy
		}),
		ec2("i-0c0ffee000000a003", "web|<b>", nil),
		ec2("i-0c0ffee000000a004", "stopped", func(f *fleet.EC2Facts) { f.State = fleet.EC2Stopped }),
		ec2("i-0c0ffee000000a005", "no-network-path", func(f *fleet.EC2Facts) { f.Profile, f.Role = "ssm-core", "ssm-core" }),
		ec2("i-0c0ffee000000b001", "imds-disabled", func(f *fleet.EC2Facts) { f.MetadataEndpoint = "disabled" }),
	}
	return plan.Build(nodes, nil, o)
}

func TestUnmanagedGolden(t *testing.T) {
	for _, tt := range []struct {
		golden string
		f      Format
	}{{"unmanaged.txt", Text}, {"unmanaged.md", Markdown}} {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Plan(&buf, unmanagedPlan(), tt.f, Options{}); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.golden, buf.String())
			out := buf.String()
			for _, w := range []string{
				"no instance profile attached, and Default Host Management Configuration is off in eu-west-1",
				"stopped: nothing can register it with SSM until it runs",
				"--fix-instance-role", "may be shared", "--enable-dhmc", "not asked for",
				"AWSSystemsManagerDefaultEC2InstanceManagementRole",
				"AmazonSSMManagedEC2InstanceDefaultPolicy",
				"6 unmanaged (2 to bring under management)",
			} {
				if !strings.Contains(strings.Join(strings.Fields(out), " "), w) {
					t.Errorf("%s lacks %q", tt.golden, w)
				}
			}
			if tt.f == Markdown && strings.Contains(out, "<b>") {
				t.Error("a Name tag's markup was printed as is")
			}
		})
	}
}

func TestUnmanagedNoneAndNotLooked(t *testing.T) {
	o := opts(true)
	o.Unmanaged = &unmanaged.Region{Searched: true, Instances: 2}
	var buf bytes.Buffer
	if err := Plan(&buf, plan.Build([]fleet.Node{probed(n("i-0000000000000000c", "3.3.1142.0", "Ubuntu", "22.04"))}, nil, o), Text, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "EC2 instances SSM does not manage: none (2 EC2 instances in the selection).") {
		t.Errorf("plan with none says:\n%s", buf.String())
	}
	o.Unmanaged = &unmanaged.Region{Note: "EC2 instances were not read (access denied to ec2:DescribeInstances)"}
	buf.Reset()
	if err := Plan(&buf, plan.Build(nil, nil, o), Markdown, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Unmanaged EC2 instances: EC2 instances were not read (access denied to ec2:DescribeInstances).") {
		t.Errorf("plan that did not look says:\n%s", buf.String())
	}
}
