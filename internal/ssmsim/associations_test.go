package ssmsim

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

var allNodes = []types.Target{{Key: aws.String("InstanceIds"), Values: []string{"*"}}}

func createUpdateAgent(t *testing.T, c *ssm.Client, in *ssm.CreateAssociationInput) *types.AssociationDescription {
	t.Helper()
	if in.Name == nil {
		in.Name = aws.String("AWS-UpdateSSMAgent")
	}
	out, err := c.CreateAssociation(testCtx(t), in)
	if err != nil {
		t.Fatalf("CreateAssociation: %v", err)
	}
	return out.AssociationDescription
}

func associationExecutions(t *testing.T, c *ssm.Client, id string) []types.AssociationExecution {
	t.Helper()
	var all []types.AssociationExecution
	p := ssm.NewDescribeAssociationExecutionsPaginator(c, &ssm.DescribeAssociationExecutionsInput{AssociationId: &id, MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatalf("DescribeAssociationExecutions: %v", err)
		}
		all = append(all, page.AssociationExecutions...)
	}
	return all
}

func TestAssociationRunsOnCreation(t *testing.T) {
	opts, clk := manualOpts(fleetOf(3))
	s, c := startSim(t, opts, 0)
	a := createUpdateAgent(t, c, &ssm.CreateAssociationInput{
		Targets: allNodes, AssociationName: aws.String("patchready-agent"), MaxConcurrency: aws.String("2"), MaxErrors: aws.String("0"),
	})
	if aws.ToString(a.AssociationVersion) != "1" || a.Overview == nil {
		t.Fatalf("description = %+v", a)
	}
	clk.Advance(10 * time.Minute)

	s.WithRegion("us-east-1", func(r *Region) {
		for _, n := range r.Nodes() {
			if n.AgentVersion != DefaultLatestAgentVersion {
				t.Errorf("node %s agent %s, want %s", n.ID, n.AgentVersion, DefaultLatestAgentVersion)
			}
			if got := r.r.associationStatusOf(n.ID); got != "Success" {
				t.Errorf("associationStatusOf(%s) = %q, want Success", n.ID, got)
			}
		}
	})
	execs := associationExecutions(t, c, *a.AssociationId)
	if len(execs) != 1 || aws.ToString(execs[0].Status) != "Success" || aws.ToString(execs[0].ResourceCountByStatus) != "{Success=3}" {
		t.Fatalf("executions = %+v", execs)
	}
	var targets []types.AssociationExecutionTarget
	p := ssm.NewDescribeAssociationExecutionTargetsPaginator(c, &ssm.DescribeAssociationExecutionTargetsInput{
		AssociationId: a.AssociationId, ExecutionId: execs[0].ExecutionId, MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatalf("DescribeAssociationExecutionTargets: %v", err)
		}
		targets = append(targets, page.AssociationExecutionTargets...)
	}
	if len(targets) != 3 {
		t.Fatalf("got %d targets, want 3", len(targets))
	}
	for _, tg := range targets {
		if aws.ToString(tg.Status) != "Success" || aws.ToString(tg.ResourceType) != "ManagedInstance" || tg.OutputSource == nil ||
			aws.ToString(tg.OutputSource.OutputSourceType) != "RunCommand" {
			t.Fatalf("target = %+v", tg)
		}
		inv, err := c.GetCommandInvocation(testCtx(t), &ssm.GetCommandInvocationInput{CommandId: tg.OutputSource.OutputSourceId, InstanceId: tg.ResourceId})
		if err != nil || inv.Status != types.CommandInvocationStatusSuccess {
			t.Fatalf("GetCommandInvocation for output source: %v, %+v", err, inv)
		}
	}
	d, err := c.DescribeAssociation(testCtx(t), &ssm.DescribeAssociationInput{AssociationId: a.AssociationId})
	if err != nil {
		t.Fatal(err)
	}
	if o := d.AssociationDescription.Overview; aws.ToString(o.Status) != "Success" || o.AssociationStatusAggregatedCount["Success"] != 3 {
		t.Fatalf("overview = %+v", o)
	}
	if d.AssociationDescription.LastSuccessfulExecutionDate == nil {
		t.Fatal("LastSuccessfulExecutionDate not set")
	}
}

func TestAssociationRateControls(t *testing.T) {
	f := fleetOf(4)
	for i := range f.Nodes {
		f.Nodes[i].Faults.UpdateFails = true
	}
	opts, clk := manualOpts(f)
	_, c := startSim(t, opts, 0)
	a := createUpdateAgent(t, c, &ssm.CreateAssociationInput{Targets: allNodes, MaxConcurrency: aws.String("1"), MaxErrors: aws.String("0")})
	clk.Advance(time.Hour)
	execs := associationExecutions(t, c, *a.AssociationId)
	if len(execs) != 1 || aws.ToString(execs[0].Status) != "Failed" || aws.ToString(execs[0].ResourceCountByStatus) != "{Failed=1, Skipped=3}" {
		t.Fatalf("executions = %+v", execs)
	}
}

func TestAssociationScheduleRecurs(t *testing.T) {
	opts, clk := manualOpts(fleetOf(1))
	_, c := startSim(t, opts, 0)
	a := createUpdateAgent(t, c, &ssm.CreateAssociationInput{Targets: allNodes, ScheduleExpression: aws.String("rate(30 minutes)")})
	clk.Advance(65 * time.Minute)
	if got := len(associationExecutions(t, c, *a.AssociationId)); got != 3 {
		t.Fatalf("got %d executions after 65 minutes of rate(30 minutes), want 3", got)
	}

	// A cron association applied only at its interval does not run at once.
	b := createUpdateAgent(t, c, &ssm.CreateAssociationInput{
		Name: aws.String("AWS-RunShellScript"), Targets: allNodes, Parameters: map[string][]string{"commands": {"true"}},
		ScheduleExpression: aws.String("cron(0 12 ? * * *)"), ApplyOnlyAtCronInterval: true,
	})
	if got := len(associationExecutions(t, c, *b.AssociationId)); got != 0 {
		t.Fatalf("got %d executions before the cron time, want 0", got)
	}
	clk.Advance(2 * time.Hour) // t0 is 09:00; now 11:05 + 1 h passes noon
	if got := len(associationExecutions(t, c, *b.AssociationId)); got != 1 {
		t.Fatalf("got %d executions after noon, want 1", got)
	}
}

func TestAssociationAlreadyExists(t *testing.T) {
	opts, _ := manualOpts(fleetOf(1))
	_, c := startSim(t, opts, 0)
	createUpdateAgent(t, c, &ssm.CreateAssociationInput{Targets: []types.Target{{Key: aws.String("tag:env"), Values: []string{"a", "b"}}}})
	_, err := c.CreateAssociation(testCtx(t), &ssm.CreateAssociationInput{
		Name: aws.String("AWS-UpdateSSMAgent"), Targets: []types.Target{{Key: aws.String("tag:env"), Values: []string{"b", "a"}}},
		Parameters: map[string][]string{"allowDowngrade": {"true"}},
	})
	var exists *types.AssociationAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("second CreateAssociation error = %v, want AssociationAlreadyExists", err)
	}
}

func TestAssociationLimit(t *testing.T) {
	opts, _ := manualOpts(fleetOf(1))
	s, c := startSim(t, opts, 0)
	// Fill the region cheaply up to one below the quota.
	s.WithRegion("us-east-1", func(r *Region) {
		for i := range maxAssociations - 1 {
			r.r.associations.add(&association{ID: r.r.newUUID(), Version: 1, Name: "AWS-RunShellScript",
				Targets: []targetSpec{{Key: "tag:n", Values: []string{fmt.Sprint(i)}}}})
		}
	})
	createUpdateAgent(t, c, &ssm.CreateAssociationInput{Targets: allNodes, ApplyOnlyAtCronInterval: true, ScheduleExpression: aws.String("cron(0 1 ? * * *)")})
	_, err := c.CreateAssociation(testCtx(t), &ssm.CreateAssociationInput{Name: aws.String("AWS-UpdateSSMAgent"),
		Targets: []types.Target{{Key: aws.String("tag:x"), Values: []string{"y"}}}})
	var limit *types.AssociationLimitExceeded
	if !errors.As(err, &limit) {
		t.Fatalf("CreateAssociation past the quota: %v, want AssociationLimitExceeded", err)
	}
}

func TestAssociationValidation(t *testing.T) {
	opts, _ := manualOpts(fleetOf(1))
	_, c := startSim(t, opts, 0)
	sixTargets := make([]types.Target, 6)
	for i := range sixTargets {
		sixTargets[i] = types.Target{Key: aws.String(fmt.Sprintf("tag:k%d", i)), Values: []string{"v"}}
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("i-%017x", i+1)
	}
	tests := []struct {
		name string
		in   ssm.CreateAssociationInput
		code string
	}{
		{"bad name", ssm.CreateAssociationInput{AssociationName: aws.String("a b")}, "ValidationException"},
		{"six targets", ssm.CreateAssociationInput{Targets: sixTargets}, "ValidationException"},
		{"51 values", ssm.CreateAssociationInput{Targets: []types.Target{{Key: aws.String("InstanceIds"), Values: many}}}, "ValidationException"},
		{"rate too short", ssm.CreateAssociationInput{ScheduleExpression: aws.String("rate(10 minutes)")}, "InvalidSchedule"},
		{"cron L", ssm.CreateAssociationInput{ScheduleExpression: aws.String("cron(0 2 L * ? *)")}, "InvalidSchedule"},
		{"cron only with rate", ssm.CreateAssociationInput{ScheduleExpression: aws.String("rate(1 day)"), ApplyOnlyAtCronInterval: true}, "InvalidSchedule"},
		{"concurrency 0", ssm.CreateAssociationInput{MaxConcurrency: aws.String("0")}, "ValidationException"},
		{"concurrency 101%", ssm.CreateAssociationInput{MaxConcurrency: aws.String("101%")}, "ValidationException"},
		{"severity", ssm.CreateAssociationInput{ComplianceSeverity: "SEVERE"}, "ValidationException"},
		{"unknown document", ssm.CreateAssociationInput{Name: aws.String("No-Such-Doc")}, "InvalidDocument"},
		{"unknown parameter", ssm.CreateAssociationInput{Parameters: map[string][]string{"nope": {"x"}}}, "InvalidParameters"},
		{"resource group target", ssm.CreateAssociationInput{Targets: []types.Target{{Key: aws.String("resource-groups:Name"), Values: []string{"g"}}}}, "InvalidTarget"},
		{"no targets", ssm.CreateAssociationInput{Targets: []types.Target{}}, "InvalidTarget"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.Name == nil {
				in.Name = aws.String("AWS-UpdateSSMAgent")
			}
			if in.Targets == nil {
				in.Targets = allNodes
			}
			_, err := c.CreateAssociation(testCtx(t), &in)
			if got := apiCode(err); got != tc.code {
				t.Fatalf("error %v (code %q), want %s", err, got, tc.code)
			}
			if tc.code == "InvalidSchedule" {
				var typed *types.InvalidSchedule
				if !errors.As(err, &typed) {
					t.Fatalf("error %T is not *types.InvalidSchedule", err)
				}
			}
		})
	}
}

func TestAssociationUpdateListDelete(t *testing.T) {
	opts, clk := manualOpts(fleetOf(2))
	_, c := startSim(t, opts, 0)
	a := createUpdateAgent(t, c, &ssm.CreateAssociationInput{Targets: allNodes, AssociationName: aws.String("first")})
	clk.Advance(5 * time.Minute)
	u, err := c.UpdateAssociation(testCtx(t), &ssm.UpdateAssociationInput{AssociationId: a.AssociationId, AssociationName: aws.String("second")})
	if err != nil {
		t.Fatalf("UpdateAssociation: %v", err)
	}
	if aws.ToString(u.AssociationDescription.AssociationVersion) != "2" || aws.ToString(u.AssociationDescription.AssociationName) != "second" {
		t.Fatalf("updated = %+v", u.AssociationDescription)
	}
	clk.Advance(5 * time.Minute)
	if got := len(associationExecutions(t, c, *a.AssociationId)); got != 2 {
		t.Fatalf("got %d executions after an update, want 2 (AWS re-runs an updated association)", got)
	}

	createUpdateAgent(t, c, &ssm.CreateAssociationInput{Name: aws.String("AWS-RunShellScript"), Targets: allNodes,
		Parameters: map[string][]string{"commands": {"true"}}})
	var names []string
	p := ssm.NewListAssociationsPaginator(c, &ssm.ListAssociationsInput{MaxResults: aws.Int32(1),
		AssociationFilterList: []types.AssociationFilter{{Key: types.AssociationFilterKeyName, Value: aws.String("AWS-UpdateSSMAgent")}}})
	for p.HasMorePages() {
		page, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatalf("ListAssociations: %v", err)
		}
		for _, x := range page.Associations {
			names = append(names, aws.ToString(x.AssociationName))
		}
	}
	if strings.Join(names, ",") != "second" {
		t.Fatalf("ListAssociations by Name = %v, want [second]", names)
	}

	if _, err := c.DeleteAssociation(testCtx(t), &ssm.DeleteAssociationInput{AssociationId: a.AssociationId}); err != nil {
		t.Fatalf("DeleteAssociation: %v", err)
	}
	for _, call := range []func() error{
		func() error {
			_, err := c.DescribeAssociation(testCtx(t), &ssm.DescribeAssociationInput{AssociationId: a.AssociationId})
			return err
		},
		func() error {
			_, err := c.DeleteAssociation(testCtx(t), &ssm.DeleteAssociationInput{AssociationId: a.AssociationId})
			return err
		},
	} {
		var missing *types.AssociationDoesNotExist
		if err := call(); !errors.As(err, &missing) {
			t.Fatalf("after delete: %v, want AssociationDoesNotExist", err)
		}
	}
	_, err = c.DescribeAssociationExecutionTargets(testCtx(t), &ssm.DescribeAssociationExecutionTargetsInput{
		AssociationId: aws.String("11111111-2222-4333-8444-555555555555"), ExecutionId: aws.String("11111111-2222-4333-8444-555555555555")})
	if apiCode(err) != "AssociationDoesNotExist" {
		t.Fatalf("targets of unknown association: %v", err)
	}
}

func TestAssociationStartOnce(t *testing.T) {
	opts, clk := manualOpts(fleetOf(1))
	_, c := startSim(t, opts, 0)
	a := createUpdateAgent(t, c, &ssm.CreateAssociationInput{Targets: allNodes, ScheduleExpression: aws.String("cron(0 3 ? * SUN *)"), ApplyOnlyAtCronInterval: true})
	if _, err := c.StartAssociationsOnce(testCtx(t), &ssm.StartAssociationsOnceInput{AssociationIds: []string{*a.AssociationId}}); err != nil {
		t.Fatalf("StartAssociationsOnce: %v", err)
	}
	clk.Advance(5 * time.Minute)
	if got := len(associationExecutions(t, c, *a.AssociationId)); got != 1 {
		t.Fatalf("got %d executions, want 1", got)
	}
	_, err := c.StartAssociationsOnce(testCtx(t), &ssm.StartAssociationsOnceInput{AssociationIds: make([]string, 11)})
	if apiCode(err) != "ValidationException" {
		t.Fatalf("11 IDs: %v, want ValidationException", err)
	}
}
