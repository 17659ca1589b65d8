package ssmsim

import (
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/schedexpr"
	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("CreateMaintenanceWindow", createMaintenanceWindow)
	register("GetMaintenanceWindow", getMaintenanceWindow)
	register("UpdateMaintenanceWindow", updateMaintenanceWindow)
	register("DeleteMaintenanceWindow", deleteMaintenanceWindow)
}

// windowPageSize is the page size when MaxResults is not given; AWS does
// not document a default, and 50 lies inside the model's 10-100.
const windowPageSize = 50

// windowInput is the settable part of Create- and UpdateMaintenanceWindow.
type windowInput struct {
	WindowId                 *string   `json:"WindowId"`
	Name                     *string   `json:"Name"`
	Description              *string   `json:"Description"`
	StartDate                *string   `json:"StartDate"`
	EndDate                  *string   `json:"EndDate"`
	Schedule                 *string   `json:"Schedule"`
	ScheduleTimezone         *string   `json:"ScheduleTimezone"`
	ScheduleOffset           *int      `json:"ScheduleOffset"`
	Duration                 *int      `json:"Duration"`
	Cutoff                   *int      `json:"Cutoff"`
	AllowUnassociatedTargets *bool     `json:"AllowUnassociatedTargets"`
	Enabled                  *bool     `json:"Enabled"`
	ClientToken              *string   `json:"ClientToken"`
	Tags                     []tagSpec `json:"Tags"`
}

func (in *windowInput) check(v *wire.Validator) {
	if in.Name != nil {
		v.Length("name", *in.Name, 3, 128)
		v.Pattern("name", *in.Name, reWindowName)
	}
	if in.Description != nil {
		v.Length("description", *in.Description, 1, 128)
	}
	if in.Schedule != nil {
		v.Length("schedule", *in.Schedule, 1, 256)
	}
	v.IntRange("scheduleOffset", in.ScheduleOffset, 1, 6)
	v.IntRange("duration", in.Duration, 1, 24)
	v.IntRange("cutoff", in.Cutoff, 0, 23)
	if in.ClientToken != nil {
		v.Length("clientToken", *in.ClientToken, 1, 64)
	}
	checkTags(v, in.Tags)
}

// apply copies the request onto w and checks what needs more than the
// model: schedule syntax, time zone, dates, Cutoff < Duration, and that an
// at() schedule the request sets is still ahead of now. Errors are
// ValidationException, as AWS answers for a bad schedule.
func (w *window) apply(in *windowInput, now time.Time) *wire.Error {
	setIf(&w.Name, in.Name)
	setIf(&w.Description, in.Description)
	setIf(&w.Schedule, in.Schedule)
	setIf(&w.Timezone, in.ScheduleTimezone)
	setIf(&w.StartDate, in.StartDate)
	setIf(&w.EndDate, in.EndDate)
	if in.ScheduleOffset != nil {
		w.ScheduleOffset = in.ScheduleOffset
	}
	if in.Duration != nil {
		w.Duration = *in.Duration
	}
	if in.Cutoff != nil {
		w.Cutoff = *in.Cutoff
	}
	if in.AllowUnassociatedTargets != nil {
		w.AllowUnassociatedTargets = *in.AllowUnassociatedTargets
	}
	if in.Enabled != nil {
		w.Enabled = *in.Enabled
	}
	sc, err := schedexpr.Parse(w.Schedule, true)
	if err != nil {
		return wire.ValidationError("Invalid schedule: %v", err)
	}
	if w.ScheduleOffset != nil && sc.Kind != schedexpr.Cron {
		return wire.ValidationError("ScheduleOffset is supported for cron schedules only.")
	}
	loc, err := schedexpr.LoadZone(w.Timezone)
	if err != nil {
		return wire.ValidationError("%v", err)
	}
	if sc.Kind == schedexpr.At && (in.Schedule != nil || in.ScheduleTimezone != nil) {
		// AWS does not document what it does with a one-off at() time
		// that has already passed; a window that accepts it would never
		// run, and the caller would learn that only by waiting. The
		// simulator refuses it, the stricter reading. An update that
		// leaves the schedule alone (a rename after the window ran) is not
		// refused for it.
		if _, ok := sc.Next(now, loc, 0); !ok {
			return wire.ValidationError("Invalid schedule: %s is not in the future (now is %s in %s); a maintenance window with it would never run.",
				wire.Clip(w.Schedule), now.In(loc).Format("2006-01-02T15:04:05"), loc)
		}
	}
	if w.Cutoff >= w.Duration {
		return wire.ValidationError("The cutoff (%d hours) must be less than the duration (%d hours).", w.Cutoff, w.Duration)
	}
	w.sched, w.loc = sc, loc
	if w.start, err = parseWindowDate("StartDate", w.StartDate); err != nil {
		return wire.ValidationError("%v", err)
	}
	if w.end, err = parseWindowDate("EndDate", w.EndDate); err != nil {
		return wire.ValidationError("%v", err)
	}
	if !w.start.IsZero() && !w.end.IsZero() && !w.end.After(w.start) {
		return wire.ValidationError("EndDate must be after StartDate.")
	}
	return nil
}

func parseWindowDate(member, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &wire.Error{Code: "ValidationException", Message: member + " " + wire.Clip(s) + " is not an ISO-8601 timestamp"}
	}
	return t, nil
}

func createMaintenanceWindow(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in windowInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("name", in.Name != nil)
	v.Required("schedule", in.Schedule != nil)
	v.Required("duration", in.Duration != nil)
	v.Required("cutoff", in.Cutoff != nil)
	v.Required("allowUnassociatedTargets", in.AllowUnassociatedTargets != nil)
	in.check(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	fp := fingerprint([]any{in.Name, in.Description, in.StartDate, in.EndDate, in.Schedule, in.ScheduleTimezone,
		in.ScheduleOffset, in.Duration, in.Cutoff, in.AllowUnassociatedTargets, in.Tags})
	if id, hit, err := r.windows.idempotent("CreateMaintenanceWindow", deref(in.ClientToken), fp); hit || err != nil {
		return map[string]any{"WindowId": id}, err
	}
	now := s.clock.Now()
	w := &window{ID: r.newWindowID(), Enabled: true, Created: now, Modified: now}
	if err := w.apply(&in, now); err != nil {
		return nil, err
	}
	if len(r.windows.byID) >= maxWindows {
		return nil, wire.Errorf("ResourceLimitExceededException", "Maintenance windows per Region is limited to %d.", maxWindows)
	}
	r.windows.add(w)
	r.windows.remember("CreateMaintenanceWindow", deref(in.ClientToken), fp, w.ID)
	if len(in.Tags) > 0 {
		r.setTags("MaintenanceWindow", w.ID, tagMap(in.Tags))
	}
	r.armWindow(w, now)
	return map[string]any{"WindowId": w.ID}, nil
}

// newWindowID returns "mw-" and 17 hex digits from the seeded RNG.
func (r *region) newWindowID() string {
	return "mw-" + strings.ReplaceAll(r.newUUID(), "-", "")[:17]
}

// idempotent answers a repeated ClientToken: the same request gets the
// same resource ID again; a different one gets IdempotentParameterMismatch.
func (st *windowStore) idempotent(op, token, fp string) (string, bool, *wire.Error) {
	if token == "" {
		return "", false, nil
	}
	prev, ok := st.tokens[op+"/"+token]
	switch {
	case !ok:
		return "", false, nil
	case prev.fingerprint != fp:
		return "", true, wire.Errorf("IdempotentParameterMismatch", "ClientToken %s was used with different parameters.", wire.Clip(token))
	}
	return prev.id, true, nil
}

func (st *windowStore) remember(op, token, fp, id string) {
	if token != "" {
		st.tokens[op+"/"+token] = idempotentCall{fingerprint: fp, id: id}
	}
}

// checkWindowID validates a WindowId member.
func checkWindowID(v *wire.Validator, id *string) {
	v.Required("windowId", id != nil)
	if id != nil {
		v.Pattern("windowId", *id, reWindowID)
	}
}

// checkWindowItemID validates the ID member (windowTargetId, windowTaskId)
// that names one target or task of a window.
func checkWindowItemID(v *wire.Validator, member string, id *string) {
	v.Required(member, id != nil)
	if id != nil {
		v.Pattern(member, *id, reWindowTargetID)
	}
}

// openWindow validates a request that names one window: WindowId first,
// then the operation's own checks, all reported together as AWS does; then
// it looks the window up.
func (r *region) openWindow(id *string, checks ...func(*wire.Validator)) (*window, *wire.Error) {
	v := &wire.Validator{}
	checkWindowID(v, id)
	for _, check := range checks {
		check(v)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return r.lookupWindow(*id)
}

type windowOut struct {
	WindowId                 string   `json:"WindowId"`
	Name                     string   `json:"Name"`
	Description              string   `json:"Description,omitempty"`
	StartDate                string   `json:"StartDate,omitempty"`
	EndDate                  string   `json:"EndDate,omitempty"`
	Schedule                 string   `json:"Schedule"`
	ScheduleTimezone         string   `json:"ScheduleTimezone,omitempty"`
	ScheduleOffset           *int     `json:"ScheduleOffset,omitempty"`
	NextExecutionTime        string   `json:"NextExecutionTime,omitempty"`
	Duration                 int      `json:"Duration"`
	Cutoff                   int      `json:"Cutoff"`
	AllowUnassociatedTargets bool     `json:"AllowUnassociatedTargets"`
	Enabled                  bool     `json:"Enabled"`
	CreatedDate              *float64 `json:"CreatedDate,omitempty"`
	ModifiedDate             *float64 `json:"ModifiedDate,omitempty"`
}

func (w *window) out() windowOut {
	o := windowOut{
		WindowId: w.ID, Name: w.Name, Description: w.Description, StartDate: w.StartDate, EndDate: w.EndDate,
		Schedule: w.Schedule, ScheduleTimezone: w.Timezone, ScheduleOffset: w.ScheduleOffset,
		Duration: w.Duration, Cutoff: w.Cutoff, AllowUnassociatedTargets: w.AllowUnassociatedTargets, Enabled: w.Enabled,
		CreatedDate: epochPtr(w.Created), ModifiedDate: epochPtr(w.Modified),
	}
	if w.Enabled && !w.nextFire.IsZero() {
		o.NextExecutionTime = w.nextFire.In(w.loc).Format(time.RFC3339)
	}
	return o
}

func getMaintenanceWindow(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in windowInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	w, err := r.openWindow(in.WindowId)
	if err != nil {
		return nil, err
	}
	return w.out(), nil
}

func updateMaintenanceWindow(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in windowInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	w, err := r.openWindow(in.WindowId, in.check)
	if err != nil {
		return nil, err
	}
	// Apply to a copy so that a rejected update changes nothing.
	now := s.clock.Now()
	next := *w
	if err := next.apply(&in, now); err != nil {
		return nil, err
	}
	*w = next
	w.Modified = now
	w.gen++
	r.armWindow(w, now)
	o := w.out()
	o.CreatedDate, o.ModifiedDate, o.NextExecutionTime = nil, nil, ""
	return o, nil
}

func deleteMaintenanceWindow(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in windowInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	w, err := r.openWindow(in.WindowId)
	if err != nil {
		return nil, err
	}
	r.windows.remove(w)
	r.dropTags("MaintenanceWindow", w.ID)
	return map[string]any{"WindowId": w.ID}, nil
}
