package ssmsim

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	registerOp("ec2", "DescribeIamInstanceProfileAssociations", describeProfileAssociations)
	registerOp("ec2", "AssociateIamInstanceProfile", associateProfile)
}

type profileAssociationOut struct {
	AssociationID      string        `xml:"associationId"`
	InstanceID         string        `xml:"instanceId"`
	IamInstanceProfile profileRefOut `xml:"iamInstanceProfile"`
	State              string        `xml:"state"`
	Timestamp          string        `xml:"timestamp"`
}

var reAssociationIDEC2 = regexp.MustCompile(`^iip-assoc-[0-9a-f]{17}$`)

// associationView is one association, of an unmanaged instance or of a
// fleet node whose IamRole names its profile.
func (r *region) associationOut(a *profileAssociation, now time.Time) profileAssociationOut {
	state := a.state
	if state == "associating" && !now.Before(a.at.Add(associationSettle)) {
		state = "associated"
	}
	ref := profileRefOut{Arn: r.profileARNOf(a.profile), ID: iamID("AIPA", r.account.id+"/profile/"+a.profile)}
	if p, err := r.account.iam.profile(a.profile); err == nil {
		ref.ID = p.id
	}
	return profileAssociationOut{AssociationID: a.id, InstanceID: a.instanceID, IamInstanceProfile: ref, State: state,
		Timestamp: a.at.UTC().Format("2006-01-02T15:04:05.000Z")}
}

// nodeAssociation is the association a fleet node's profile implies.
func (r *region) nodeAssociation(n *Node) *profileAssociation {
	if n.ResourceType != "EC2Instance" || n.IAMRole == "" || n.Terminated {
		return nil
	}
	return &profileAssociation{id: associationIDFor(n.ID), instanceID: n.ID, profile: roleNameOf(n.IAMRole), state: "associated",
		at: r.created.Add(-time.Duration(30+hashOf(n.ID)%900) * 24 * time.Hour)}
}

type describeAssociationsOut struct {
	wire.EC2Meta
	Associations []profileAssociationOut `xml:"iamInstanceProfileAssociationSet>item"`
	NextToken    string                  `xml:"nextToken,omitempty"`
}

// describeProfileAssociations lists associations in instance ID order,
// from the same two sorted lists DescribeInstances walks.
func describeProfileAssociations(c *call) (any, *wire.Error) {
	f, r := c.form, c.r
	maxRes, ok := f.Int("MaxResults")
	if !ok {
		return nil, wire.Errorf("InvalidParameterValue", "Value (%s) for parameter maxResults is invalid. Expecting an integer.", wire.Clip(f.Get("MaxResults")))
	}
	ids := f.List("AssociationId")
	if maxRes != nil && len(ids) > 0 {
		return nil, wire.Errorf("InvalidParameterCombination", "The parameter associationIds cannot be used with the parameter maxResults")
	}
	if maxRes != nil && (*maxRes < 5 || *maxRes > 1000) {
		return nil, wire.Errorf("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", *maxRes)
	}
	filters := f.Filters()
	for _, fl := range filters {
		if fl.Name != "instance-id" && fl.Name != "state" {
			return nil, wire.Errorf("InvalidParameterValue", "The filter '%s' is invalid", wire.Clip(fl.Name))
		}
	}
	match := func(a profileAssociationOut) bool {
		return ec2FiltersMatch(filters, func(name string) []string {
			if name == "instance-id" {
				return []string{a.InstanceID}
			}
			return []string{a.State}
		})
	}
	out := &describeAssociationsOut{Associations: []profileAssociationOut{}}
	if len(ids) > 0 {
		for _, id := range ids {
			if !reAssociationIDEC2.MatchString(id) {
				return nil, wire.Errorf("InvalidAssociationID.Malformed", "Invalid id: %q", wire.Clip(id))
			}
			a := r.profileAssociationByID(id)
			if a == nil {
				return nil, wire.Errorf("InvalidAssociationID.NotFound", "An association ID '%s' does not exist", id)
			}
			if o := r.associationOut(a, c.now); match(o) {
				out.Associations = append(out.Associations, o)
			}
		}
		sort.Slice(out.Associations, func(i, j int) bool { return out.Associations[i].InstanceID < out.Associations[j].InstanceID })
		return out, nil
	}

	next, werr := c.walkEC2("DescribeIamInstanceProfileAssociations", filters, maxRes, func(n *Node, x *ec2Instance) bool {
		var a *profileAssociation
		if x != nil {
			a = x.assoc
		} else {
			a = r.nodeAssociation(n)
		}
		if a == nil {
			return false
		}
		o := r.associationOut(a, c.now)
		if !match(o) {
			return false
		}
		out.Associations = append(out.Associations, o)
		return true
	})
	out.NextToken = next
	return out, werr
}

// profileAssociationByID finds an association by ID: an unmanaged instance's,
// or the one a fleet node's ID implies.
func (r *region) profileAssociationByID(id string) *profileAssociation {
	if a, ok := r.ec2.associations[id]; ok {
		return a
	}
	hex := strings.TrimLeft(strings.TrimPrefix(id, "iip-assoc-"), "0")
	for _, cand := range []string{"i-" + strings.Repeat("0", max(0, 17-len(hex))) + hex, "i-" + strings.Repeat("0", max(0, 8-len(hex))) + hex} {
		if n, ok := r.byID[cand]; ok && r.ec2.byID[cand] == nil {
			if a := r.nodeAssociation(n); a != nil && a.id == id {
				return a
			}
		}
	}
	return nil
}

type associateProfileOut struct {
	wire.EC2Meta
	Association profileAssociationOut `xml:"iamInstanceProfileAssociation"`
}

// associateProfile attaches an instance profile to an instance that has
// none. AWS refuses a second one with IncorrectState "There is an
// existing association for instance ..." (seen in the wild:
// aws-samples/one-observability-demo#201); ReplaceIamInstanceProfile-
// Association is the way to change one, and the simulator does not model
// it.
func associateProfile(c *call) (any, *wire.Error) {
	f, r := c.form, c.r
	id := f.Get("InstanceId")
	if id == "" {
		return nil, wire.Errorf("MissingParameter", "The request must contain the parameter InstanceId")
	}
	name, arn := f.Get("IamInstanceProfile.Name"), f.Get("IamInstanceProfile.Arn")
	if name == "" && arn == "" {
		return nil, wire.Errorf("MissingParameter", "The request must contain the parameter IamInstanceProfile")
	}
	if !reInstanceID.MatchString(id) || strings.HasPrefix(id, "mi-") {
		return nil, wire.Errorf("InvalidInstanceID.Malformed", "Invalid id: %q", wire.Clip(id))
	}
	iam := r.account.iam
	var prof *iamProfile
	if arn != "" {
		pre := "arn:aws:iam::" + r.account.id + ":instance-profile"
		rest, ok := strings.CutPrefix(arn, pre)
		p, err := iam.profile(roleNameOf(rest))
		if !ok || err != nil || p.path+p.name != rest || (name != "" && !strings.EqualFold(name, p.name)) {
			return nil, wire.Errorf("InvalidParameterValue", "Value (%s) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN", wire.Clip(arn))
		}
		prof = p
	} else {
		p, err := iam.profile(name)
		if err != nil {
			return nil, wire.Errorf("InvalidParameterValue", "Value (%s) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name", wire.Clip(name))
		}
		prof = p
	}
	x, ok := r.ec2.byID[id]
	if !ok {
		n, isNode := r.byID[id]
		switch {
		case !isNode || n.ResourceType != "EC2Instance" || n.Terminated:
			return nil, wire.Errorf("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
		case n.IAMRole != "":
			return nil, wire.Errorf("IncorrectState", "There is an existing association for instance %s", id)
		}
		// A managed node without a profile (Default Host Management) may
		// get one; the simulator records it on the node.
		n.IAMRole = prof.name
		a := r.nodeAssociation(n)
		a.state, a.at = "associating", c.now
		return &associateProfileOut{Association: r.associationOut(a, c.now)}, nil
	}
	if x.assoc != nil {
		return nil, wire.Errorf("IncorrectState", "There is an existing association for instance %s", id)
	}
	x.assoc = &profileAssociation{id: associationIDFor(id), instanceID: id, profile: prof.name, state: "associating", at: c.now}
	r.ec2.associations[x.assoc.id] = x.assoc
	// The association settles, then the agent picks the credentials up.
	r.schedule(c.now.Add(associationSettle), func(at time.Time) {
		x.assoc.state = "associated"
		r.kickRegistration(at)
	})
	return &associateProfileOut{Association: r.associationOut(x.assoc, c.now)}, nil
}
