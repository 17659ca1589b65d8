package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/middleware"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/engine"
	"github.com/patchready/patchready/internal/ssmsim"
	"github.com/patchready/patchready/internal/unmanaged"
)

// recorder keeps every call a client makes, with its input.
type recorder struct {
	mu    sync.Mutex
	calls []recorded
}

type recorded struct {
	service, op string
	in          any
}

func (r *recorder) install(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("patchreadyRecord", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		r.mu.Lock()
		r.calls = append(r.calls, recorded{service: strings.ToLower(awsmw.GetServiceID(ctx)), op: awsmw.GetOperationName(ctx), in: in.Parameters})
		r.mu.Unlock()
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

// authRequest is one authorization AWS makes for a call: an action on a
// resource, with the condition keys the call sets.
type authRequest struct {
	action, resource string
	keys             map[string]string
}

// The account and region of the calls, and the paths of the roles the run
// meets: what IAM puts in a role's ARN.
const (
	callAccount = ssmsim.SampleManagementAccount
	callRegion  = "us-east-1"
)

var rolePaths = map[string]string{unmanaged.HostManagementRoleName: unmanaged.HostManagementRolePath}

// profileRoles are the roles of the sample account's instance profiles.
var profileRoles = map[string]string{"patchready-ssm-instance": "patchready-ssm-instance", "app-server-role": "app-server-role"}

func roleARN(name string) string {
	path := rolePaths[name]
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + callAccount + ":role" + path + name
}

func documentARN(name string) string {
	if strings.HasPrefix(name, "AWS-") {
		return "arn:aws:ssm:" + callRegion + "::document/" + name
	}
	return "arn:aws:ssm:" + callRegion + ":" + callAccount + ":document/" + name
}

func instanceARN(id string) string {
	if strings.HasPrefix(id, "mi-") {
		return "arn:aws:ssm:" + callRegion + ":" + callAccount + ":managed-instance/" + id
	}
	return "arn:aws:ec2:" + callRegion + ":" + callAccount + ":instance/" + id
}

// authRequests models, for the operations whose resources the policy
// narrows, what the Service Authorization Reference says AWS checks; any
// other call is checked as on every resource ("*"), which only a
// statement granting "*" (or all of the service's ARNs) allows.
func authRequests(c recorded) []authRequest {
	action := c.service + ":" + c.op
	one := func(res string, keys map[string]string) []authRequest {
		return []authRequest{{action: action, resource: res, keys: keys}}
	}
	switch in := c.in.(type) {
	case *ssm.SendCommandInput:
		out := one(documentARN(*in.DocumentName), nil)
		for _, id := range in.InstanceIds {
			out = append(out, authRequest{action: action, resource: instanceARN(id)})
		}
		return out
	case *ssm.CreateDocumentInput:
		return one(documentARN(*in.Name), nil)
	case *ssm.UpdateDocumentInput:
		return one(documentARN(*in.Name), nil)
	case *ssm.UpdateDocumentDefaultVersionInput:
		return one(documentARN(*in.Name), nil)
	case *ssm.AddTagsToResourceInput:
		if in.ResourceType == ssmtypes.ResourceTypeForTaggingDocument {
			return one(documentARN(*in.ResourceId), nil)
		}
	case *ssm.GetServiceSettingInput:
		return one("arn:aws:ssm:"+callRegion+":"+callAccount+":servicesetting"+*in.SettingId, nil)
	case *ssm.UpdateServiceSettingInput:
		return append(one("arn:aws:ssm:"+callRegion+":"+callAccount+":servicesetting"+*in.SettingId, nil),
			authRequest{action: "iam:PassRole", resource: roleARN(roleNameOf(*in.SettingValue)), keys: map[string]string{"iam:PassedToService": "ssm.amazonaws.com"}})
	case *ec2.AssociateIamInstanceProfileInput:
		return append(one(instanceARN(*in.InstanceId), nil),
			authRequest{action: "iam:PassRole", resource: roleARN(profileRoles[*in.IamInstanceProfile.Name]), keys: map[string]string{"iam:PassedToService": "ec2.amazonaws.com"}})
	case *iam.GetInstanceProfileInput:
		return one("arn:aws:iam::"+callAccount+":instance-profile/"+*in.InstanceProfileName, nil)
	case *iam.GetRoleInput:
		return one(roleARN(*in.RoleName), nil)
	case *iam.ListAttachedRolePoliciesInput:
		return one(roleARN(*in.RoleName), nil)
	case *iam.CreateRoleInput:
		return one("arn:aws:iam::"+callAccount+":role"+*in.Path+*in.RoleName, nil)
	case *iam.AttachRolePolicyInput:
		return one(roleARN(*in.RoleName), map[string]string{"iam:PolicyARN": *in.PolicyArn})
	}
	return one("*", nil)
}

func roleNameOf(v string) string { return v[strings.LastIndexByte(v, '/')+1:] }

// allowedBy returns the statements that allow r.
func allowedBy(stmts []policyStatement, r authRequest) []string {
	var out []string
	for _, s := range stmts {
		if s.Effect != "Allow" || !slices.ContainsFunc(actions(s.Action), func(a string) bool { return wildcard(a, r.action) }) {
			continue
		}
		if !slices.ContainsFunc(actions(s.Resource), func(p string) bool { return p == "*" || (r.resource != "*" && wildcard(p, r.resource)) }) {
			continue
		}
		if conditionsHold(s.Condition, r.keys) {
			out = append(out, s.Sid)
		}
	}
	return out
}

// conditionsHold evaluates the operators the policy uses; a key the
// request does not set fails its condition, as IAM has it.
func conditionsHold(cond map[string]map[string]any, keys map[string]string) bool {
	for op, byKey := range cond {
		for key, want := range byKey {
			got, ok := keys[key]
			if !ok {
				return false
			}
			match := false
			for _, w := range actions(want) {
				switch op {
				case "StringEquals", "ArnEquals":
					match = match || got == w
				case "StringLike", "ArnLike":
					match = match || wildcard(w, got)
				default:
					return false
				}
			}
			if !match {
				return false
			}
		}
	}
	return true
}

// wildcard matches s against an IAM pattern (* and ?), case-sensitively
// as resource ARNs are; actions are compared case-insensitively.
func wildcard(pattern, s string) bool {
	if strings.Contains(pattern, ":") && !strings.HasPrefix(pattern, "arn:") {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p, i = p+1, i+1
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p, mark = star+1, mark+1
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

// The policy iam-policy prints with every fix allows every call a plan and
// an apply with every fix make, on the resources they make it on and with
// the condition keys they set; and each statement of the unmanaged part is
// used by some call (none grants more than the code needs).
func TestIAMPolicyAllowsEveryCallOnItsResource(t *testing.T) {
	clk := clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 2000)
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: 5, Organization: ssmsim.SampleOrganization(ssmsim.SampleOrgOptions{}),
		Fleets: map[string]ssmsim.Fleet{callRegion: {Nodes: ssmsim.SampleFleet().Nodes[:12]}}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	rec := &recorder{}
	sess := recordingSession(srv.URL, rec)
	ios := &IOStreams{In: strings.NewReader(""), Out: &strings.Builder{}, ErrOut: &strings.Builder{}}
	o := &ApplyOptions{IO: ios, Session: sess, Clock: clk, Shutdown: NewShutdown(ios.ErrOut), noHint: true,
		AutoApprove: true, Timeout: 30 * time.Minute, PollInterval: 15 * time.Second, MaxConcurrency: "50%", MaxErrors: "100%",
		StateDir: t.TempDir(), Output: "text", WindowDuration: 2, WindowCutoff: 1}
	o.plan.fixes.EnableDHMC, o.plan.fixes.FixRole = true, true
	o.plan.fixes.attachProfile.value = "patchready-ssm-instance"
	if err := o.CheckAndSetDefaults(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := applyRun(ctx, o)
	if o.report == nil {
		t.Fatalf("apply: %v\n%s", err, ios.ErrOut)
	}
	registered := 0
	for _, oc := range o.report.Outcomes {
		if strings.HasPrefix(oc.InstanceID, "i-0c0ffee") && oc.State == "verified" {
			registered++
		}
	}
	if registered != 2 {
		t.Fatalf("%d unmanaged instances verified, want 2 (the run must exercise the fixes):\n%s", registered, ios.Out)
	}

	stmts := policyStatements(t)
	used := map[string]bool{}
	ops := map[string]bool{}
	for _, c := range rec.calls {
		ops[c.service+":"+c.op] = true
		for _, r := range authRequests(c) {
			sids := allowedBy(stmts, r)
			if len(sids) == 0 {
				in, _ := json.Marshal(c.in)
				t.Errorf("not allowed: %s on %s %v (call %s)", r.action, r.resource, r.keys, in)
			}
			for _, s := range sids {
				used[s] = true
			}
		}
	}
	for _, op := range []string{"ec2:DescribeInstances", "ec2:AssociateIamInstanceProfile", "iam:CreateRole", "iam:AttachRolePolicy", "ssm:UpdateServiceSetting"} {
		if !ops[op] {
			t.Errorf("the run made no %s call: the test does not exercise the fixes", op)
		}
	}
	for _, s := range stmts {
		unmanagedPart := strings.HasPrefix(s.Sid, "Fix") || slices.Contains([]string{"PlanReadUnmanagedInstances", "PlanReadInstanceProfiles", "PlanReadRoles", "PlanReadHostManagement"}, s.Sid)
		if unmanagedPart && !used[s.Sid] {
			t.Errorf("statement %s allowed no call of the run: it grants more than the code needs", s.Sid)
		}
	}
	if t.Failed() {
		t.Logf("calls: %s", fmt.Sprint(len(rec.calls)))
	}
}

// recordingSession is a session against the simulator at url whose SSM,
// EC2 and IAM clients record every call in rec.
func recordingSession(url string, rec *recorder) func(context.Context) (*session, error) {
	return func(ctx context.Context) (*session, error) {
		calls := awsclient.NewCallCounter()
		cfg, err := awsclient.Load(ctx, awsclient.Config{Region: callRegion, Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
			MaxBackoff: 50 * time.Millisecond})
		if err != nil {
			return nil, err
		}
		return &session{
			ssm: awsclient.NewSSM(cfg, url, calls.Options, func(o *ssm.Options) { o.APIOptions = append(o.APIOptions, rec.install) }),
			estate: &engine.Estate{
				EC2: awsclient.NewEC2(cfg, url, func(o *ec2.Options) { o.APIOptions = append(o.APIOptions, rec.install) }),
				IAM: awsclient.NewIAM(cfg, url, func(o *iam.Options) { o.APIOptions = append(o.APIOptions, rec.install) }),
			},
			region: callRegion, log: zap.NewNop(), calls: calls,
		}, nil
	}
}

// Every strategy's apply, with Patch Manager's scan, then the schedule and
// cleanup, make only calls the policy allows on the resources they make
// them on; and every resource the policy names for the apply part (the
// documents SendCommand may run, the instances it may run them on) is one
// some call needed: the policy names nothing more than the code uses.
func TestIAMPolicyAllowsEveryStrategysCallsAndNoMore(t *testing.T) {
	clk := clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 2000)
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: 5, Organization: ssmsim.SampleOrganization(ssmsim.SampleOrgOptions{}),
		Fleets: map[string]ssmsim.Fleet{callRegion: ssmsim.SampleFleet()}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	rec := &recorder{}
	sess := recordingSession(srv.URL, rec)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stateDir := t.TempDir()
	for _, strategy := range []string{"association", "maintenance-window", "run-command"} {
		ios := &IOStreams{In: strings.NewReader(""), Out: &strings.Builder{}, ErrOut: &strings.Builder{}}
		o := &ApplyOptions{IO: ios, Session: sess, Clock: clk, Shutdown: NewShutdown(ios.ErrOut), noHint: true,
			AutoApprove: true, Timeout: 30 * time.Minute, PollInterval: 15 * time.Second, MaxConcurrency: "50%", MaxErrors: "100%",
			StateDir: stateDir, Output: "text", WindowDuration: 2, WindowCutoff: 1, Scan: "all"}
		o.plan.Strategy = strategy
		// Each strategy updates agents: the floor is raised to the newest
		// release, so every node below it is a target.
		o.plan.rules.MinAgentVersion = ssmsim.DefaultLatestAgentVersion
		if err := o.CheckAndSetDefaults(); err != nil {
			t.Fatal(err)
		}
		if err := applyRun(ctx, o); o.report == nil {
			t.Fatalf("apply --strategy %s: %v\n%s", strategy, err, ios.ErrOut)
		}
	}
	so := &ScheduleOptions{IO: &IOStreams{Out: &strings.Builder{}, ErrOut: &strings.Builder{}}, Session: sess, Clock: clk,
		Schedule: "rate(14 days)", RequestsTag: "patchready:proxied=true", MaxConcurrency: "10%", MaxErrors: "10%"}
	if err := so.CheckAndSetDefaults(); err != nil {
		t.Fatal(err)
	}
	if err := scheduleInstallRun(ctx, so); err != nil {
		t.Fatal(err)
	}
	co := &CleanupOptions{IO: &IOStreams{Out: &strings.Builder{}, ErrOut: &strings.Builder{}}, Session: sess, Output: "text", StateDir: stateDir}
	if err := cleanupRun(ctx, co); err != nil {
		t.Fatal(err)
	}

	stmts := policyStatements(t)
	var requests []authRequest
	ops := map[string]bool{}
	for _, c := range rec.calls {
		ops[c.service+":"+c.op] = true
		for _, r := range authRequests(c) {
			requests = append(requests, r)
			if len(allowedBy(stmts, r)) == 0 {
				in, _ := json.Marshal(c.in)
				t.Errorf("not allowed: %s on %s %v (call %s)", r.action, r.resource, r.keys, in)
			}
		}
	}
	for _, op := range []string{"ssm:CreateAssociation", "ssm:CreateMaintenanceWindow", "ssm:UpdateMaintenanceWindow", "ssm:DescribeInstancePatchStates", "ssm:DeleteDocument"} {
		if !ops[op] {
			t.Errorf("the runs made no %s call: the test does not exercise what it should", op)
		}
	}
	for _, s := range stmts {
		if !strings.HasPrefix(s.Sid, "Plan") && !strings.HasPrefix(s.Sid, "Apply") {
			continue // the unmanaged fixes: TestIAMPolicyAllowsEveryCallOnItsResource
		}
		for _, pattern := range actions(s.Resource) {
			if pattern == "*" {
				continue
			}
			used := slices.ContainsFunc(requests, func(r authRequest) bool {
				return r.resource != "*" && wildcard(pattern, r.resource) && slices.ContainsFunc(actions(s.Action), func(a string) bool { return wildcard(a, r.action) })
			})
			if !used {
				t.Errorf("statement %s names resource %s, which no call of plan, apply (every strategy, --scan), schedule or cleanup needed", s.Sid, pattern)
			}
		}
	}
}
