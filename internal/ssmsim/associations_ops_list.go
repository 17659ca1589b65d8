package ssmsim

import (
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("ListAssociations", listAssociations)
	register("DescribeAssociationExecutions", describeAssociationExecutions)
	register("DescribeAssociationExecutionTargets", describeAssociationExecutionTargets)
}

func listAssociations(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in struct {
		AssociationFilterList []associationFilter `json:"AssociationFilterList"`
		associationPaging
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	checkAssociationFilters(v, "associationFilterList", in.AssociationFilterList, in.MaxResults,
		[]string{"InstanceId", "Name", "AssociationId", "AssociationStatusName",
			"LastExecutedBefore", "LastExecutedAfter", "AssociationName", "ResourceGroupName"})
	if err := v.Err(); err != nil {
		return nil, err
	}
	var matched []*association
	for _, a := range r.associations.order {
		ok, err := associationFiltersMatch(in.AssociationFilterList, func(f associationFilter) (bool, *wire.Error) {
			return r.associationFilterMatches(a, *f.Key, *f.Value)
		})
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, a)
		}
	}
	page, next, err := associationPage(s, r, "ListAssociations", in.associationPaging, in.AssociationFilterList,
		matched, func(a *association) string { return seqKey(a.seq) })
	if err != nil {
		return nil, err
	}
	out := make([]associationSummary, len(page))
	for i, a := range page {
		out[i] = a.summary()
	}
	return map[string]any{"Associations": out, "NextToken": omitEmpty(next)}, nil
}

// associationFilterMatches applies one ListAssociations filter.
func (r *region) associationFilterMatches(a *association, key, value string) (bool, *wire.Error) {
	switch key {
	case "InstanceId":
		if a.InstanceID == value {
			return true, nil
		}
		n, ok := r.byID[value]
		return ok && nodeMatches(n, a.Targets), nil
	case "Name":
		return a.Name == value, nil
	case "AssociationId":
		return a.ID == value, nil
	case "AssociationName":
		return a.AssociationName == value, nil
	case "AssociationStatusName":
		return a.overview().Status == value, nil
	case "LastExecutedBefore", "LastExecutedAfter":
		t, err := time.Parse(time.RFC3339, value)
		if err != nil {
			return false, wire.ValidationError("Filter %s value %s is not an ISO-8601 timestamp.", key, wire.Clip(value))
		}
		if a.LastExecution.IsZero() {
			return false, nil
		}
		if key == "LastExecutedBefore" {
			return a.LastExecution.Before(t), nil
		}
		return a.LastExecution.After(t), nil
	}
	// ResourceGroupName: resource groups are not modelled, so nothing
	// targets one.
	return false, nil
}

func describeAssociationExecutions(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in struct {
		AssociationId *string             `json:"AssociationId"`
		Filters       []associationFilter `json:"Filters"`
		associationPaging
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("associationId", in.AssociationId != nil)
	if in.AssociationId != nil {
		v.Pattern("associationId", *in.AssociationId, reAssociationID)
	}
	checkAssociationFilters(v, "filters", in.Filters, in.MaxResults,
		[]string{"ExecutionId", "Status", "CreatedTime"}, "EQUAL", "LESS_THAN", "GREATER_THAN")
	if err := v.Err(); err != nil {
		return nil, err
	}
	a, err := r.associationByID(*in.AssociationId)
	if err != nil {
		return nil, err
	}
	// Newest first, as AWS lists them.
	var matched []*assocExecution
	for i := len(a.executions) - 1; i >= 0; i-- {
		e := a.executions[i]
		ok, err := associationFiltersMatch(in.Filters, func(f associationFilter) (bool, *wire.Error) {
			return execFilterMatches(e, *f.Key, *f.Value, *f.Type)
		})
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, e)
		}
	}
	page, next, err := associationPage(s, r, "DescribeAssociationExecutions", in.associationPaging, []any{in.AssociationId, in.Filters},
		matched, func(e *assocExecution) string { return seqKey(^e.seq) })
	if err != nil {
		return nil, err
	}
	out := make([]associationExecutionOut, len(page))
	for i, e := range page {
		out[i] = a.executionOut(e)
	}
	return map[string]any{"AssociationExecutions": out, "NextToken": omitEmpty(next)}, nil
}

func execFilterMatches(e *assocExecution, key, value, op string) (bool, *wire.Error) {
	switch key {
	case "ExecutionId":
		return op == "EQUAL" && e.ID == value, nil
	case "Status":
		return op == "EQUAL" && e.Status == value, nil
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return false, wire.ValidationError("CreatedTime filter value %s is not an ISO-8601 timestamp.", wire.Clip(value))
	}
	switch op {
	case "LESS_THAN":
		return e.Created.Before(t), nil
	case "GREATER_THAN":
		return e.Created.After(t), nil
	}
	return e.Created.Equal(t), nil
}

func describeAssociationExecutionTargets(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in struct {
		AssociationId *string             `json:"AssociationId"`
		ExecutionId   *string             `json:"ExecutionId"`
		Filters       []associationFilter `json:"Filters"`
		associationPaging
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("associationId", in.AssociationId != nil)
	v.Required("executionId", in.ExecutionId != nil)
	if in.AssociationId != nil {
		v.Pattern("associationId", *in.AssociationId, reAssociationID)
	}
	if in.ExecutionId != nil {
		v.Pattern("executionId", *in.ExecutionId, reAssociationID)
	}
	checkAssociationFilters(v, "filters", in.Filters, in.MaxResults, []string{"Status", "ResourceId", "ResourceType"})
	if err := v.Err(); err != nil {
		return nil, err
	}
	a, err := r.associationByID(*in.AssociationId)
	if err != nil {
		return nil, err
	}
	e := a.execution(*in.ExecutionId)
	if e == nil {
		return nil, wire.Errorf("AssociationExecutionDoesNotExist", "Execution %s of association %s does not exist.", *in.ExecutionId, a.ID)
	}
	var matched []*assocExecTarget
	for _, t := range e.targets {
		ok := true
		for _, f := range in.Filters {
			switch *f.Key {
			case "Status":
				ok = ok && t.Status == *f.Value
			case "ResourceId":
				ok = ok && t.ResourceID == *f.Value
			case "ResourceType":
				ok = ok && *f.Value == "ManagedInstance"
			}
		}
		if ok {
			matched = append(matched, t)
		}
	}
	page, next, err := associationPage(s, r, "DescribeAssociationExecutionTargets", in.associationPaging, []any{in.AssociationId, in.ExecutionId, in.Filters},
		matched, func(t *assocExecTarget) string { return t.ResourceID })
	if err != nil {
		return nil, err
	}
	out := make([]associationExecutionTargetOut, len(page))
	for i, t := range page {
		out[i] = a.targetOut(e, t)
	}
	return map[string]any{"AssociationExecutionTargets": out, "NextToken": omitEmpty(next)}, nil
}
