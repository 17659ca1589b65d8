package unmanaged

import (
	"slices"
	"strings"
	"testing"

	"github.com/patchready/patchready/internal/fleet"
)

func inst(mod func(*fleet.EC2Facts)) fleet.Node {
	f := &fleet.EC2Facts{State: fleet.EC2Running, MetadataEndpoint: "enabled", HostManagement: fleet.HostManagementOff}
	if mod != nil {
		mod(f)
	}
	return fleet.Node{InstanceID: "i-0c0ffee000000a001", ResourceType: "EC2Instance", PlatformType: fleet.PlatformLinux, EC2: f}
}

// Every case the issue lists gets its reason in words, and exactly the
// fixes that could remove it.
func TestDecide(t *testing.T) {
	all := Options{EnableDHMC: true, AttachProfile: "ssm-profile", FixRole: true}
	tests := []struct {
		name   string
		mod    func(*fleet.EC2Facts)
		causes []CauseID
		reason []string // fragments of the reasons, in order
		could  []FixKind
	}{
		{"no profile, DHMC off", nil, []CauseID{"no-credentials"},
			[]string{"no instance profile attached, and Default Host Management Configuration is off in us-east-1"},
			[]FixKind{AttachProfile, EnableDHMC}},
		{"profile whose role lacks the SSM policy", func(f *fleet.EC2Facts) {
			f.Profile, f.Role, f.RoleProblem = "app-server-role", "app-server-role", fleet.RoleNoSSMPolicy
		}, []CauseID{"role-without-ssm"},
			[]string{"instance profile app-server-role: its role app-server-role has none of the AWS managed policies that let the agent register (AmazonSSMManagedInstanceCore)"},
			[]FixKind{FixRole, EnableDHMC}},
		{"profile whose role trusts no EC2", func(f *fleet.EC2Facts) {
			f.Profile, f.Role, f.RoleProblem = "p", "r", fleet.RoleNotTrusted
		}, []CauseID{"role-without-ssm"}, []string{"its role r does not trust ec2.amazonaws.com"}, []FixKind{EnableDHMC}},
		{"DHMC on, metadata service off", func(f *fleet.EC2Facts) {
			f.HostManagement, f.MetadataEndpoint = fleet.HostManagementOn, "disabled"
		}, []CauseID{"metadata-disabled"},
			[]string{"Default Host Management Configuration is on in us-east-1, but the instance disables its metadata service, and DHMC needs IMDSv2"}, nil},
		{"DHMC on, its role missing", func(f *fleet.EC2Facts) {
			f.HostManagement, f.HostManagementRole, f.HostManagementProblem = fleet.HostManagementBroken, "Gone", fleet.RoleMissing
		}, []CauseID{"host-management-broken"},
			[]string{"no instance profile attached, and Default Host Management Configuration is on in us-east-1, but its role Gone does not exist"},
			[]FixKind{AttachProfile, EnableDHMC}},
		{"DHMC on, nothing visible wrong", func(f *fleet.EC2Facts) { f.HostManagement = fleet.HostManagementOn }, []CauseID{"not-registering"},
			[]string{"credentials reach it through Default Host Management Configuration (on in us-east-1), yet it is not registered: likely SSM Agent not installed or not running (or older than 3.2.582.0"},
			nil},
		{"working profile, no network", func(f *fleet.EC2Facts) { f.Profile, f.Role = "patchready-ssm-instance", "patchready-ssm-instance" },
			[]CauseID{"not-registering"},
			[]string{"credentials reach it through instance profile patchready-ssm-instance, yet it is not registered: likely SSM Agent not installed or not running; no route to the ssm, ssmmessages and ec2messages endpoints (VPC endpoints or NAT); or a proxy in the way"},
			nil},
		{"stopped", func(f *fleet.EC2Facts) { f.State = fleet.EC2Stopped }, []CauseID{"not-running"},
			[]string{"stopped: nothing can register it with SSM until it runs"}, nil},
		{"weak role and DHMC broken", func(f *fleet.EC2Facts) {
			f.Profile, f.Role, f.RoleProblem = "p", "r", fleet.RoleNoSSMPolicy
			f.HostManagement, f.HostManagementRole, f.HostManagementProblem = fleet.HostManagementBroken, "Mine", fleet.RoleNoSSMPolicy
		}, []CauseID{"role-without-ssm", "host-management-broken"},
			[]string{"instance profile p: its role r has none", "Default Host Management Configuration is on in us-east-1, but its role Mine has none of the AWS managed policies that let the agent register (AmazonSSMManagedEC2InstanceDefaultPolicy)"},
			[]FixKind{FixRole, EnableDHMC}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(inst(tt.mod), "us-east-1", all)
			if !slices.Equal(d.Causes, tt.causes) {
				t.Errorf("causes = %v, want %v", d.Causes, tt.causes)
			}
			if len(d.Reasons) != len(tt.reason) {
				t.Fatalf("reasons = %q, want %d", d.Reasons, len(tt.reason))
			}
			for i, r := range tt.reason {
				if !strings.Contains(d.Reasons[i], r) {
					t.Errorf("reason %d = %q, want %q in it", i, d.Reasons[i], r)
				}
			}
			if !slices.Equal(d.Could, tt.could) || !slices.Equal(d.Fixes, tt.could) {
				t.Errorf("could %v fixes %v, want both %v (every fix asked for)", d.Could, d.Fixes, tt.could)
			}
			none := Decide(inst(tt.mod), "us-east-1", Options{})
			if len(none.Fixes) != 0 || !slices.Equal(none.Could, tt.could) {
				t.Errorf("without flags: fixes %v could %v, want none and %v", none.Fixes, none.Could, tt.could)
			}
		})
	}
}

// A fix not asked for never acts; one asked for acts only where it could.
func TestDecideOnlyWhatWasAskedFor(t *testing.T) {
	n := inst(nil)
	d := Decide(n, "eu-west-1", Options{FixRole: true})
	if len(d.Fixes) != 0 {
		t.Errorf("--fix-instance-role acts on an instance with no profile: %v", d.Fixes)
	}
	d = Decide(n, "eu-west-1", Options{EnableDHMC: true})
	if !slices.Equal(d.Fixes, []FixKind{EnableDHMC}) {
		t.Errorf("fixes = %v, want enable-dhmc", d.Fixes)
	}
}

func TestPlanFixesSaysWhatEachWouldDo(t *testing.T) {
	noProfile := inst(nil)
	weak := inst(func(f *fleet.EC2Facts) { f.Profile, f.Role, f.RoleProblem = "app", "app-role", fleet.RoleNoSSMPolicy })
	weak.InstanceID = "i-0c0ffee000000a002"
	units := []Unit{{noProfile, Decide(noProfile, "us-east-1", Options{})}, {weak, Decide(weak, "us-east-1", Options{})}}
	r := Region{Searched: true, HostManagement: HostManagement{State: fleet.HostManagementOff, Setting: HostManagementOffValue}}
	got := PlanFixes(units, r, "us-east-1", Options{})
	want := map[FixKind]string{
		AttachProfile: "would associate an instance profile you name, whose role has AmazonSSMManagedInstanceCore, with 1 instance that has none",
		FixRole:       "would attach AmazonSSMManagedInstanceCore to 1 role app-role, the role of 1 instance",
		EnableDHMC: "would set /ssm/managed-instance/default-ec2-instance-management-role to service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole in us-east-1, " +
			"creating role /service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole (trusts ssm.amazonaws.com; policy AmazonSSMManagedEC2InstanceDefaultPolicy); 2 instances",
	}
	if len(got) != len(want) {
		t.Fatalf("%d fix plans, want %d: %+v", len(got), len(want), got)
	}
	for _, fp := range got {
		if fp.Requested || !strings.HasPrefix(fp.Does, want[fp.Kind]) {
			t.Errorf("%s: requested %v, does %q; want not requested and %q", fp.Kind, fp.Requested, fp.Does, want[fp.Kind])
		}
	}
	if got[2].Kind != EnableDHMC || !got[2].CreateRole || !got[2].AttachPolicy || got[2].Role != "/service-role/"+HostManagementRoleName ||
		got[2].Policy != HostManagementPolicyARN || got[2].Wait != "35m0s" {
		t.Errorf("enable-dhmc plan = %+v", got[2])
	}
	if !strings.Contains(got[1].Caution, "may be shared") {
		t.Errorf("fix-instance-role caution = %q", got[1].Caution)
	}
}

func TestPlanFixesRefusesWhatCannotWork(t *testing.T) {
	n := inst(nil)
	units := []Unit{{n, Decide(n, "us-east-1", Options{AttachProfile: "weak", EnableDHMC: true})}}
	r := Region{Profile: &Profile{Name: "weak", Role: "weak", Problem: fleet.RoleNoSSMPolicy},
		HostManagement: HostManagement{State: fleet.HostManagementOff, Documented: RoleState{Name: HostManagementRoleName, Exists: true}}}
	got := PlanFixes(units, r, "us-east-1", Options{AttachProfile: "weak", EnableDHMC: true})
	if len(got) != 2 || !strings.Contains(got[0].Cannot, "attaching it would not let the agent register") ||
		!strings.Contains(got[1].Cannot, "does not trust ssm.amazonaws.com") {
		t.Errorf("fix plans = %+v", got)
	}
}

func TestTrustedServices(t *testing.T) {
	doc := "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%5B%22ec2.amazonaws.com%22%2C%22ssm.amazonaws.com%22%5D%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
	if got := trustedServices(doc); !slices.Equal(got, []string{"ec2.amazonaws.com", "ssm.amazonaws.com"}) {
		t.Errorf("trusted = %v", got)
	}
	deny := `{"Statement":{"Effect":"Deny","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`
	if got := trustedServices(deny); len(got) != 0 {
		t.Errorf("a Deny trusts %v", got)
	}
}
