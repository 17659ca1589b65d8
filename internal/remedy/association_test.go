package remedy

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
)

var (
	batchA = []string{"i-0000000000000000a", "i-0000000000000000b"}
	batchB = []string{"i-0000000000000000c"}
)

func TestAssociationsCreateOnceAndReuseByName(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	opts, journal := testOptions(t, "20260302T090000Z-000001")
	a, err := NewAssociations(api, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx, [][]string{batchA, batchB}); err != nil {
		t.Fatal(err)
	}
	if n := api.calls["CreateAssociation"]; n != 2 {
		t.Fatalf("CreateAssociation calls = %d, want one per batch", n)
	}
	// The same batches again (a re-run of the same plan): found by name,
	// re-run, nothing created.
	opts2, _ := testOptions(t, "20260302T100000Z-000002")
	again, _ := NewAssociations(api, opts2)
	if err := again.Start(ctx, [][]string{batchA, batchB}); err != nil {
		t.Fatal(err)
	}
	if n := api.calls["CreateAssociation"]; n != 2 {
		t.Errorf("CreateAssociation calls = %d after a re-run, want still 2", n)
	}
	if n := api.calls["StartAssociationsOnce"]; n != 1 {
		t.Errorf("StartAssociationsOnce calls = %d, want one for both reused associations", n)
	}
	st, err := ReadJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Live) != 2 {
		t.Errorf("journal holds %d live resources, want the 2 associations", len(st.Live))
	}
	// Finish removes what this run created, and records it.
	if err := a.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if len(api.assocs) != 0 {
		t.Errorf("%d associations left after Finish", len(api.assocs))
	}
	if st, _ := ReadJournal(journal); len(st.Live) != 0 {
		t.Errorf("journal holds %v after Finish", st.Live)
	}
}

func TestAssociationsKeepLeavesThem(t *testing.T) {
	api := newFakeSSM()
	opts, _ := testOptions(t, "20260302T090000Z-000003")
	opts.Keep = true
	a, _ := NewAssociations(api, opts)
	if err := a.Start(context.Background(), [][]string{batchA}); err != nil {
		t.Fatal(err)
	}
	if err := a.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(api.assocs) != 1 {
		t.Fatalf("%d associations after Finish with Keep, want 1", len(api.assocs))
	}
}

// A plain re-run after an interrupted run plans other batches: the earlier
// run's associations that target the same nodes are replaced, so no node
// is targeted by two live update associations.
func TestAssociationsReplaceAnInterruptedRunsLeftovers(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	first, _ := testOptions(t, "20260302T090000Z-000004")
	a, _ := NewAssociations(api, first)
	if err := a.Start(ctx, [][]string{{"i-0000000000000000a", "i-0000000000000000b", "i-0000000000000000c"}}); err != nil {
		t.Fatal(err)
	}
	// Someone else's association on one of the nodes is never touched.
	if _, err := api.CreateAssociation(ctx, &ssm.CreateAssociationInput{Name: aws.String(documents.UpdateAgentDocumentName),
		AssociationName: aws.String("team-agent-updates"),
		Targets:         []types.Target{{Key: aws.String("InstanceIds"), Values: []string{"i-0000000000000000a"}}}}); err != nil {
		t.Fatal(err)
	}
	second, journal := testOptions(t, "20260302T100000Z-000005")
	b, _ := NewAssociations(api, second)
	if err := b.Start(ctx, [][]string{batchA}); err != nil {
		t.Fatal(err)
	}
	perNode := map[string]int{}
	var names []string
	for _, as := range api.assocs {
		names = append(names, aws.ToString(as.AssociationName))
		if !strings.HasPrefix(aws.ToString(as.AssociationName), NamePrefix) {
			continue
		}
		for _, id := range as.Targets[0].Values {
			perNode[id]++
		}
	}
	for id, n := range perNode {
		if n > 1 {
			t.Errorf("%s is targeted by %d of patchready's update associations", id, n)
		}
	}
	if !strings.Contains(strings.Join(names, ","), "team-agent-updates") {
		t.Errorf("a user's association was removed: %v", names)
	}
	st, _ := ReadJournal(journal)
	found := false
	for _, line := range journalLines(t, journal) {
		found = found || strings.Contains(line, "replaced: an earlier run's association")
	}
	if !found || len(st.Live) != 1 {
		t.Errorf("the replacement is not journaled (live %v)", st.Live)
	}
}

// A kept association on exactly these nodes, pinned to another version, is
// not adopted: its result would be reported as this run's.
func TestAssociationsRefuseToAdoptOtherParameters(t *testing.T) {
	ctx := context.Background()
	api := newFakeSSM()
	if _, err := api.CreateAssociation(ctx, &ssm.CreateAssociationInput{Name: aws.String(documents.UpdateAgentDocumentName),
		AssociationName: aws.String("ops-pinned-agent"),
		Targets:         []types.Target{{Key: aws.String("InstanceIds"), Values: batchA}},
		Parameters:      map[string][]string{"version": {"3.2.0.0"}, "allowDowngrade": {"false"}}}); err != nil {
		t.Fatal(err)
	}
	opts, _ := testOptions(t, "20260302T090000Z-000006")
	opts.AgentVersion = "3.3.1142.0"
	a, _ := NewAssociations(api, opts)
	err := a.Start(ctx, [][]string{batchA})
	if err == nil || !strings.Contains(err.Error(), `with version="3.2.0.0" where this run wants "3.3.1142.0"`) {
		t.Fatalf("Start = %v, want a refusal naming the differing parameter", err)
	}
	// With the same parameters it is adopted, and left alone afterwards.
	opts2, _ := testOptions(t, "20260302T090000Z-000007")
	opts2.AgentVersion = "3.2.0.0"
	b, _ := NewAssociations(api, opts2)
	if err := b.Start(ctx, [][]string{batchA}); err != nil {
		t.Fatalf("Start with the same parameters: %v", err)
	}
	if err := b.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if len(api.assocs) != 1 {
		t.Errorf("the adopted association was deleted (%d left)", len(api.assocs))
	}
}

func TestAssociationsRefuseToPassTheLimit(t *testing.T) {
	api := newFakeSSM()
	for i := range AssociationLimit - 1 {
		api.assocs = append(api.assocs, &types.AssociationDescription{AssociationId: aws.String("x"), AssociationName: aws.String("user-" + string(rune('a'+i%26))), Name: aws.String("Custom")})
	}
	opts, _ := testOptions(t, "20260302T090000Z-000008")
	a, _ := NewAssociations(api, opts)
	err := a.Start(context.Background(), [][]string{batchA, batchB})
	if err == nil || !strings.Contains(err.Error(), "would pass the limit of 2000") {
		t.Fatalf("Start = %v, want the limit refusal", err)
	}
	if api.calls["CreateAssociation"] != 0 {
		t.Error("an association was created past the limit")
	}
}

func TestOptionsCheckAndSetDefaults(t *testing.T) {
	if err := (&Options{Journal: &Journal{}}).CheckAndSetDefaults(); err == nil || !strings.Contains(err.Error(), "no run ID") {
		t.Errorf("no run ID: %v", err)
	}
	if err := (&Options{RunID: "r"}).CheckAndSetDefaults(); err == nil || !strings.Contains(err.Error(), "no journal") {
		t.Errorf("no journal: %v", err)
	}
	o := Options{RunID: "r", Journal: &Journal{}}
	if err := o.CheckAndSetDefaults(); err != nil || o.MaxConcurrency != "10%" || o.MaxErrors != "10%" || o.Logger == nil || o.Clock == nil {
		t.Errorf("defaults: %+v, %v", o, err)
	}
}
