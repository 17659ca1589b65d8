package ssmsim

import (
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// commandFilter is the API's CommandFilter (lower-case members, as the
// model spells them).
type commandFilter struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// commandFilters is a parsed Filters list; all filters must match.
type commandFilters struct {
	after, before time.Time
	status        []string
	stage         string
	document      string
}

func parseCommandFilters(fs []commandFilter) (commandFilters, *wire.Error) {
	var out commandFilters
	for _, f := range fs {
		switch f.Key {
		case "InvokedAfter", "InvokedBefore":
			t, err := time.Parse(time.RFC3339, f.Value)
			if err != nil {
				return out, wire.ValidationError("Filter %s value %q is not an ISO 8601 timestamp such as 2024-01-31T12:00:00Z.", f.Key, wire.Clip(f.Value))
			}
			if f.Key == "InvokedAfter" {
				out.after = t
			} else {
				out.before = t
			}
		case "Status":
			if !contains([]string{"Pending", "InProgress", "Success", "Cancelled", "Failed", "TimedOut", "Cancelling"}, f.Value) {
				return out, wire.ValidationError("Filter Status value %q is not a command status.", wire.Clip(f.Value))
			}
			out.status = append(out.status, f.Value)
		case "ExecutionStage":
			if f.Value != "Executing" && f.Value != "Complete" {
				return out, wire.ValidationError("Filter ExecutionStage value %q must be Executing or Complete.", wire.Clip(f.Value))
			}
			out.stage = f.Value
		case "DocumentName":
			out.document = f.Value
		default:
			return out, wire.Errorf("InvalidFilterKey", "Filter key %s is not valid.", wire.Clip(f.Key))
		}
	}
	return out, nil
}

func (f commandFilters) match(c *command) bool {
	if !f.after.IsZero() && c.Requested.Before(f.after) {
		return false
	}
	if !f.before.IsZero() && c.Requested.After(f.before) {
		return false
	}
	if len(f.status) > 0 && !contains(f.status, c.Status) {
		return false
	}
	if f.document != "" && f.document != c.DocumentName {
		return false
	}
	switch f.stage {
	case "Executing":
		return !terminal(c.Status)
	case "Complete":
		return terminal(c.Status)
	}
	return true
}
