package ssmsim

import (
	"strconv"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/schedexpr"
	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("CreateAssociation", createAssociation)
	register("UpdateAssociation", updateAssociation)
}

// associationInput is the settable part of CreateAssociation and
// UpdateAssociation. Members the simulator does not model (OutputLocation,
// TargetLocations, AlarmConfiguration, ...) are ignored, as a client that
// sends them would see no effect in a simulated fleet anyway.
type associationInput struct {
	AssociationId           *string             `json:"AssociationId"`
	AssociationVersion      *string             `json:"AssociationVersion"`
	Name                    *string             `json:"Name"`
	DocumentVersion         *string             `json:"DocumentVersion"`
	InstanceId              *string             `json:"InstanceId"`
	Parameters              map[string][]string `json:"Parameters"`
	Targets                 []targetSpec        `json:"Targets"`
	ScheduleExpression      *string             `json:"ScheduleExpression"`
	ScheduleOffset          *int                `json:"ScheduleOffset"`
	AssociationName         *string             `json:"AssociationName"`
	MaxErrors               *string             `json:"MaxErrors"`
	MaxConcurrency          *string             `json:"MaxConcurrency"`
	ComplianceSeverity      *string             `json:"ComplianceSeverity"`
	SyncCompliance          *string             `json:"SyncCompliance"`
	ApplyOnlyAtCronInterval bool                `json:"ApplyOnlyAtCronInterval"`
	Tags                    []tagSpec           `json:"Tags"`
}

// check validates the members against the API model's constraints.
func (in *associationInput) check(v *wire.Validator) {
	if in.Name != nil {
		v.Pattern("name", *in.Name, reDocumentName)
	}
	if in.DocumentVersion != nil {
		v.Pattern("documentVersion", *in.DocumentVersion, reDocumentVersion)
	}
	if in.InstanceId != nil {
		v.Pattern("instanceId", *in.InstanceId, reInstanceID)
	}
	checkTargets(v, "targets", in.Targets)
	if in.ScheduleExpression != nil {
		v.Length("scheduleExpression", *in.ScheduleExpression, 1, 256)
	}
	v.IntRange("scheduleOffset", in.ScheduleOffset, 1, 6)
	if in.AssociationName != nil {
		v.Pattern("associationName", *in.AssociationName, reAssociationName)
	}
	if in.MaxErrors != nil {
		v.Length("maxErrors", *in.MaxErrors, 1, 7)
		v.Pattern("maxErrors", *in.MaxErrors, reMaxErrors)
	}
	if in.MaxConcurrency != nil {
		v.Length("maxConcurrency", *in.MaxConcurrency, 1, 7)
		v.Pattern("maxConcurrency", *in.MaxConcurrency, reMaxConcurrency)
	}
	if in.ComplianceSeverity != nil {
		v.Enum("complianceSeverity", *in.ComplianceSeverity, "CRITICAL", "HIGH", "MEDIUM", "LOW", "UNSPECIFIED")
	}
	if in.SyncCompliance != nil {
		v.Enum("syncCompliance", *in.SyncCompliance, "AUTO", "MANUAL")
	}
	checkTags(v, in.Tags)
}

// associationSchedule parses and checks a ScheduleExpression the way
// State Manager does. The error is InvalidSchedule.
func associationSchedule(expr string, offset *int, cronOnly bool) (*schedexpr.Schedule, *wire.Error) {
	if expr == "" {
		if cronOnly || offset != nil {
			return nil, wire.Errorf("InvalidSchedule", "ApplyOnlyAtCronInterval and ScheduleOffset need a cron ScheduleExpression.")
		}
		return nil, nil
	}
	sc, err := schedexpr.Parse(expr, false)
	if err != nil {
		return nil, wire.Errorf("InvalidSchedule", "%v", err)
	}
	if sc.Kind == schedexpr.Rate && (sc.Every < 30*time.Minute || sc.Every >= 31*24*time.Hour) {
		return nil, wire.Errorf("InvalidSchedule", "Schedule expression %s is not valid: a rate must be at least 30 minutes and less than 31 days.", wire.Clip(expr))
	}
	if sc.Kind != schedexpr.Cron && (cronOnly || offset != nil) {
		return nil, wire.Errorf("InvalidSchedule", "ApplyOnlyAtCronInterval and ScheduleOffset are supported for cron expressions only.")
	}
	return sc, nil
}

func createAssociation(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in associationInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("name", in.Name != nil)
	in.check(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	a := &association{
		ID: r.newUUID(), Version: 1, Name: *in.Name, Parameters: in.Parameters,
		Created: now, Updated: now, ApplyOnlyAtCron: in.ApplyOnlyAtCronInterval,
	}
	if err := r.applyAssociationInput(a, &in, true); err != nil {
		return nil, err
	}
	if err := r.checkAssociationUnique(a); err != nil {
		return nil, err
	}
	if len(r.associations.byID) >= maxAssociations {
		return nil, wire.Errorf("AssociationLimitExceeded", "You can have at most %d active associations.", maxAssociations)
	}
	r.associations.add(a)
	if len(in.Tags) > 0 {
		r.setTags("Association", a.ID, tagMap(in.Tags))
	}
	r.startAssociation(a, now)
	return map[string]any{"AssociationDescription": a.description()}, nil
}

// startAssociation runs a new or updated association at once, unless it
// is to run only at its cron times, and arms its schedule.
func (r *region) startAssociation(a *association, now time.Time) {
	if !a.ApplyOnlyAtCron {
		r.runAssociation(a, now)
	}
	r.armAssociation(a, now)
}

// applyAssociationInput copies the request's members onto a after the
// checks that need the region: document, version, parameters, targets,
// schedule. create says whether members left out take their defaults.
func (r *region) applyAssociationInput(a *association, in *associationInput, create bool) *wire.Error {
	if in.Name != nil {
		a.Name = *in.Name
	}
	if in.DocumentVersion != nil {
		a.DocumentVersion = *in.DocumentVersion
	}
	d, err := r.lookupDocument(a.Name)
	if err != nil {
		return err
	}
	if _, _, err := d.version(a.DocumentVersion); err != nil {
		return err
	}
	if in.Parameters != nil || create {
		a.Parameters = in.Parameters
	}
	if err := r.validateParameters(a.Name, a.DocumentVersion, a.Parameters); err != nil {
		return err
	}
	if in.InstanceId != nil {
		if len(in.Targets) > 0 {
			return wire.ValidationError("InstanceId and Targets cannot both be specified.")
		}
		n, ok := r.byID[*in.InstanceId]
		if !ok || n.Terminated {
			return wire.Errorf("InvalidInstanceId", "Instance %s is not valid.", *in.InstanceId)
		}
		a.InstanceID = *in.InstanceId
	}
	if in.Targets != nil {
		if err := unsupportedTarget(in.Targets); err != nil {
			return err
		}
		a.Targets = in.Targets
	}
	if a.InstanceID == "" && len(a.Targets) == 0 {
		return wire.Errorf("InvalidTarget", "Either Targets or InstanceId must be specified.")
	}
	if in.ScheduleExpression != nil || create {
		a.Schedule = deref(in.ScheduleExpression)
	}
	if in.ScheduleOffset != nil || create {
		a.ScheduleOffset = in.ScheduleOffset
	}
	a.ApplyOnlyAtCron = in.ApplyOnlyAtCronInterval
	sc, err := associationSchedule(a.Schedule, a.ScheduleOffset, a.ApplyOnlyAtCron)
	if err != nil {
		return err
	}
	a.sched = sc
	setIf(&a.AssociationName, in.AssociationName)
	setIf(&a.MaxErrors, in.MaxErrors)
	setIf(&a.MaxConcurrency, in.MaxConcurrency)
	setIf(&a.Severity, in.ComplianceSeverity)
	setIf(&a.SyncCompliance, in.SyncCompliance)
	if create && a.SyncCompliance == "" {
		a.SyncCompliance = "AUTO"
	}
	return nil
}

// checkAssociationUnique answers AssociationAlreadyExists. AWS documents
// the error for "a document already associated with the instance"; the
// simulator takes the stricter reading: the same document with the same
// legacy InstanceId, or with the same set of targets, whatever the
// parameters and schedule.
func (r *region) checkAssociationUnique(a *association) *wire.Error {
	key := targetsKey(a.Targets)
	for _, x := range r.associations.order {
		if x.ID == a.ID || x.Name != a.Name {
			continue
		}
		if (a.InstanceID != "" && x.InstanceID == a.InstanceID) || (a.InstanceID == "" && x.InstanceID == "" && targetsKey(x.Targets) == key) {
			return wire.Errorf("AssociationAlreadyExists", "An association of document %s with these targets already exists: %s.", a.Name, x.ID)
		}
	}
	return nil
}

func updateAssociation(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in associationInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("associationId", in.AssociationId != nil)
	if in.AssociationId != nil {
		v.Pattern("associationId", *in.AssociationId, reAssociationID)
	}
	in.check(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a, err := r.associationByID(*in.AssociationId)
	if err != nil {
		return nil, err
	}
	if in.AssociationVersion != nil && *in.AssociationVersion != "$LATEST" && *in.AssociationVersion != strconv.Itoa(a.Version) {
		return nil, wire.Errorf("InvalidAssociationVersion", "Association version %s is not the latest version %d.", wire.Clip(*in.AssociationVersion), a.Version)
	}
	// Work on a copy so that a rejected update changes nothing.
	next := *a
	if err := r.applyAssociationInput(&next, &in, false); err != nil {
		return nil, err
	}
	if err := r.checkAssociationUnique(&next); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	*a = next
	a.Version++
	a.Updated = now
	a.gen++ // disarms the old schedule
	// AWS runs an updated association at once on its targets unless it
	// applies only at cron intervals.
	r.startAssociation(a, now)
	return map[string]any{"AssociationDescription": a.description()}, nil
}
