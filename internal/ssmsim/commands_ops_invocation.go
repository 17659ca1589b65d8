package ssmsim

import (
	"fmt"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("GetCommandInvocation", getCommandInvocation)
	register("CancelCommand", cancelCommand)
}

type getCommandInvocationInput struct {
	CommandId  *string `json:"CommandId"`
	InstanceId *string `json:"InstanceId"`
	PluginName *string `json:"PluginName"`
}

func getCommandInvocation(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in getCommandInvocationInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("commandId", in.CommandId != nil)
	v.Required("instanceId", in.InstanceId != nil)
	if in.CommandId != nil {
		v.Length("commandId", *in.CommandId, 36, 36)
	}
	if in.InstanceId != nil {
		v.Pattern("instanceId", *in.InstanceId, reInstanceID)
	}
	if in.PluginName != nil {
		v.Length("pluginName", *in.PluginName, 4, 0)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, ok := r.commands.byID[*in.CommandId]
	var inv *invocation
	if ok {
		inv = c.byNode[*in.InstanceId]
	}
	if inv == nil || s.clock.Now().Before(r.visibleAt(c)) {
		// AWS answers this for unknown pairs and, briefly, for invocations
		// it has just created: callers must retry it.
		return nil, wire.Errorf("InvocationDoesNotExist", "")
	}
	plugin := r.pluginName(inv)
	if in.PluginName == nil && r.stepCount(c) > 1 {
		// AWS's reference: with more than one step, the step must be
		// named. Its error for a request that does not is undocumented;
		// the simulator takes the stricter reading.
		return nil, wire.Errorf("InvalidPluginName", "The command %s has more than one step; name the step in PluginName.", c.ID)
	}
	if in.PluginName != nil && *in.PluginName != plugin {
		return nil, wire.Errorf("InvalidPluginName", "The plugin name %s is not valid for this invocation.", wire.Clip(*in.PluginName))
	}
	elapsed := ""
	if !inv.Start.IsZero() && !inv.End.IsZero() {
		elapsed = fmt.Sprintf("PT%.3fS", inv.End.Sub(inv.Start).Seconds())
	}
	return map[string]any{
		"CommandId": c.ID, "InstanceId": inv.InstanceID, "Comment": c.Comment,
		"DocumentName": c.DocumentName, "DocumentVersion": c.DocumentVersion, "PluginName": plugin,
		"ResponseCode": inv.ResponseCode, "ExecutionStartDateTime": isoTime(inv.Start),
		"ExecutionElapsedTime": elapsed, "ExecutionEndDateTime": isoTime(inv.End),
		"Status": inv.Status, "StatusDetails": inv.StatusDetails,
		"StandardOutputContent": inv.Output, "StandardOutputUrl": "",
		"StandardErrorContent": inv.Stderr, "StandardErrorUrl": "",
		"CloudWatchOutputConfig": map[string]any{"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": false},
	}, nil
}

type cancelCommandInput struct {
	CommandId   *string  `json:"CommandId"`
	InstanceIds []string `json:"InstanceIds"`
}

func cancelCommand(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in cancelCommandInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v := &wire.Validator{}
	v.Required("commandId", in.CommandId != nil)
	if in.CommandId != nil {
		v.Length("commandId", *in.CommandId, 36, 36)
	}
	v.Count("instanceIds", len(in.InstanceIds), 0, 50)
	for i, id := range in.InstanceIds {
		v.Pattern("instanceIds."+itoa(i+1)+".member", id, reInstanceID)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, ok := r.commands.byID[*in.CommandId]
	if !ok {
		return nil, wire.Errorf("InvalidCommandId", "Command %s does not exist.", wire.Clip(*in.CommandId))
	}
	seen := map[string]bool{}
	for _, id := range in.InstanceIds {
		if seen[id] {
			return nil, wire.Errorf("DuplicateInstanceId", "Instance %s is listed more than once.", id)
		}
		seen[id] = true
	}
	r.cancel(c, in.InstanceIds, s.clock.Now())
	return struct{}{}, nil
}

// isoTime renders the StringDateTime members of GetCommandInvocation.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
