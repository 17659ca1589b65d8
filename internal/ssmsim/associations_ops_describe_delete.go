package ssmsim

import (
	"strconv"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("DeleteAssociation", deleteAssociation)
	register("DescribeAssociation", describeAssociation)
}

// findAssociation looks an association up by AssociationId, or by the
// legacy Name + InstanceId pair.
func (r *region) findAssociation(id, name, instance *string) (*association, *wire.Error) {
	v := &wire.Validator{}
	if id != nil {
		v.Pattern("associationId", *id, reAssociationID)
	}
	if instance != nil {
		v.Pattern("instanceId", *instance, reInstanceID)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	switch {
	case id != nil:
		if a, ok := r.associations.byID[*id]; ok {
			return a, nil
		}
	case name != nil && instance != nil:
		for _, a := range r.associations.order {
			if a.Name == *name && a.InstanceID == *instance {
				return a, nil
			}
		}
	default:
		return nil, wire.ValidationError("Specify AssociationId, or Name and InstanceId.")
	}
	return nil, wire.Errorf("AssociationDoesNotExist", "The specified association does not exist.")
}

type associationRef struct {
	AssociationId      *string `json:"AssociationId"`
	AssociationVersion *string `json:"AssociationVersion"`
	Name               *string `json:"Name"`
	InstanceId         *string `json:"InstanceId"`
}

func deleteAssociation(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in associationRef
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	a, err := r.findAssociation(in.AssociationId, in.Name, in.InstanceId)
	if err != nil {
		return nil, err
	}
	r.associations.remove(a)
	r.dropTags("Association", a.ID)
	return struct{}{}, nil
}

func describeAssociation(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in associationRef
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	a, err := r.findAssociation(in.AssociationId, in.Name, in.InstanceId)
	if err != nil {
		return nil, err
	}
	if v := in.AssociationVersion; v != nil && *v != "$LATEST" && *v != strconv.Itoa(a.Version) {
		return nil, wire.Errorf("InvalidAssociationVersion", "The simulator keeps only the latest version (%d) of association %s.", a.Version, a.ID)
	}
	return map[string]any{"AssociationDescription": a.description()}, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func setIf(dst *string, src *string) {
	if src != nil {
		*dst = *src
	}
}
