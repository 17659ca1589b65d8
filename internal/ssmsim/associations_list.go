package ssmsim

import (
	"strconv"
	"time"
)

func init() {
	register("ListAssociations", listAssociations)
	register("DescribeAssociationExecutions", describeAssociationExecutions)
	register("DescribeAssociationExecutionTargets", describeAssociationExecutionTargets)
}

// associationPageSize is the page size when MaxResults is not given. AWS
// does not document its default; 50 is the model's maximum.
const associationPageSize = 50

func listAssociations(s *Server, r *region, body []byte) (any, *apiError) {
	var in struct {
		AssociationFilterList []struct {
			Key   *string `json:"key"`
			Value *string `json:"value"`
		} `json:"AssociationFilterList"`
		MaxResults *int    `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &validator{}
	if in.AssociationFilterList != nil {
		v.count("associationFilterList", len(in.AssociationFilterList), 1, 0)
	}
	for i, f := range in.AssociationFilterList {
		m := "associationFilterList." + strconv.Itoa(i+1) + ".member"
		v.required(m+".key", f.Key != nil)
		v.required(m+".value", f.Value != nil)
		if f.Key != nil {
			v.enum(m+".key", *f.Key, "InstanceId", "Name", "AssociationId", "AssociationStatusName",
				"LastExecutedBefore", "LastExecutedAfter", "AssociationName", "ResourceGroupName")
		}
		if f.Value != nil {
			v.length(m+".value", *f.Value, 1, 0)
		}
	}
	v.intRange("maxResults", in.MaxResults, 1, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	var matched []*association
	for _, a := range r.associations.order {
		ok := true
		for _, f := range in.AssociationFilterList {
			m, err := r.associationFilterMatches(a, *f.Key, *f.Value)
			if err != nil {
				return nil, err
			}
			ok = ok && m
		}
		if ok {
			matched = append(matched, a)
		}
	}
	page, next, err := pageOf(s, r, "ListAssociations", fingerprint(in.AssociationFilterList), deref(in.NextToken),
		maxResults(in.MaxResults, associationPageSize), matched, func(a *association) string { return seqKey(a.seq) })
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
func (r *region) associationFilterMatches(a *association, key, value string) (bool, *apiError) {
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
			return false, validationError("Filter %s value %s is not an ISO-8601 timestamp.", key, clip(value))
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

func describeAssociationExecutions(s *Server, r *region, body []byte) (any, *apiError) {
	var in struct {
		AssociationId *string `json:"AssociationId"`
		Filters       []struct {
			Key   *string `json:"Key"`
			Value *string `json:"Value"`
			Type  *string `json:"Type"`
		} `json:"Filters"`
		MaxResults *int    `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &validator{}
	v.required("associationId", in.AssociationId != nil)
	if in.AssociationId != nil {
		v.pattern("associationId", *in.AssociationId, reAssociationID)
	}
	if in.Filters != nil {
		v.count("filters", len(in.Filters), 1, 0)
	}
	for i, f := range in.Filters {
		m := "filters." + strconv.Itoa(i+1) + ".member"
		v.required(m+".key", f.Key != nil)
		v.required(m+".value", f.Value != nil)
		v.required(m+".type", f.Type != nil)
		if f.Key != nil {
			v.enum(m+".key", *f.Key, "ExecutionId", "Status", "CreatedTime")
		}
		if f.Value != nil {
			v.length(m+".value", *f.Value, 1, 0)
		}
		if f.Type != nil {
			v.enum(m+".type", *f.Type, "EQUAL", "LESS_THAN", "GREATER_THAN")
		}
	}
	v.intRange("maxResults", in.MaxResults, 1, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, ok := r.associations.byID[*in.AssociationId]
	if !ok {
		return nil, errorf("AssociationDoesNotExist", "Association %s does not exist.", *in.AssociationId)
	}
	// Newest first, as AWS lists them.
	var matched []*assocExecution
	for i := len(a.executions) - 1; i >= 0; i-- {
		e := a.executions[i]
		ok := true
		for _, f := range in.Filters {
			m, err := execFilterMatches(e, *f.Key, *f.Value, *f.Type)
			if err != nil {
				return nil, err
			}
			ok = ok && m
		}
		if ok {
			matched = append(matched, e)
		}
	}
	page, next, err := pageOf(s, r, "DescribeAssociationExecutions", fingerprint([]any{in.AssociationId, in.Filters}), deref(in.NextToken),
		maxResults(in.MaxResults, associationPageSize), matched, func(e *assocExecution) string { return seqKey(^e.seq) })
	if err != nil {
		return nil, err
	}
	out := make([]associationExecutionOut, len(page))
	for i, e := range page {
		out[i] = a.executionOut(e)
	}
	return map[string]any{"AssociationExecutions": out, "NextToken": omitEmpty(next)}, nil
}

func execFilterMatches(e *assocExecution, key, value, op string) (bool, *apiError) {
	switch key {
	case "ExecutionId":
		return op == "EQUAL" && e.ID == value, nil
	case "Status":
		return op == "EQUAL" && e.Status == value, nil
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return false, validationError("CreatedTime filter value %s is not an ISO-8601 timestamp.", clip(value))
	}
	switch op {
	case "LESS_THAN":
		return e.Created.Before(t), nil
	case "GREATER_THAN":
		return e.Created.After(t), nil
	}
	return e.Created.Equal(t), nil
}

func describeAssociationExecutionTargets(s *Server, r *region, body []byte) (any, *apiError) {
	var in struct {
		AssociationId *string `json:"AssociationId"`
		ExecutionId   *string `json:"ExecutionId"`
		Filters       []struct {
			Key   *string `json:"Key"`
			Value *string `json:"Value"`
		} `json:"Filters"`
		MaxResults *int    `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &validator{}
	v.required("associationId", in.AssociationId != nil)
	v.required("executionId", in.ExecutionId != nil)
	if in.AssociationId != nil {
		v.pattern("associationId", *in.AssociationId, reAssociationID)
	}
	if in.ExecutionId != nil {
		v.pattern("executionId", *in.ExecutionId, reAssociationID)
	}
	if in.Filters != nil {
		v.count("filters", len(in.Filters), 1, 0)
	}
	for i, f := range in.Filters {
		m := "filters." + strconv.Itoa(i+1) + ".member"
		v.required(m+".key", f.Key != nil)
		v.required(m+".value", f.Value != nil)
		if f.Key != nil {
			v.enum(m+".key", *f.Key, "Status", "ResourceId", "ResourceType")
		}
		if f.Value != nil {
			v.length(m+".value", *f.Value, 1, 0)
		}
	}
	v.intRange("maxResults", in.MaxResults, 1, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, ok := r.associations.byID[*in.AssociationId]
	if !ok {
		return nil, errorf("AssociationDoesNotExist", "Association %s does not exist.", *in.AssociationId)
	}
	e := a.execution(*in.ExecutionId)
	if e == nil {
		return nil, errorf("AssociationExecutionDoesNotExist", "Execution %s of association %s does not exist.", *in.ExecutionId, a.ID)
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
	page, next, err := pageOf(s, r, "DescribeAssociationExecutionTargets", fingerprint([]any{in.AssociationId, in.ExecutionId, in.Filters}), deref(in.NextToken),
		maxResults(in.MaxResults, associationPageSize), matched, func(t *assocExecTarget) string { return t.ResourceID })
	if err != nil {
		return nil, err
	}
	out := make([]associationExecutionTargetOut, len(page))
	for i, t := range page {
		out[i] = a.targetOut(e, t)
	}
	return map[string]any{"AssociationExecutionTargets": out, "NextToken": omitEmpty(next)}, nil
}
