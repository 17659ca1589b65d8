package ssmsim

import "github.com/patchready/patchready/internal/ssmsim/wire"

func init() {
	register("RegisterTargetWithMaintenanceWindow", registerWindowTarget)
	register("DeregisterTargetFromMaintenanceWindow", deregisterWindowTarget)
	register("DescribeMaintenanceWindowTargets", describeWindowTargets)
}

type windowTargetInput struct {
	WindowId         *string      `json:"WindowId"`
	WindowTargetId   *string      `json:"WindowTargetId"`
	ResourceType     *string      `json:"ResourceType"`
	Targets          []targetSpec `json:"Targets"`
	OwnerInformation *string      `json:"OwnerInformation"`
	Name             *string      `json:"Name"`
	Description      *string      `json:"Description"`
	ClientToken      *string      `json:"ClientToken"`
	Safe             *bool        `json:"Safe"`
}

func registerWindowTarget(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in windowTargetInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	checkWindowID(v, in.WindowId)
	v.Required("resourceType", in.ResourceType != nil)
	v.Required("targets", in.Targets != nil)
	if in.ResourceType != nil {
		v.Enum("resourceType", *in.ResourceType, "INSTANCE", "RESOURCE_GROUP")
	}
	checkTargets(v, "targets", in.Targets)
	if in.OwnerInformation != nil {
		v.Length("ownerInformation", *in.OwnerInformation, 1, 128)
	}
	if in.Name != nil {
		v.Length("name", *in.Name, 3, 128)
		v.Pattern("name", *in.Name, reWindowName)
	}
	if in.Description != nil {
		v.Length("description", *in.Description, 1, 128)
	}
	if in.ClientToken != nil {
		v.Length("clientToken", *in.ClientToken, 1, 64)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	w, err := r.lookupWindow(*in.WindowId)
	if err != nil {
		return nil, err
	}
	if *in.ResourceType != "INSTANCE" {
		return nil, wire.ValidationError("ResourceType %s is not simulated; register INSTANCE targets.", *in.ResourceType)
	}
	if err := unsupportedTarget(in.Targets); err != nil {
		return nil, wire.ValidationError("%s", err.Message)
	}
	fp := fingerprint([]any{in.WindowId, in.ResourceType, in.Targets, in.OwnerInformation, in.Name, in.Description})
	if id, hit, err := r.windows.idempotent("RegisterTargetWithMaintenanceWindow", deref(in.ClientToken), fp); hit || err != nil {
		return map[string]any{"WindowTargetId": id}, err
	}
	if len(w.targets) >= maxWindowTargets {
		return nil, wire.Errorf("ResourceLimitExceededException", "A maintenance window can have at most %d targets.", maxWindowTargets)
	}
	t := &windowTarget{
		ID: r.newUUID(), ResourceType: *in.ResourceType, Targets: in.Targets,
		OwnerInformation: deref(in.OwnerInformation), Name: deref(in.Name), Description: deref(in.Description),
	}
	w.targets = append(w.targets, t)
	r.windows.remember("RegisterTargetWithMaintenanceWindow", deref(in.ClientToken), fp, t.ID)
	return map[string]any{"WindowTargetId": t.ID}, nil
}

func deregisterWindowTarget(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in windowTargetInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	w, err := r.openWindow(in.WindowId, func(v *wire.Validator) { checkWindowItemID(v, "windowTargetId", in.WindowTargetId) })
	if err != nil {
		return nil, err
	}
	for i, t := range w.targets {
		if t.ID != *in.WindowTargetId {
			continue
		}
		if in.Safe != nil && *in.Safe {
			for _, task := range w.tasks {
				if usesWindowTarget(task, t.ID) {
					return nil, wire.Errorf("TargetInUseException", "Window target %s is used by task %s.", t.ID, task.ID)
				}
			}
		}
		w.targets = append(w.targets[:i:i], w.targets[i+1:]...)
		return map[string]any{"WindowId": w.ID, "WindowTargetId": t.ID}, nil
	}
	return nil, wire.Errorf("DoesNotExistException", "Window target %s does not exist in maintenance window %s", *in.WindowTargetId, w.ID)
}

func usesWindowTarget(task *windowTask, id string) bool {
	for _, t := range task.Targets {
		if t.Key == "WindowTargetIds" && contains(t.Values, id) {
			return true
		}
	}
	return false
}

type windowTargetOut struct {
	WindowId         string       `json:"WindowId"`
	WindowTargetId   string       `json:"WindowTargetId"`
	ResourceType     string       `json:"ResourceType"`
	Targets          []targetSpec `json:"Targets"`
	OwnerInformation string       `json:"OwnerInformation,omitempty"`
	Name             string       `json:"Name,omitempty"`
	Description      string       `json:"Description,omitempty"`
}

func describeWindowTargets(s *Server, r *region, body []byte) (any, *wire.Error) {
	in, w, err := r.openWindowItems(body, "Type", "WindowTargetId", "OwnerInformation")
	if err != nil {
		return nil, err
	}
	var matched []windowTargetOut
	for _, t := range w.targets {
		if !filtersMatch(in.Filters, func(k string) string {
			switch k {
			case "Type":
				return t.ResourceType
			case "WindowTargetId":
				return t.ID
			}
			return t.OwnerInformation
		}) {
			continue
		}
		matched = append(matched, windowTargetOut{
			WindowId: w.ID, WindowTargetId: t.ID, ResourceType: t.ResourceType, Targets: t.Targets,
			OwnerInformation: t.OwnerInformation, Name: t.Name, Description: t.Description,
		})
	}
	// Targets list in registration order; the page key is the position.
	keys := make(map[string]string, len(matched))
	for i, t := range matched {
		keys[t.WindowTargetId] = seqKey(uint64(i))
	}
	page, next, err := windowPage(s, r, "DescribeMaintenanceWindowTargets", in.windowListing, []any{in.WindowId}, matched,
		func(t windowTargetOut) string { return keys[t.WindowTargetId] })
	if err != nil {
		return nil, err
	}
	return map[string]any{"Targets": page, "NextToken": omitEmpty(next)}, nil
}
