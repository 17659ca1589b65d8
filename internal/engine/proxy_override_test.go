package engine

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/converge"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/plan"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/ssmsim"
	"github.com/patchready/patchready/internal/ssmsim/host"
)

// nodePlans maps a plan's nodes by ID.
func nodePlans(p plan.Plan) map[string]plan.NodePlan {
	out := map[string]plan.NodePlan{}
	for _, np := range p.Nodes {
		out[np.Node.InstanceID] = np
	}
	return out
}

// TestSampleFleetProxiesTheAgentHasNotLoaded plans the sample fleet: the
// nodes whose proxy is only in a service override the running agent has
// not read go direct, where their payload bucket does not answer, so they
// are blocked by the payload check and say why; a scan proves it (exit
// 156). Once the owner restarts the agent (here an agent update restarts
// it), the next plan fixes what the proxy needs and the node passes the
// scan.
func TestSampleFleetProxiesTheAgentHasNotLoaded(t *testing.T) {
	ctx := testCtx(t, 3*time.Minute)
	e := newEnv(t, ssmsim.SampleFleet(), nil)
	p := e.plan(ctx, plan.Strategy("association"))
	nps := nodePlans(p)
	const pre = "i-0a1b2c3d4e5f6"
	overrideOnly := []string{pre + "0003", pre + "0011"}
	var nodes []fleet.Node
	for _, id := range overrideOnly {
		np := nps[id]
		nodes = append(nodes, np.Node)
		if np.Verdict != plan.Blocked || !slices.Contains(np.BlockedBy, prereq.CheckPayload) || len(np.Actions) != 0 {
			t.Errorf("%s: %s blocked by %v actions %v, want blocked by payload", id, np.Verdict, np.BlockedBy, np.Actions)
		}
		if !strings.Contains(strings.Join(np.Reasons, "\n"), prereq.ReasonOverrideNotLoaded) {
			t.Errorf("%s: reasons %q do not say the override's proxy is not loaded", id, np.Reasons)
		}
		if pr := np.Node.Probe; pr == nil || pr.Proxied || !pr.ProxyPending || pr.PayloadAfterRestart != documents.PayloadReachable {
			t.Errorf("%s: probe facts %+v", id, pr)
		}
	}
	// Proxies in the running agent's environment: not blocked.
	for _, id := range []string{pre + "0001", pre + "0002", pre + "0005", pre + "0006", pre + "0075"} {
		if np := nps[id]; np.Verdict == plan.Blocked && slices.Contains(np.BlockedBy, prereq.CheckPayload) {
			t.Errorf("%s: blocked by payload, though its running agent has the proxy: %q", id, np.Reasons)
		}
	}
	for id, r := range scanAfterApply(ctx, t, e, nodes) {
		if r.OK || !strings.Contains(r.Reason, "(exit 156): the patch run could not download its payload [payload]") {
			t.Errorf("%s: the scan the plan blocked the node for: %+v", id, r)
		}
	}

	// The owner restarts 0011's agent (AWS-UpdateSSMAgent restarts it):
	// its proxy is now the running agent's. Planned again, the node needs
	// only python2.7's requests, and apply makes it pass the scan.
	id := pre + "0011"
	if _, err := e.api.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: aws.String(documents.UpdateAgentDocumentName), InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if err := e.clk.Sleep(ctx, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	in := e.planInput(plan.Strategy("association"))
	in.Selection = fleet.Selection{InstanceIDs: []string{id}}
	again, err := MakePlan(ctx, e.api, in)
	if err != nil {
		t.Fatal(err)
	}
	np := nodePlans(again)[id]
	if np.Verdict != plan.Fix || !slices.Equal(np.Actions, []prereq.ActionKind{"upgrade-requests"}) || !np.Node.Probe.Proxied || np.Node.Probe.ProxyPending {
		t.Fatalf("after the restart: %s %v %q, probe %+v", np.Verdict, np.Actions, np.Reasons, np.Node.Probe)
	}
	res, err := Apply(ctx, e.api, e.applyInput(again, "20260302T100000Z-0011aa", t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if o := outcomes(res.Report)[id]; o.State != converge.StateVerified {
		t.Fatalf("after the restart, apply: %s %s", o.State, o.Reason)
	}
	if r := scanAfterApply(ctx, t, e, []fleet.Node{np.Node})[id]; !r.OK {
		t.Errorf("after the restart and the fix, the scan: %+v", r)
	}
}

// Nodes of overrideFleet: each has its proxy only in its systemd override,
// which the running agent has not loaded, and an agent below the floor,
// whose update restarts the agent and loads it.
const (
	idOverrideBlocked = "i-0000000000000e001" // direct path blocked, the override's proxy works; python2.7's requests 2.6.0
	idOverrideDead    = "i-0000000000000e002" // direct path works, the override's proxy is down
	idOverrideOK      = "i-0000000000000e003" // AL2023, python3's requests 2.25.1: the agent update alone
	idOverrideOldReq  = "i-0000000000000e004" // direct path works; python2.7's requests 2.6.0
)

func overrideFleet() ssmsim.Fleet {
	through := &host.Proxy{URL: "http://proxy.corp.example:3128", NoProxy: "169.254.169.254,localhost", Source: "systemd-override"}
	dead := &host.Proxy{URL: "http://proxy2.corp.example:8080", NoProxy: "169.254.169.254,localhost", Source: "systemd-override", Down: true}
	n := func(id, version string, spec host.Spec) ssmsim.Node {
		return ssmsim.Node{ID: id, PlatformType: "Linux", PlatformName: "Amazon Linux", PlatformVersion: version, AgentVersion: belowFloor, Host: &spec}
	}
	return ssmsim.Fleet{Nodes: []ssmsim.Node{
		n(idOverrideBlocked, "2", host.Spec{Preset: host.AmazonLinux2, Proxy: through, Payload: host.Proxied, Repos: host.Proxied, PyPI: host.Proxied}),
		n(idOverrideDead, "2", host.Spec{Preset: host.AmazonLinux2, Proxy: dead}),
		n(idOverrideOK, "2023", host.Spec{Preset: host.AmazonLinux2023, Proxy: through, Payload: host.Proxied, Repos: host.Proxied, PyPI: host.Proxied}),
		n(idOverrideOldReq, "2", host.Spec{Preset: host.AmazonLinux2, Proxy: through, PyPI: host.Proxied}),
	}}
}

// TestAgentUpdateLoadsAnOverrideProxy follows nodes whose agent update
// will load a proxy their running agent lacks. The plan decides them on
// the way the patch run goes after that restart: the override's proxy
// must reach the payload bucket (else the node is blocked), and requests
// must be current, planned up front, since the agent update's restart
// puts the node behind the proxy. A node whose only action is the agent
// update is then verified on its agent version without a stale view: the
// plan already tested what the restart brings. Every node apply verifies
// passes Patch Manager's scan.
func TestAgentUpdateLoadsAnOverrideProxy(t *testing.T) {
	ctx := testCtx(t, 3*time.Minute)
	e := newEnv(t, overrideFleet(), nil)
	p := e.plan(ctx, plan.Strategy("association"))
	nps := nodePlans(p)
	wants := map[string]struct {
		verdict plan.Verdict
		actions []prereq.ActionKind
		blocked []prereq.CheckID
	}{
		idOverrideBlocked: {plan.Fix, []prereq.ActionKind{prereq.UpdateAgent, "upgrade-requests"}, nil},
		idOverrideDead:    {plan.Blocked, nil, []prereq.CheckID{prereq.CheckProxyPending}},
		idOverrideOK:      {plan.Fix, []prereq.ActionKind{prereq.UpdateAgent}, nil},
		idOverrideOldReq:  {plan.Fix, []prereq.ActionKind{prereq.UpdateAgent, "upgrade-requests"}, nil},
	}
	for id, w := range wants {
		np := nps[id]
		if np.Verdict != w.verdict || !slices.Equal(np.Actions, w.actions) || !slices.Equal(np.BlockedBy, w.blocked) {
			t.Errorf("%s: %s actions %v blocked by %v, want %s %v %v\n  %q", id, np.Verdict, np.Actions, np.BlockedBy, w.verdict, w.actions, w.blocked, np.Reasons)
		}
	}
	res, err := Apply(ctx, e.api, e.applyInput(p, "20260302T090000Z-0e0001", t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	var verified []fleet.Node
	for _, np := range p.Nodes {
		if o, ok := outcomes(res.Report)[np.Node.InstanceID]; ok {
			if o.State != converge.StateVerified {
				t.Errorf("%s: %s %s", o.InstanceID, o.State, o.Reason)
				continue
			}
			verified = append(verified, np.Node)
		}
	}
	if len(verified) != 3 {
		t.Fatalf("apply verified %d nodes, want 3:\n%s", len(verified), formatReport(res.Report))
	}
	for id, r := range scanAfterApply(ctx, t, e, verified) {
		if !r.OK {
			t.Errorf("%s: verified, then the scan: %s\n%s", id, r.Reason, r.Detail)
		}
	}
}
