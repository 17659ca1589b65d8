package ssmsim

import (
	"sort"
	"strconv"
	"strings"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() { register("SendCommand", sendCommand) }

type sendCommandInput struct {
	DocumentName     *string             `json:"DocumentName"`
	DocumentVersion  string              `json:"DocumentVersion"`
	DocumentHash     string              `json:"DocumentHash"`
	DocumentHashType string              `json:"DocumentHashType"`
	InstanceIds      []string            `json:"InstanceIds"`
	Targets          []targetSpec        `json:"Targets"`
	TimeoutSeconds   *int                `json:"TimeoutSeconds"`
	Comment          string              `json:"Comment"`
	Parameters       map[string][]string `json:"Parameters"`
	MaxConcurrency   string              `json:"MaxConcurrency"`
	MaxErrors        string              `json:"MaxErrors"`
}

// Defaults AWS applies when SendCommand leaves them out.
const (
	defaultMaxConcurrency = "50"
	defaultMaxErrors      = "0"
	defaultTimeoutSeconds = 3600
)

func (in *sendCommandInput) validate() *wire.Error {
	v := &wire.Validator{}
	v.Required("documentName", in.DocumentName != nil)
	if in.DocumentName != nil {
		v.Pattern("documentName", *in.DocumentName, reDocumentName)
	}
	if in.DocumentVersion != "" {
		v.Pattern("documentVersion", in.DocumentVersion, reDocumentVersion)
	}
	v.Length("documentHash", in.DocumentHash, 0, 256)
	if in.DocumentHashType != "" {
		v.Enum("documentHashType", in.DocumentHashType, "Sha256", "Sha1")
	}
	v.Count("instanceIds", len(in.InstanceIds), 0, 50)
	for i, id := range in.InstanceIds {
		v.Pattern("instanceIds."+itoa(i+1)+".member", id, reInstanceID)
	}
	checkTargets(v, "targets", in.Targets)
	v.IntRange("timeoutSeconds", in.TimeoutSeconds, 30, 2592000)
	v.Length("comment", in.Comment, 0, 100)
	if in.MaxConcurrency != "" {
		v.Length("maxConcurrency", in.MaxConcurrency, 1, 7)
		v.Pattern("maxConcurrency", in.MaxConcurrency, reMaxConcurrency)
	}
	if in.MaxErrors != "" {
		v.Length("maxErrors", in.MaxErrors, 1, 7)
		v.Pattern("maxErrors", in.MaxErrors, reMaxErrors)
	}
	if err := v.Err(); err != nil {
		return err
	}
	switch {
	case len(in.InstanceIds) > 0 && len(in.Targets) > 0:
		return wire.ValidationError("Specify either InstanceIds or Targets, not both.")
	case len(in.InstanceIds) == 0 && len(in.Targets) == 0:
		return wire.ValidationError("Specify the nodes to run the command on, with InstanceIds or Targets.")
	}
	return unsupportedTarget(in.Targets)
}

func sendCommand(s *Server, r *region, body []byte) (any, *wire.Error) {
	var in sendCommandInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	d, err := r.lookupDocument(*in.DocumentName)
	if err != nil {
		return nil, err
	}
	n, ver, err := d.version(in.DocumentVersion)
	if err != nil {
		return nil, err
	}
	if in.DocumentHash != "" && in.DocumentHash != ver.Hash {
		return nil, wire.Errorf("InvalidDocument", "The document hash does not match the hash of document %s version %d.", d.Name, n)
	}
	if err := checkParams(ver.Parsed, in.Parameters); err != nil {
		return nil, err
	}
	nodes, err := r.commandNodes(in.InstanceIds, in.Targets)
	if err != nil {
		return nil, err
	}

	now := s.clock.Now()
	timeout, timeoutSeconds := r.deliveryWindow(in.TimeoutSeconds)
	c := &command{
		ID: r.newUUID(), DocumentName: d.Name, DocumentVersion: orDefault(in.DocumentVersion, "$DEFAULT"),
		Comment: in.Comment, Parameters: in.Parameters, InstanceIDs: in.InstanceIds, Targets: in.Targets,
		Requested: now, ExpiresAfter: now.Add(timeout), TimeoutSeconds: timeoutSeconds,
		MaxConcurrency: orDefault(in.MaxConcurrency, defaultMaxConcurrency), MaxErrors: orDefault(in.MaxErrors, defaultMaxErrors),
		Status: "Pending", StatusDetails: "Pending", byNode: make(map[string]*invocation, len(nodes)),
	}
	for _, id := range nodes {
		inv := &invocation{cmd: c, InstanceID: id, Status: "Pending", StatusDetails: "Pending", ResponseCode: -1}
		c.invocations = append(c.invocations, inv)
		c.byNode[id] = inv
	}
	r.commands.add(c)
	// Run the version resolved now: moving the default version later must
	// not change a command already sent.
	r.startCommand(c, strconv.Itoa(n), nil)
	return map[string]any{"Command": r.commandOut(c)}, nil
}

// commandNodes resolves SendCommand's targets to node IDs, sorted. Listed
// IDs must all exist and not be terminated (InvalidInstanceId, with the
// wording AWS uses); targets match every non-terminated node, reachable or
// not, since delivery is what finds out.
func (r *region) commandNodes(ids []string, targets []targetSpec) ([]string, *wire.Error) {
	if len(ids) > 0 {
		seen := make(map[string]bool, len(ids))
		var bad []string
		for _, id := range ids {
			if seen[id] {
				return nil, wire.Errorf("DuplicateInstanceId", "Instance %s is listed more than once.", id)
			}
			seen[id] = true
			if n, ok := r.byID[id]; !ok || n.Terminated {
				bad = append(bad, id)
			}
		}
		if len(bad) > 0 {
			return nil, wire.Errorf("InvalidInstanceId", "Instances [[%s]] not in a valid state for account %s", strings.Join(bad, ", "), r.account.id)
		}
		out := append([]string(nil), ids...)
		sort.Strings(out)
		return out, nil
	}
	var out []string
	for _, n := range r.nodes {
		if !n.Terminated && nodeMatches(n, targets) {
			out = append(out, n.ID)
		}
	}
	return out, nil
}

// commandShape is the API's Command shape.
type commandShape struct {
	CommandID             string              `json:"CommandId"`
	DocumentName          string              `json:"DocumentName"`
	DocumentVersion       string              `json:"DocumentVersion"`
	Comment               string              `json:"Comment,omitempty"`
	ExpiresAfter          float64             `json:"ExpiresAfter"`
	Parameters            map[string][]string `json:"Parameters"`
	InstanceIDs           []string            `json:"InstanceIds"`
	Targets               []targetSpec        `json:"Targets"`
	RequestedDateTime     float64             `json:"RequestedDateTime"`
	Status                string              `json:"Status"`
	StatusDetails         string              `json:"StatusDetails"`
	MaxConcurrency        string              `json:"MaxConcurrency"`
	MaxErrors             string              `json:"MaxErrors"`
	TargetCount           int                 `json:"TargetCount"`
	CompletedCount        int                 `json:"CompletedCount"`
	ErrorCount            int                 `json:"ErrorCount"`
	DeliveryTimedOutCount int                 `json:"DeliveryTimedOutCount"`
	TimeoutSeconds        int                 `json:"TimeoutSeconds"`
}

func (r *region) commandOut(c *command) commandShape {
	params := c.Parameters
	if params == nil {
		params = map[string][]string{}
	}
	return commandShape{
		CommandID: c.ID, DocumentName: c.DocumentName, DocumentVersion: c.DocumentVersion, Comment: c.Comment,
		ExpiresAfter: epoch(c.ExpiresAfter), Parameters: params, InstanceIDs: nonNil(c.InstanceIDs), Targets: nonNilTargets(c.Targets),
		RequestedDateTime: epoch(c.Requested), Status: c.Status, StatusDetails: c.StatusDetails,
		MaxConcurrency: c.MaxConcurrency, MaxErrors: c.MaxErrors, TargetCount: len(c.invocations),
		CompletedCount: c.Completed, ErrorCount: c.Errors, DeliveryTimedOutCount: c.DeliveryTOs, TimeoutSeconds: c.TimeoutSeconds,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilTargets(t []targetSpec) []targetSpec {
	if t == nil {
		return []targetSpec{}
	}
	return t
}
