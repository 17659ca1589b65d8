package schedule

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/remedy"
)

// Association names: one per purpose, so that install finds what an
// earlier install made.
const (
	AgentAssociationName    = remedy.NamePrefix + "schedule-update-agent"
	RequestsAssociationName = remedy.NamePrefix + "schedule-upgrade-requests"
)

// Defaults.
const (
	// DefaultSchedule is AWS's own agent auto-update cadence (Fleet Manager
	// and Quick Setup use the same).
	DefaultSchedule = "rate(14 days)"
	// PurposeSchedule is the patchready:purpose tag of what install makes.
	PurposeSchedule = "schedule"
)

// DefaultRequestsTag marks the proxied Amazon Linux nodes that the requests
// association targets. SSM cannot see a proxy (only patchready's probe
// can), so users tag the nodes that `patchready plan` shows as proxied.
var DefaultRequestsTag = fleet.Tag{Key: "patchready:proxied", Value: "true"}

// Spec is what install makes.
type Spec struct {
	// Schedule is a cron or rate expression (DefaultSchedule when empty).
	Schedule string
	// AgentTag limits the agent update to nodes with this tag; nil means
	// every node (InstanceIds=*).
	AgentTag *fleet.Tag
	// RequestsTag picks the nodes of the requests upgrade
	// (DefaultRequestsTag when its key is empty).
	RequestsTag fleet.Tag
	// MinRequestsVersion is the fix document's minRequests parameter.
	MinRequestsVersion string
	// MaxConcurrency and MaxErrors are the associations' rate controls
	// (10% each when empty).
	MaxConcurrency string
	MaxErrors      string
}

// desired is one association as install wants it.
type desired struct {
	name     string
	document string
	targets  []types.Target
	params   map[string][]string
	schedule string
	maxConc  string
	maxErr   string
}

func (s Spec) withDefaults() Spec {
	if s.Schedule == "" {
		s.Schedule = DefaultSchedule
	}
	if s.RequestsTag.Key == "" {
		s.RequestsTag = DefaultRequestsTag
	}
	if s.MinRequestsVersion == "" {
		s.MinRequestsVersion = "2.18.4"
	}
	if s.MaxConcurrency == "" {
		s.MaxConcurrency = "10%"
	}
	if s.MaxErrors == "" {
		s.MaxErrors = "10%"
	}
	return s
}

func (s Spec) associations() []desired {
	s = s.withDefaults()
	agentTargets := []types.Target{{Key: aws.String("InstanceIds"), Values: []string{"*"}}}
	if s.AgentTag != nil {
		agentTargets = []types.Target{tagTarget(*s.AgentTag)}
	}
	return []desired{
		{
			name: AgentAssociationName, document: documents.UpdateAgentDocumentName, targets: agentTargets,
			params:   map[string][]string{"allowDowngrade": {"false"}},
			schedule: s.Schedule, maxConc: s.MaxConcurrency, maxErr: s.MaxErrors,
		},
		{
			// The fix document's requests step: the patch run's own
			// interpreter and its pip, a no-op where requests is current.
			name: RequestsAssociationName, document: documents.FixDocumentName,
			targets:  []types.Target{tagTarget(s.RequestsTag)},
			params:   map[string][]string{"actions": {documents.FixRequests}, "minRequests": {s.MinRequestsVersion}},
			schedule: s.Schedule, maxConc: s.MaxConcurrency, maxErr: s.MaxErrors,
		},
	}
}

func tagTarget(t fleet.Tag) types.Target {
	return types.Target{Key: aws.String("tag:" + t.Key), Values: []string{t.Value}}
}

// differs lists what an existing association has that install does not
// want, in words for the log ("" when nothing).
func (d desired) differs(got *types.AssociationDescription) string {
	var diffs []string
	check := func(what, have, want string) {
		if have != want {
			diffs = append(diffs, fmt.Sprintf("%s %q → %q", what, have, want))
		}
	}
	check("document", aws.ToString(got.Name), d.document)
	check("schedule", aws.ToString(got.ScheduleExpression), d.schedule)
	check("targets", TargetsString(got.Targets), TargetsString(d.targets))
	check("parameters", paramsString(got.Parameters), paramsString(d.params))
	check("max-concurrency", aws.ToString(got.MaxConcurrency), d.maxConc)
	check("max-errors", aws.ToString(got.MaxErrors), d.maxErr)
	return strings.Join(diffs, ", ")
}

// TargetsString renders targets as the AWS CLI takes them, sorted, so that
// two equal target lists render alike: "Key=tag:Env,Values=prod".
func TargetsString(ts []types.Target) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		vals := slices.Sorted(slices.Values(t.Values))
		parts = append(parts, "Key="+aws.ToString(t.Key)+",Values="+strings.Join(vals, ","))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

func paramsString(p map[string][]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(p)) {
		parts = append(parts, k+"="+strings.Join(p[k], ","))
	}
	return strings.Join(parts, ";")
}

func scheduleTags() []types.Tag {
	return []types.Tag{
		{Key: aws.String(remedy.TagManaged), Value: aws.String("true")},
		{Key: aws.String(remedy.TagPurpose), Value: aws.String(PurposeSchedule)},
	}
}
