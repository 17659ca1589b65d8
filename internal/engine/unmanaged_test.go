package engine

import (
	"context"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
	"github.com/patchready/patchready/internal/unmanaged"
)

// The unmanaged EC2 instances of the tests below, one of each case.
const (
	uOldAgent = "i-0c0ffee00000000a1" // no profile, DHMC off, agent too old for DHMC
	uDHMC     = "i-0c0ffee00000000a2" // no profile, DHMC off, agent new enough for DHMC
	uWeakRole = "i-0c0ffee00000000a3" // a profile whose role lacks SSM's policy; proxied, old requests
	uNoAgent  = "i-0c0ffee00000000a4" // no profile, DHMC off, no agent installed
	uStopped  = "i-0c0ffee00000000a5"
	uIsolated = "i-0c0ffee00000000a6" // a working profile, but no route to SSM
	uIMDSOff  = "i-0c0ffee00000000a7" // metadata service disabled

	mCompliant = "i-0a000000000000001"
	mOld       = "i-0a000000000000002"

	ssmProfile  = "patchready-ssm-instance"
	appProfile  = "app-server-role"
	testAccount = "123456789012"
	// raisedFloor makes an agent new enough for DHMC still need an update,
	// so that every fix ends with the agent update.
	raisedFloor = "3.3.0.0"
)

func unmanagedInstances() []ssmsim.Instance {
	al2 := func(id, agent string) ssmsim.Instance {
		return ssmsim.Instance{ID: id, PlatformType: "Linux", PlatformName: "Amazon Linux", PlatformVersion: "2", AgentVersion: agent,
			Python: "/usr/bin/python3", Pip: "/usr/bin/pip3", Requests: "2.25.1"}
	}
	weak := ssmsim.Instance{ID: uWeakRole, PlatformType: "Linux", PlatformName: "Amazon Linux AMI", PlatformVersion: "2018.03", AgentVersion: "2.0.790.0",
		Profile: appProfile, Python: "/usr/bin/python", Pip: "/usr/bin/pip", Requests: "2.6.0",
		Proxy: ssmsim.Proxy{URL: "http://proxy.corp.example:3128", Source: "upstart-override", NoProxy: "169.254.169.254"}}
	stopped := al2(uStopped, "3.3.1142.0")
	stopped.State = "stopped"
	isolated := al2(uIsolated, "3.3.1142.0")
	isolated.Profile, isolated.NoSSMPath = ssmProfile, true
	imds := al2(uIMDSOff, "3.3.1142.0")
	imds.HTTPEndpoint = "disabled"
	return []ssmsim.Instance{al2(uOldAgent, "2.0.790.0"), al2(uDHMC, "3.2.600.0"), weak, al2(uNoAgent, ""), stopped, isolated, imds}
}

// unmanagedOrg is one account: a small fleet, the instances above, and
// the IAM they meet (a profile that works, one whose role lacks SSM's
// policy). Default Host Management is off.
func unmanagedOrg(o *ssmsim.Options) {
	o.Organization = &ssmsim.Organization{Accounts: []ssmsim.Account{{
		ID: testAccount, Name: "estate",
		Roles: []ssmsim.Role{
			{Name: ssmProfile, TrustPolicy: ssmsim.TrustService("ec2.amazonaws.com"), Policies: []string{ssmsim.PolicySSMManagedInstanceCore}},
			{Name: appProfile, TrustPolicy: ssmsim.TrustService("ec2.amazonaws.com"), Policies: []string{ssmsim.PolicyCloudWatchAgentServer}},
		},
		InstanceProfiles: []ssmsim.InstanceProfile{{Name: ssmProfile, Role: ssmProfile}, {Name: appProfile, Role: appProfile}},
		Estates:          map[string]ssmsim.Estate{"us-east-1": {Instances: unmanagedInstances()}},
	}}}
}

func unmanagedFleet() ssmsim.Fleet {
	return ssmsim.Fleet{Nodes: []ssmsim.Node{
		{ID: mCompliant, PlatformType: "Linux", PlatformName: "Ubuntu", PlatformVersion: "22.04", AgentVersion: "3.3.1142.0", Python: "/usr/bin/python3", Requests: "2.25.1"},
		{ID: mOld, PlatformType: "Linux", PlatformName: "Ubuntu", PlatformVersion: "22.04", AgentVersion: "2.0.790.0", Python: "/usr/bin/python3", Requests: "2.25.1"},
	}}
}

// estate returns EC2 and IAM clients for the simulator, as the CLI makes
// them.
func (e *env) estate() *Estate {
	e.t.Helper()
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	return &Estate{
		EC2: ec2.New(ec2.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: creds}),
		IAM: iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: creds}),
	}
}

func (e *env) unmanagedPlan(ctx context.Context, st plan.Strategy, fixes unmanaged.Options) plan.Plan {
	e.t.Helper()
	in := e.planInput(st)
	in.Rules.MinAgentVersion = raisedFloor
	in.Estate, in.Fixes = e.estate(), fixes
	p, err := MakePlan(ctx, e.api, in)
	if err != nil {
		e.t.Fatalf("MakePlan: %v", err)
	}
	return p
}

// writes counts the calls that changed IAM, EC2 or the DHMC setting.
func (e *env) writes() map[string]int {
	out := map[string]int{}
	for op, s := range e.sim.Stats().Snapshot() {
		// The simulator names other services' operations service:Op.
		_, name, _ := strings.Cut(op, ":")
		if name == "" {
			name = op
		}
		switch name {
		case "CreateRole", "AttachRolePolicy", "UpdateServiceSetting", "AssociateIamInstanceProfile":
			if s.Calls > 0 {
				out[name] += s.Calls
			}
		}
	}
	return out
}

// Plan finds every unmanaged instance, says why each is not managed, and
// without the fix flags changes nothing on them but says what each flag
// would do; apply of that plan then leaves them as they are.
func TestUnmanagedPlanAndApplyWithoutFixes(t *testing.T) {
	ctx := testCtx(t, 40*time.Second)
	e := newEnv(t, unmanagedFleet(), unmanagedOrg)
	p := e.unmanagedPlan(ctx, "association", unmanaged.Options{})

	reasons := map[string]string{}
	for _, np := range p.Nodes {
		if np.Verdict == plan.Unmanaged {
			reasons[np.Node.InstanceID] = strings.Join(np.Reasons, "; ")
		}
	}
	wantReason := map[string]string{
		uOldAgent: "no instance profile attached, and Default Host Management Configuration is off in us-east-1",
		uDHMC:     "no instance profile attached, and Default Host Management Configuration is off in us-east-1",
		uNoAgent:  "no instance profile attached, and Default Host Management Configuration is off in us-east-1",
		uWeakRole: "instance profile app-server-role: its role app-server-role has none of the AWS managed policies that let the agent register (AmazonSSMManagedInstanceCore)",
		uStopped:  "stopped: nothing can register it with SSM until it runs",
		uIsolated: "credentials reach it through instance profile patchready-ssm-instance, yet it is not registered: likely SSM Agent not installed or not running; no route to the ssm, ssmmessages and ec2messages endpoints (VPC endpoints or NAT); or a proxy in the way",
		uIMDSOff:  "the instance disables its metadata service: no credentials reach the agent",
	}
	for id, w := range wantReason {
		if !strings.HasPrefix(reasons[id], w) {
			t.Errorf("%s: reason %q, want %q", id, reasons[id], w)
		}
	}
	if len(reasons) != len(wantReason) || p.Summary.Unmanaged != len(wantReason) || p.Summary.Register != 0 {
		t.Errorf("unmanaged %v (summary %+v), want exactly %v", slices.Sorted(maps.Keys(reasons)), p.Summary, slices.Sorted(maps.Keys(wantReason)))
	}
	r := p.Registration
	if r == nil || !r.Searched || r.Instances != 9 || r.HostManagement.State != "off" {
		t.Fatalf("registration = %+v", r)
	}
	would := map[unmanaged.FixKind][]string{}
	for _, fp := range r.Fixes {
		if fp.Requested || !strings.HasPrefix(fp.Does, "would ") {
			t.Errorf("%s: requested %v, does %q", fp.Kind, fp.Requested, fp.Does)
		}
		would[fp.Kind] = fp.InstanceIDs
	}
	wantWould := map[unmanaged.FixKind][]string{
		unmanaged.AttachProfile: {uOldAgent, uDHMC, uNoAgent},
		unmanaged.FixRole:       {uWeakRole},
		unmanaged.EnableDHMC:    {uOldAgent, uDHMC, uWeakRole, uNoAgent},
	}
	for k, ids := range wantWould {
		if !slices.Equal(would[k], ids) {
			t.Errorf("%s would act on %v, want %v", k, would[k], ids)
		}
	}

	res, err := Apply(ctx, e.api, e.applyInput(p, "20260302T090000Z-0000u0", t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	checkOutcomes(t, res.Report, map[string]want{mOld: {"verified", "read back"}})
	if w := e.writes(); len(w) != 0 {
		t.Errorf("apply without fix flags changed the estate: %v", w)
	}
}

// Each fix brings the instances it can fix under management, and the same
// apply then checks them and updates their agent (and requests, where the
// late plan calls for it), so that they end verified; an instance that
// never registers ends failed with the suspects named. A second apply with
// the same flag changes nothing.
func TestUnmanagedFixes(t *testing.T) {
	tests := []struct {
		name     string
		strategy plan.Strategy
		fixes    unmanaged.Options
		want     map[string]want
		writes   map[string]int
	}{
		{"attach-instance-profile", "association", unmanaged.Options{AttachProfile: ssmProfile}, map[string]want{
			uOldAgent: {"verified", "agent " + latest + " read back"},
			uDHMC:     {"verified", "agent " + latest + " read back"},
			uNoAgent:  {"failed", "not registered with SSM within 15m0s after attach-instance-profile: likely SSM Agent not installed or not running; no route"},
		}, map[string]int{"AssociateIamInstanceProfile": 3}},
		{"attach-instance-profile, run-command", "run-command", unmanaged.Options{AttachProfile: ssmProfile}, map[string]want{
			uOldAgent: {"verified", "agent " + latest + " read back"},
			uDHMC:     {"verified", "agent " + latest + " read back"},
			uNoAgent:  {"failed", "not registered with SSM within 15m0s"},
		}, map[string]int{"AssociateIamInstanceProfile": 3}},
		{"attach-instance-profile, maintenance-window", "maintenance-window", unmanaged.Options{AttachProfile: ssmProfile}, map[string]want{
			uOldAgent: {"verified", "agent " + latest + " read back"},
			uDHMC:     {"verified", "agent " + latest + " read back"},
			uNoAgent:  {"failed", "not registered with SSM within 15m0s"},
		}, map[string]int{"AssociateIamInstanceProfile": 3}},
		{"fix-instance-role", "association", unmanaged.Options{FixRole: true}, map[string]want{
			uWeakRole: {"verified", "every patch-run check passes"},
		}, map[string]int{"AttachRolePolicy": 1}},
		{"enable-dhmc", "association", unmanaged.Options{EnableDHMC: true}, map[string]want{
			uDHMC:     {"verified", "agent " + latest + " read back"},
			uOldAgent: {"failed", "not registered with SSM within 35m0s after enable-dhmc: likely SSM Agent not installed or not running (or older than 3.2.582.0"},
			uWeakRole: {"failed", "not registered with SSM within 35m0s after enable-dhmc"},
			uNoAgent:  {"failed", "not registered with SSM within 35m0s after enable-dhmc"},
		}, map[string]int{"CreateRole": 1, "AttachRolePolicy": 1, "UpdateServiceSetting": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 60*time.Second)
			e := newEnv(t, unmanagedFleet(), unmanagedOrg)
			p := e.unmanagedPlan(ctx, tt.strategy, tt.fixes)
			if p.Summary.Register != len(tt.want) || p.Registration.Then == "" {
				t.Fatalf("plan registers %d, want %d (then %q)", p.Summary.Register, len(tt.want), p.Registration.Then)
			}
			// Through a saved file: the stale check reads the instances again.
			file, saved := savePlan(t, p)
			in := e.applyInput(saved, "20260302T090000Z-0000u1", t.TempDir())
			in.Estate, in.PlanFile = e.estate(), file
			// Each window opens two minutes after it is made (the default):
			// the plan's, and one for the nodes registered later.
			in.Window.Schedule = ""
			res, err := Apply(ctx, e.api, in)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			t.Logf("report:\n%s", formatReport(res.Report))
			wants := maps.Clone(tt.want)
			wants[mOld] = want{"verified", "read back"}
			checkOutcomes(t, res.Report, wants)
			if res.Targets != len(wants) {
				t.Errorf("targets = %d, want %d", res.Targets, len(wants))
			}
			if got := e.writes(); !maps.Equal(got, tt.writes) {
				t.Errorf("writes = %v, want %v", got, tt.writes)
			}
			for id, w := range tt.want {
				o := outcomes(res.Report)[id]
				if w.state == "verified" && (e.node(id).AgentVersion != latest || o.AgentAfter != latest) {
					t.Errorf("%s verified with agent %s (report %s → %s)", id, e.node(id).AgentVersion, o.AgentBefore, o.AgentAfter)
				}
			}
			// Its patch run's Python is 2.7, whose newest requests is 2.27.1.
			if tt.fixes.FixRole && e.node(uWeakRole).Requests != "2.27.1" {
				t.Errorf("requests on %s: %s, want the late plan's upgrade", uWeakRole, e.node(uWeakRole).Requests)
			}

			// The journal records each change, and the late plans.
			st, err := remedy.ReadJournal(res.JournalPath)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			for _, r := range st.Live {
				kinds[r.Type]++
			}
			wantKinds := map[string]int{}
			for op, n := range tt.writes {
				wantKinds[map[string]string{"CreateRole": remedy.ResourceRole, "AttachRolePolicy": remedy.ResourceRolePolicy,
					"UpdateServiceSetting": remedy.ResourceServiceSetting, "AssociateIamInstanceProfile": remedy.ResourceProfileAssociation}[op]] += n
			}
			for k, n := range wantKinds {
				if kinds[k] != n {
					t.Errorf("journal: %d live %s, want %d (live: %+v)", kinds[k], k, n, st.Live)
				}
			}
			if !journalHasLatePlans(t, res.JournalPath) {
				t.Error("journal records no late plan")
			}

			// Again, with the same flag, on a fresh plan: nothing changes.
			before := e.writes()
			again := e.unmanagedPlan(ctx, tt.strategy, tt.fixes)
			if again.Summary.Register != 0 {
				for _, np := range again.Nodes {
					if np.Registers() {
						t.Errorf("second plan still fixes %s: %v (%s)", np.Node.InstanceID, np.Unmanaged.Fixes, np.Reasons)
					}
				}
			}
			in2 := e.applyInput(again, "20260302T090000Z-0000u2", t.TempDir())
			in2.Estate = e.estate()
			if _, err := Apply(ctx, e.api, in2); err != nil {
				t.Fatal(err)
			}
			if got := e.writes(); !maps.Equal(got, before) {
				t.Errorf("the second apply changed the estate: %v, before %v", got, before)
			}
		})
	}
}

func journalHasLatePlans(t *testing.T, path string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(b), `"kind":"late-plan"`)
}

// The blast-radius cap counts the instances the fixes bring under
// management: they are touched, and then updated.
func TestUnmanagedCountTowardMaxTargets(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	e := newEnv(t, unmanagedFleet(), unmanagedOrg)
	p := e.unmanagedPlan(ctx, "association", unmanaged.Options{AttachProfile: ssmProfile})
	in := e.applyInput(p, "20260302T090000Z-0000u3", t.TempDir())
	in.Estate, in.MaxTargets = e.estate(), 3
	_, err := Apply(ctx, e.api, in)
	if !errors.Is(err, ErrTooManyTargets) || !strings.Contains(err.Error(), "4 nodes targeted") {
		t.Fatalf("err = %v, want the cap to count 1 node and 3 instances", err)
	}
	if w := e.writes(); len(w) != 0 {
		t.Errorf("a refused apply changed the estate: %v", w)
	}
}

// A saved plan whose unmanaged instance registered meanwhile is stale.
func TestUnmanagedStalePlan(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	e := newEnv(t, unmanagedFleet(), unmanagedOrg)
	p := e.unmanagedPlan(ctx, "association", unmanaged.Options{FixRole: true})
	// Someone fixes the role by hand, and the instance registers.
	if _, err := e.estate().IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(appProfile),
		PolicyArn: aws.String(ssmsim.PolicySSMManagedInstanceCore)}); err != nil {
		t.Fatal(err)
	}
	e.clk.Sleep(ctx, 4*time.Minute)
	in := e.applyInput(p, "20260302T090000Z-0000u4", t.TempDir())
	in.Estate = e.estate()
	_, err := Apply(ctx, e.api, in)
	var se *plan.StaleError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), uWeakRole+": managed no → ") {
		t.Fatalf("err = %v, want a stale plan naming %s", err, uWeakRole)
	}
}

// A plan asking for a fix that cannot work is refused when it is made.
func TestUnmanagedRefusesAFixThatCannotWork(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	e := newEnv(t, unmanagedFleet(), unmanagedOrg)
	for profile, msg := range map[string]string{
		"no-such-profile": "--attach-instance-profile: instance profile no-such-profile does not exist",
		appProfile:        "--attach-instance-profile: instance profile app-server-role: its role app-server-role has none",
	} {
		in := e.planInput("association")
		in.Estate, in.Fixes = e.estate(), unmanaged.Options{AttachProfile: profile}
		if _, err := MakePlan(ctx, e.api, in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: err = %v, want %q", profile, err, msg)
		}
	}
	in := e.planInput("association")
	in.Fixes = unmanaged.Options{EnableDHMC: true}
	if _, err := MakePlan(ctx, e.api, in); err == nil || !strings.Contains(err.Error(), "need EC2 and IAM clients") {
		t.Errorf("fixes without EC2: err = %v", err)
	}
}

// A run drained while instances register is resumable: resuming makes no
// fix twice (each reads first), waits for the instances, checks them and
// updates them.
func TestUnmanagedResumeAfterDrain(t *testing.T) {
	ctx := testCtx(t, 60*time.Second)
	e := newEnv(t, unmanagedFleet(), unmanagedOrg)
	p := e.unmanagedPlan(ctx, "association", unmanaged.Options{AttachProfile: ssmProfile, FixRole: true})
	file, _ := savePlan(t, p)
	const runID = "20260302T090000Z-0000u5"
	stateDir := t.TempDir()
	drain := make(chan struct{})
	in := e.applyInput(p, runID, stateDir)
	in.PlanFile, in.Estate, in.Drain = file, e.estate(), drain
	in.OnProgress = cancelAt(1, func() { close(drain) })
	res, err := Apply(ctx, e.api, in)
	if err != nil {
		t.Fatalf("drained Apply: %v", err)
	}
	for _, id := range []string{uOldAgent, uDHMC, uNoAgent, uWeakRole} {
		if o := outcomeOf(res.Report, id); o.State != "interrupted" || !strings.Contains(o.Reason, "register") {
			t.Errorf("%s after the drain: %s %q, want interrupted in its register stage", id, o.State, o.Reason)
		}
	}
	writes := e.writes()
	if writes["AssociateIamInstanceProfile"] != 3 || writes["AttachRolePolicy"] != 1 {
		t.Fatalf("the drained part made %v, want the fixes made once", writes)
	}

	in = e.applyInput(p, runID, stateDir)
	in.PlanFile, in.Estate, in.Resume, in.Fresh = file, e.estate(), true, true
	res, err = Apply(ctx, e.api, in)
	if err != nil {
		t.Fatalf("resumed Apply: %v", err)
	}
	checkOutcomes(t, res.Report, map[string]want{
		mOld:      {"verified", "read back"},
		uOldAgent: {"verified", "agent " + latest + " read back"},
		uDHMC:     {"verified", "agent " + latest + " read back"},
		uWeakRole: {"verified", "every patch-run check passes"},
		uNoAgent:  {"failed", "not registered with SSM"},
	})
	if got := e.writes(); !maps.Equal(got, writes) {
		t.Errorf("resuming made fixes again: %v, before %v", got, writes)
	}
	if j, _ := remedy.ReadJournal(res.JournalPath); !j.Finished {
		t.Error("the resumed run did not finish its journal")
	}
}

// With --no-wait the fixes are made and apply returns; the next plan
// finds the instances registered.
func TestUnmanagedNoWait(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	e := newEnv(t, unmanagedFleet(), unmanagedOrg)
	p := e.unmanagedPlan(ctx, "association", unmanaged.Options{AttachProfile: ssmProfile})
	in := e.applyInput(p, "20260302T090000Z-0000u6", t.TempDir())
	in.Estate, in.NoWait = e.estate(), true
	res, err := Apply(ctx, e.api, in)
	if err != nil || !res.NoWait {
		t.Fatalf("Apply --no-wait: %v (no-wait %v)", err, res.NoWait)
	}
	if w := e.writes(); w["AssociateIamInstanceProfile"] != 3 {
		t.Errorf("writes = %v, want the three associations", w)
	}
	e.clk.Sleep(ctx, 10*time.Minute)
	again := e.unmanagedPlan(ctx, "association", unmanaged.Options{})
	for _, np := range again.Nodes {
		if id := np.Node.InstanceID; (id == uOldAgent || id == uDHMC) && np.Verdict == plan.Unmanaged {
			t.Errorf("%s still unmanaged after its profile was attached: %v", id, np.Reasons)
		}
	}
}
