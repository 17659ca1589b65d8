package schedule_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/schedule"
	"github.com/patchready/patchready/internal/ssmsim"
)

func newSim(t *testing.T) (*ssm.Client, clock.Clock) {
	t.Helper()
	clk := clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 1000)
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: 1, Fleets: map[string]ssmsim.Fleet{"*": ssmsim.SampleFleet()}})
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	api, _, err := awsclient.Client(context.Background(), awsclient.Config{
		Region: "us-east-1", EndpointURL: ts.URL, MaxBackoff: 5 * time.Millisecond,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return api, clk
}

// associations returns every association by name.
func associations(t *testing.T, api *ssm.Client) map[string][]types.Association {
	t.Helper()
	out := map[string][]types.Association{}
	p := ssm.NewListAssociationsPaginator(api, &ssm.ListAssociationsInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Associations {
			out[aws.ToString(a.AssociationName)] = append(out[aws.ToString(a.AssociationName)], a)
		}
	}
	return out
}

func actions(cs []schedule.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name+"="+c.Action)
	}
	return out
}

func TestInstallIsIdempotent(t *testing.T) {
	api, clk := newSim(t)
	ctx := context.Background()
	opts := schedule.Options{Clock: clk}
	steps := []struct {
		name string
		spec schedule.Spec
		want []string
	}{
		{"first install creates both", schedule.Spec{}, []string{
			schedule.AgentAssociationName + "=created", schedule.RequestsAssociationName + "=created"}},
		{"the same again changes nothing", schedule.Spec{}, []string{
			schedule.AgentAssociationName + "=unchanged", schedule.RequestsAssociationName + "=unchanged"}},
		{"a new schedule and tag update in place", schedule.Spec{Schedule: "rate(7 days)", AgentTag: &fleet.Tag{Key: "Environment", Value: "prod"}}, []string{
			schedule.AgentAssociationName + "=updated", schedule.RequestsAssociationName + "=updated"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			cs, err := schedule.Install(ctx, api, st.spec, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := actions(cs); len(got) != 2 || got[0] != st.want[0] || got[1] != st.want[1] {
				t.Errorf("install did %v, want %v", got, st.want)
			}
			all := associations(t, api)
			for _, name := range schedule.Names() {
				if len(all[name]) != 1 {
					t.Errorf("%d associations named %s, want exactly one", len(all[name]), name)
				}
			}
		})
	}
	all := associations(t, api)
	agent := all[schedule.AgentAssociationName][0]
	if aws.ToString(agent.ScheduleExpression) != "rate(7 days)" || schedule.TargetsString(agent.Targets) != "Key=tag:Environment,Values=prod" {
		t.Errorf("after the update the agent association is %s on %s", aws.ToString(agent.ScheduleExpression), schedule.TargetsString(agent.Targets))
	}
	req := all[schedule.RequestsAssociationName][0]
	if aws.ToString(req.Name) != documents.FixDocumentName || schedule.TargetsString(req.Targets) != "Key=tag:patchready:proxied,Values=true" {
		t.Errorf("requests association runs %s on %s", aws.ToString(req.Name), schedule.TargetsString(req.Targets))
	}
	// The fix document's requests step only: the patch run's interpreter.
	desc, err := api.DescribeAssociation(ctx, &ssm.DescribeAssociationInput{AssociationId: req.AssociationId})
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.AssociationDescription.Parameters["actions"]; !slices.Equal(got, []string{documents.FixRequests}) {
		t.Errorf("requests association's actions = %v, want [%s]", got, documents.FixRequests)
	}
	tags, err := api.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingAssociation, ResourceId: agent.AssociationId})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range tags.TagList {
		got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if got["patchready:managed"] != "true" || got["patchready:purpose"] != "schedule" {
		t.Errorf("agent association tags %v", got)
	}

	sts, err := schedule.Show(ctx, api)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		// Both ran at once when created or updated, as State Manager does.
		if !s.Exists || s.LastRunStatus == "" || s.LastRun.IsZero() {
			t.Errorf("show %s: %+v, want it installed with a last run", s.Name, s)
		}
	}

	removed, err := schedule.Remove(ctx, api, opts)
	if err != nil || len(removed) != 2 {
		t.Fatalf("remove: %v, %v; want both removed", removed, err)
	}
	if again, err := schedule.Remove(ctx, api, opts); err != nil || len(again) != 0 {
		t.Errorf("second remove: %v, %v; want nothing and no error", again, err)
	}
	sts, err = schedule.Show(ctx, api)
	if err != nil || sts[0].Exists || sts[1].Exists {
		t.Errorf("show after remove: %+v, %v", sts, err)
	}
}

// An association of AWS-UpdateSSMAgent on every node made by someone else
// (Quick Setup) covers the purpose: install reports it and creates nothing.
func TestInstallReportsForeignAutoUpdate(t *testing.T) {
	api, clk := newSim(t)
	ctx := context.Background()
	out, err := api.CreateAssociation(ctx, &ssm.CreateAssociationInput{
		Name: aws.String(documents.UpdateAgentDocumentName), AssociationName: aws.String("AWS-QuickSetup-UpdateSSMAgent"),
		Targets: []types.Target{{Key: aws.String("InstanceIds"), Values: []string{"*"}}}, ScheduleExpression: aws.String("rate(14 days)"),
	})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := schedule.Install(ctx, api, schedule.Spec{}, schedule.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if cs[0].Action != schedule.Covered || cs[0].ID != aws.ToString(out.AssociationDescription.AssociationId) {
		t.Errorf("install of the agent association: %+v, want covered by the existing one", cs[0])
	}
	if cs[1].Action != schedule.Created {
		t.Errorf("install of the requests association: %+v, want created", cs[1])
	}
}

// A schedule State Manager would refuse is refused before the document or
// any association is made: nothing is left behind.
func TestInstallRefusesBadScheduleBeforeCreatingAnything(t *testing.T) {
	api, clk := newSim(t)
	_, err := schedule.Install(context.Background(), api, schedule.Spec{Schedule: "bogus"}, schedule.Options{Clock: clk})
	if err == nil {
		t.Fatal("a bogus schedule was accepted")
	}
	if _, derr := api.DescribeDocument(context.Background(), &ssm.DescribeDocumentInput{Name: aws.String(documents.FixDocumentName)}); !awsclient.IsNotFound(derr) {
		t.Errorf("the fix document exists after a refused install (%v)", derr)
	}
	if a := associations(t, api); len(a) != 0 {
		t.Errorf("associations after a refused install: %v", a)
	}
}

// A schedule an earlier version installed ran patchready-UpgradeRequests,
// which took the first Python on PATH rather than the patch run's. Install
// moves that association, in place, to the fix document's requests step.
func TestInstallMovesAnEarlierRequestsScheduleToTheFixDocument(t *testing.T) {
	api, clk := newSim(t)
	ctx := context.Background()
	if _, err := api.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String(documents.UpgradeRequestsDocumentName),
		Content: aws.String(documents.FixYAML), DocumentFormat: types.DocumentFormatYaml}); err != nil {
		t.Fatal(err)
	}
	old, err := api.CreateAssociation(ctx, &ssm.CreateAssociationInput{
		Name: aws.String(documents.UpgradeRequestsDocumentName), AssociationName: aws.String(schedule.RequestsAssociationName),
		Targets:            []types.Target{{Key: aws.String("tag:patchready:proxied"), Values: []string{"true"}}},
		Parameters:         map[string][]string{"actions": {"requests"}},
		ScheduleExpression: aws.String(schedule.DefaultSchedule),
	})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := schedule.Install(ctx, api, schedule.Spec{}, schedule.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	var moved *schedule.Change
	for i := range cs {
		if cs[i].Name == schedule.RequestsAssociationName {
			moved = &cs[i]
		}
	}
	if moved == nil || moved.Action != schedule.Updated || moved.ID != aws.ToString(old.AssociationDescription.AssociationId) {
		t.Fatalf("install: %+v; want the requests association %s updated in place", cs, aws.ToString(old.AssociationDescription.AssociationId))
	}
	desc, err := api.DescribeAssociation(ctx, &ssm.DescribeAssociationInput{AssociationId: old.AssociationDescription.AssociationId})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(desc.AssociationDescription.Name); got != documents.FixDocumentName {
		t.Errorf("after install the association runs %s, want %s (%s)", got, documents.FixDocumentName, moved.Detail)
	}
}
