package ssmsim

import "github.com/patchready/patchready/internal/ssmsim/wire"

func init() {
	register("ListCommands", listCommands)
	register("ListCommandInvocations", listCommandInvocations)
}

// maxPluginOutputChars is how much output CommandPlugins carries in
// ListCommandInvocations (the model's CommandPluginOutput limit).
const maxPluginOutputChars = 2500

type listCommandsInput struct {
	CommandId  *string         `json:"CommandId"`
	InstanceId *string         `json:"InstanceId"`
	MaxResults *int            `json:"MaxResults"`
	NextToken  string          `json:"NextToken"`
	Filters    []commandFilter `json:"Filters"`
	Details    bool            `json:"Details"`
}

func (in *listCommandsInput) validate() *wire.Error {
	v := &wire.Validator{}
	if in.CommandId != nil {
		v.Length("commandId", *in.CommandId, 36, 36)
	}
	if in.InstanceId != nil {
		v.Pattern("instanceId", *in.InstanceId, reInstanceID)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if in.Filters != nil {
		v.Count("filters", len(in.Filters), 1, 5)
	}
	for i, f := range in.Filters {
		at := "filters." + itoa(i+1) + ".member"
		v.Enum(at+".key", f.Key, "InvokedAfter", "InvokedBefore", "Status", "ExecutionStage", "DocumentName")
		v.Length(at+".value", f.Value, 1, 128)
	}
	return v.Err()
}

// commandsFor returns the commands a list call covers, oldest first.
func (r *region) commandsFor(in *listCommandsInput) ([]*command, *wire.Error) {
	cmds := r.commands.order
	if in.CommandId != nil {
		c, ok := r.commands.byID[*in.CommandId]
		if !ok {
			return nil, wire.Errorf("InvalidCommandId", "Command %s does not exist.", wire.Clip(*in.CommandId))
		}
		cmds = []*command{c}
	}
	filters, err := parseCommandFilters(in.Filters)
	if err != nil {
		return nil, err
	}
	var out []*command
	for _, c := range cmds {
		if in.InstanceId != nil && c.byNode[*in.InstanceId] == nil {
			continue
		}
		if filters.match(c) {
			out = append(out, c)
		}
	}
	return out, nil
}

func listCommands(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in listCommandsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	cmds, err := r.commandsFor(&in)
	if err != nil {
		return nil, err
	}
	query := fingerprint([]any{in.CommandId, in.InstanceId, in.Filters})
	page, next, err := pageOf(s, r, "ListCommands", query, in.NextToken, maxResults(in.MaxResults, 50), cmds,
		func(c *command) string { return seqKey(c.seq) })
	if err != nil {
		return nil, err
	}
	out := make([]commandShape, len(page))
	for i, c := range page {
		out[i] = r.commandOut(c)
	}
	return map[string]any{"Commands": out, "NextToken": optional(next)}, nil
}

type pluginShape struct {
	Name                   string   `json:"Name"`
	Status                 string   `json:"Status"`
	StatusDetails          string   `json:"StatusDetails"`
	ResponseCode           int      `json:"ResponseCode"`
	ResponseStartDateTime  *float64 `json:"ResponseStartDateTime,omitempty"`
	ResponseFinishDateTime *float64 `json:"ResponseFinishDateTime,omitempty"`
	Output                 string   `json:"Output"`
}

type invocationShape struct {
	CommandID         string        `json:"CommandId"`
	InstanceID        string        `json:"InstanceId"`
	InstanceName      string        `json:"InstanceName"`
	Comment           string        `json:"Comment,omitempty"`
	DocumentName      string        `json:"DocumentName"`
	DocumentVersion   string        `json:"DocumentVersion"`
	RequestedDateTime float64       `json:"RequestedDateTime"`
	Status            string        `json:"Status"`
	StatusDetails     string        `json:"StatusDetails"`
	CommandPlugins    []pluginShape `json:"CommandPlugins"`
}

func listCommandInvocations(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in listCommandsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	cmds, err := r.commandsFor(&in)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var invs []*invocation
	for _, c := range cmds {
		if now.Before(r.visibleAt(c)) {
			continue // not yet visible: eventual consistency
		}
		if in.InstanceId != nil {
			invs = append(invs, c.byNode[*in.InstanceId])
			continue
		}
		invs = append(invs, c.invocations...)
	}
	query := fingerprint([]any{in.CommandId, in.InstanceId, in.Filters, in.Details})
	page, next, err := pageOf(s, r, "ListCommandInvocations", query, in.NextToken, maxResults(in.MaxResults, 50), invs, invocationKey)
	if err != nil {
		return nil, err
	}
	out := make([]invocationShape, len(page))
	for i, inv := range page {
		c := inv.cmd
		out[i] = invocationShape{
			CommandID: c.ID, InstanceID: inv.InstanceID, InstanceName: r.computerName(inv.InstanceID), Comment: c.Comment,
			DocumentName: c.DocumentName, DocumentVersion: c.DocumentVersion, RequestedDateTime: epoch(c.Requested),
			Status: inv.Status, StatusDetails: inv.StatusDetails, CommandPlugins: []pluginShape{},
		}
		if in.Details {
			out[i].CommandPlugins = []pluginShape{{
				Name: r.pluginName(inv), Status: pluginStatus(inv.Status), StatusDetails: inv.StatusDetails, ResponseCode: inv.ResponseCode,
				ResponseStartDateTime: epochPtr(inv.Start), ResponseFinishDateTime: epochPtr(inv.End),
				Output: pluginOutput(inv.Output, inv.Stderr, maxPluginOutputChars),
			}}
		}
	}
	return map[string]any{"CommandInvocations": out, "NextToken": optional(next)}, nil
}

// pluginStatus maps an invocation status onto the narrower plugin enum.
func pluginStatus(s string) string {
	if s == "Delayed" {
		return "Pending"
	}
	return s
}

func (r *region) computerName(id string) string {
	if n, ok := r.byID[id]; ok {
		return n.ComputerName
	}
	return ""
}

// pluginName is the invocation's step name, known before it runs too.
func (r *region) pluginName(inv *invocation) string {
	if inv.Plugin != "" {
		return inv.Plugin
	}
	if d, err := r.lookupDocument(inv.cmd.DocumentName); err == nil {
		if _, v, err := d.version(inv.cmd.DocumentVersion); err == nil && len(v.Parsed.Steps) > 0 {
			return v.Parsed.Steps[0].Name
		}
	}
	return ""
}

// stepCount is how many steps the command's document has.
func (r *region) stepCount(c *command) int {
	if d, err := r.lookupDocument(c.DocumentName); err == nil {
		if _, v, err := d.version(c.DocumentVersion); err == nil {
			return len(v.Parsed.Steps)
		}
	}
	return 0
}

// optional omits an empty NextToken from the JSON answer.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// pluginOutput is a step's Output as ListCommandInvocations gives it:
// standard output, then, when there was any, standard error under the
// agent's "----------ERROR-------" title, within n characters. As the
// agent does, it cuts standard output first when both do not fit, so that
// the errors stay readable.
func pluginOutput(stdout, stderr string, n int) string {
	if stderr == "" {
		return cutTo(stdout, n)
	}
	const title = "\n----------ERROR-------\n"
	room := n - len(title)
	if len(stdout)+len(stderr) <= room {
		return stdout + title + stderr
	}
	keepErr := min(len(stderr), room/2)
	if len(stdout) < room-keepErr {
		keepErr = room - len(stdout)
	}
	return cutTo(stdout, room-keepErr) + title + cutTo(stderr, keepErr)
}

// cutTo keeps the first n characters of s.
func cutTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
