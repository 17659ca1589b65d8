package ssmsim

import (
	"strconv"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("StartAssociationsOnce", startAssociationsOnce)
}

// startAssociationsOnce runs each association once now, whatever its
// schedule, as AWS's StartAssociationsOnce does.
func startAssociationsOnce(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in struct {
		AssociationIds []string `json:"AssociationIds"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("associationIds", in.AssociationIds != nil)
	v.Count("associationIds", len(in.AssociationIds), 1, 10)
	for i, id := range in.AssociationIds {
		v.Pattern("associationIds."+strconv.Itoa(i+1)+".member", id, reAssociationID)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	list := make([]*association, 0, len(in.AssociationIds))
	for _, id := range in.AssociationIds {
		a, err := r.associationByID(id)
		if err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	now := s.clock.Now()
	for _, a := range list {
		r.runAssociation(a, now)
	}
	return struct{}{}, nil
}

// omitEmpty turns an empty NextToken into nil so that it is left out.
func omitEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
