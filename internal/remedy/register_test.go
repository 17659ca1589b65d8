package remedy

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/unmanaged"
)

// fakeAssociations is EC2's profile associations, by instance.
type fakeAssociations struct {
	mu        sync.Mutex
	profiles  map[string]string // instance → profile
	refuse    map[string]bool   // instances AssociateIamInstanceProfile refuses (IncorrectState)
	associate int
}

func (f *fakeAssociations) DescribeIamInstanceProfileAssociations(_ context.Context, in *ec2.DescribeIamInstanceProfileAssociationsInput, _ ...func(*ec2.Options)) (*ec2.DescribeIamInstanceProfileAssociationsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &ec2.DescribeIamInstanceProfileAssociationsOutput{}
	for _, id := range in.Filters[0].Values {
		if p, ok := f.profiles[id]; ok {
			out.IamInstanceProfileAssociations = append(out.IamInstanceProfileAssociations, ec2types.IamInstanceProfileAssociation{
				InstanceId: aws.String(id), State: ec2types.IamInstanceProfileAssociationStateAssociated,
				IamInstanceProfile: &ec2types.IamInstanceProfile{Arn: aws.String("arn:aws:iam::123456789012:instance-profile/" + p)}})
		}
	}
	return out, nil
}

func (f *fakeAssociations) AssociateIamInstanceProfile(_ context.Context, in *ec2.AssociateIamInstanceProfileInput, _ ...func(*ec2.Options)) (*ec2.AssociateIamInstanceProfileOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.associate++
	id := *in.InstanceId
	if f.refuse[id] {
		return nil, &smithy.GenericAPIError{Code: "IncorrectState", Message: "There is an existing association for instance " + id}
	}
	f.profiles[id] = *in.IamInstanceProfile.Name
	return &ec2.AssociateIamInstanceProfileOutput{IamInstanceProfileAssociation: &ec2types.IamInstanceProfileAssociation{
		AssociationId: aws.String("iip-assoc-" + id[2:]), InstanceId: aws.String(id)}}, nil
}

// The profile association is made once per instance: an instance that has
// the plan's profile already is left alone, one that got another profile
// since the plan fails without a change, and one EC2 refuses fails with
// EC2's words. Instances that never register fail once their wait is out,
// with the suspects.
func TestRegisterAssociatesOnceAndWaits(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	ec := &fakeAssociations{profiles: map[string]string{"i-done": "ssm", "i-other": "someone-elses"}, refuse: map[string]bool{"i-racy": true}}
	registered := map[string]bool{}
	readBack := func(_ context.Context, ids []string) (map[string]fleet.Node, error) {
		out := map[string]fleet.Node{}
		for _, id := range ids {
			if registered[id] {
				out[id] = fleet.Node{InstanceID: id, PingStatus: fleet.PingOnline, AgentVersion: "3.3.1142.0"}
			}
		}
		return out, nil
	}
	j, err := OpenJournal(t.TempDir(), "20260302T090000Z-000000", clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	fixes := []unmanaged.FixPlan{{Kind: unmanaged.AttachProfile, Requested: true, Profile: "ssm"}}
	var targets []RegisterTarget
	ids := []string{"i-new", "i-done", "i-other", "i-racy", "i-never"}
	for _, id := range ids {
		targets = append(targets, RegisterTarget{InstanceID: id, Fixes: []unmanaged.FixKind{unmanaged.AttachProfile}})
	}
	r, err := NewRegister(RegisterAPIs{EC2: ec}, fixes, targets, readBack, Options{RunID: "20260302T090000Z-000000", Journal: j, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if ec.associate != 3 {
		t.Errorf("%d associate calls, want 3 (new, racy, never; not the instance that has the profile, nor the one with another)", ec.associate)
	}
	res, err := r.Results(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := res["i-other"]; got.OK || !strings.Contains(got.Reason, "has instance profile someone-elses now") {
		t.Errorf("i-other: %+v", got)
	}
	if got := res["i-racy"]; got.OK || !strings.Contains(got.Reason, "IncorrectState") {
		t.Errorf("i-racy: %+v", got)
	}
	registered["i-new"], registered["i-done"] = true, true
	clk.Advance(3 * time.Minute)
	res, _ = r.Results(ctx)
	for _, id := range []string{"i-new", "i-done"} {
		if got := res[id]; !got.OK || !strings.Contains(got.Reason, "registered with SSM (Online, agent 3.3.1142.0) 3m0s after attach-instance-profile") {
			t.Errorf("%s: %+v", id, got)
		}
	}
	if _, ok := res["i-never"]; ok {
		t.Error("i-never settled before its wait")
	}
	clk.Advance(15 * time.Minute)
	res, _ = r.Results(ctx)
	if got := res["i-never"]; got.OK || !strings.Contains(got.Reason, "not registered with SSM within 15m0s after attach-instance-profile: likely SSM Agent not installed") {
		t.Errorf("i-never: %+v", got)
	}
	st, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Live) != 2 || st.Live[0].Type != ResourceProfileAssociation {
		t.Errorf("journal: %+v, want the two associations made", st.Live)
	}
}
