package ssmsim

import "strconv"

// JSON shapes of association outputs. Member names are the API model's;
// optional members are pointers or omitempty so that absent stays absent.

type associationOverview struct {
	Status                           string         `json:"Status,omitempty"`
	DetailedStatus                   string         `json:"DetailedStatus,omitempty"`
	AssociationStatusAggregatedCount map[string]int `json:"AssociationStatusAggregatedCount,omitempty"`
}

type associationDescription struct {
	Name                        string              `json:"Name"`
	InstanceId                  string              `json:"InstanceId,omitempty"`
	AssociationVersion          string              `json:"AssociationVersion"`
	Date                        *float64            `json:"Date,omitempty"`
	LastUpdateAssociationDate   *float64            `json:"LastUpdateAssociationDate,omitempty"`
	Overview                    associationOverview `json:"Overview"`
	DocumentVersion             string              `json:"DocumentVersion,omitempty"`
	Parameters                  map[string][]string `json:"Parameters,omitempty"`
	AssociationId               string              `json:"AssociationId"`
	Targets                     []targetSpec        `json:"Targets,omitempty"`
	ScheduleExpression          string              `json:"ScheduleExpression,omitempty"`
	ScheduleOffset              *int                `json:"ScheduleOffset,omitempty"`
	LastExecutionDate           *float64            `json:"LastExecutionDate,omitempty"`
	LastSuccessfulExecutionDate *float64            `json:"LastSuccessfulExecutionDate,omitempty"`
	AssociationName             string              `json:"AssociationName,omitempty"`
	MaxErrors                   string              `json:"MaxErrors,omitempty"`
	MaxConcurrency              string              `json:"MaxConcurrency,omitempty"`
	ComplianceSeverity          string              `json:"ComplianceSeverity,omitempty"`
	SyncCompliance              string              `json:"SyncCompliance,omitempty"`
	ApplyOnlyAtCronInterval     bool                `json:"ApplyOnlyAtCronInterval"`
}

type associationSummary struct {
	Name               string              `json:"Name"`
	InstanceId         string              `json:"InstanceId,omitempty"`
	AssociationId      string              `json:"AssociationId"`
	AssociationVersion string              `json:"AssociationVersion"`
	DocumentVersion    string              `json:"DocumentVersion,omitempty"`
	Targets            []targetSpec        `json:"Targets,omitempty"`
	LastExecutionDate  *float64            `json:"LastExecutionDate,omitempty"`
	Overview           associationOverview `json:"Overview"`
	ScheduleExpression string              `json:"ScheduleExpression,omitempty"`
	ScheduleOffset     *int                `json:"ScheduleOffset,omitempty"`
	AssociationName    string              `json:"AssociationName,omitempty"`
}

type associationExecutionOut struct {
	AssociationId         string   `json:"AssociationId"`
	AssociationVersion    string   `json:"AssociationVersion"`
	ExecutionId           string   `json:"ExecutionId"`
	Status                string   `json:"Status"`
	DetailedStatus        string   `json:"DetailedStatus"`
	CreatedTime           *float64 `json:"CreatedTime,omitempty"`
	LastExecutionDate     *float64 `json:"LastExecutionDate,omitempty"`
	ResourceCountByStatus string   `json:"ResourceCountByStatus"`
}

type outputSource struct {
	OutputSourceId   string `json:"OutputSourceId"`
	OutputSourceType string `json:"OutputSourceType"`
}

type associationExecutionTargetOut struct {
	AssociationId      string        `json:"AssociationId"`
	AssociationVersion string        `json:"AssociationVersion"`
	ExecutionId        string        `json:"ExecutionId"`
	ResourceId         string        `json:"ResourceId"`
	ResourceType       string        `json:"ResourceType"`
	Status             string        `json:"Status"`
	DetailedStatus     string        `json:"DetailedStatus"`
	LastExecutionDate  *float64      `json:"LastExecutionDate,omitempty"`
	OutputSource       *outputSource `json:"OutputSource,omitempty"`
}

// overview summarises the association's latest execution.
func (a *association) overview() associationOverview {
	e := a.latestExecution()
	switch {
	case e == nil:
		return associationOverview{Status: "Pending", DetailedStatus: "Associated"}
	case e.Status == "Pending" || e.Status == "InProgress":
		return associationOverview{Status: "Pending", DetailedStatus: e.DetailedStatus, AssociationStatusAggregatedCount: e.countByStatus()}
	}
	return associationOverview{Status: e.Status, DetailedStatus: e.DetailedStatus, AssociationStatusAggregatedCount: e.countByStatus()}
}

func (a *association) description() associationDescription {
	return associationDescription{
		Name: a.Name, InstanceId: a.InstanceID, AssociationVersion: strconv.Itoa(a.Version),
		Date: epochPtr(a.Created), LastUpdateAssociationDate: epochPtr(a.Updated),
		Overview: a.overview(), DocumentVersion: a.DocumentVersion, Parameters: a.Parameters,
		AssociationId: a.ID, Targets: a.Targets, ScheduleExpression: a.Schedule, ScheduleOffset: a.ScheduleOffset,
		LastExecutionDate: epochPtr(a.LastExecution), LastSuccessfulExecutionDate: epochPtr(a.LastSuccess),
		AssociationName: a.AssociationName, MaxErrors: a.MaxErrors, MaxConcurrency: a.MaxConcurrency,
		ComplianceSeverity: a.Severity, SyncCompliance: a.SyncCompliance, ApplyOnlyAtCronInterval: a.ApplyOnlyAtCron,
	}
}

func (a *association) summary() associationSummary {
	return associationSummary{
		Name: a.Name, InstanceId: a.InstanceID, AssociationId: a.ID, AssociationVersion: strconv.Itoa(a.Version),
		DocumentVersion: a.DocumentVersion, Targets: a.Targets, LastExecutionDate: epochPtr(a.LastExecution),
		Overview: a.overview(), ScheduleExpression: a.Schedule, ScheduleOffset: a.ScheduleOffset, AssociationName: a.AssociationName,
	}
}

func (a *association) executionOut(e *assocExecution) associationExecutionOut {
	return associationExecutionOut{
		AssociationId: a.ID, AssociationVersion: strconv.Itoa(e.Version), ExecutionId: e.ID,
		Status: e.Status, DetailedStatus: e.DetailedStatus, CreatedTime: epochPtr(e.Created),
		LastExecutionDate: epochPtr(e.LastExecution), ResourceCountByStatus: resourceCountByStatus(e.countByStatus()),
	}
}

func (a *association) targetOut(e *assocExecution, t *assocExecTarget) associationExecutionTargetOut {
	out := associationExecutionTargetOut{
		AssociationId: a.ID, AssociationVersion: strconv.Itoa(e.Version), ExecutionId: e.ID,
		ResourceId: t.ResourceID, ResourceType: "ManagedInstance", Status: t.Status, DetailedStatus: t.DetailedStatus,
		LastExecutionDate: epochPtr(t.LastExecution),
	}
	if t.OutputSourceID != "" {
		out.OutputSource = &outputSource{OutputSourceId: t.OutputSourceID, OutputSourceType: "RunCommand"}
	}
	return out
}
