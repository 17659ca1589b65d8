package remedy

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
)

// updateAgentPrefix starts the names of apply's one-shot update
// associations (the schedule's are patchready-schedule-…).
const updateAgentPrefix = NamePrefix + "update-agent-"

// replaceLeftovers deletes patchready's one-shot update associations from
// other runs that target any node of this run and are not exactly one of
// this run's batches (those are reused by name). An interrupted run leaves
// its associations behind; a plain re-run plans different batches, and
// without this a node would be targeted by two live update associations at
// once. Each removal is journaled. It returns how many it removed.
func (a *Associations) replaceLeftovers(ctx context.Context, existing map[string]existingAssociation, batches [][]string, params map[string][]string) (int, error) {
	ours := map[string]bool{}
	mine := map[string]bool{}
	for _, ids := range batches {
		mine[resourceName("update-agent", ids, params)] = true
		for _, id := range ids {
			ours[id] = true
		}
	}
	removed := 0
	for _, name := range slices.Sorted(maps.Keys(existing)) {
		ex := existing[name]
		if mine[name] || !strings.HasPrefix(name, updateAgentPrefix) {
			continue
		}
		overlap := 0
		for _, id := range ex.targets {
			if ours[id] {
				overlap++
			}
		}
		if overlap == 0 {
			continue
		}
		_, err := a.api.DeleteAssociation(ctx, &ssm.DeleteAssociationInput{AssociationId: aws.String(ex.id)})
		if err != nil && !awsclient.IsNotFound(err) {
			return removed, fmt.Errorf("replace association %s of an earlier run (it targets %d of this run's nodes): %w", ex.id, overlap, err)
		}
		a.opts.Logger.Info("replaced association of an earlier run", zap.String("association_id", ex.id),
			zap.String("name", name), zap.Int("overlapping_nodes", overlap))
		if err := a.opts.Journal.Deleted(Resource{Type: ResourceAssociation, ID: ex.id, Name: name, Action: "replaced: an earlier run's association targeting this run's nodes"}); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}

// sameParameters refuses to adopt association id when its parameters differ
// from what this run would give it: a kept association pinned to another
// agent version would report its own result as this run's.
func (a *Associations) sameParameters(ctx context.Context, id string, want map[string][]string) error {
	out, err := a.api.DescribeAssociation(ctx, &ssm.DescribeAssociationInput{AssociationId: aws.String(id)})
	if err != nil {
		return fmt.Errorf("describe association %s: %w", id, err)
	}
	got := map[string][]string{}
	name := ""
	if d := out.AssociationDescription; d != nil {
		got, name = d.Parameters, aws.ToString(d.AssociationName)
	}
	for _, k := range slices.Sorted(maps.Keys(mergeKeys(got, want))) {
		if paramValue(got, k) != paramValue(want, k) {
			return fmt.Errorf("association %s (%s) already runs AWS-UpdateSSMAgent on exactly these nodes, but with %s=%q where this run wants %q: "+
				"patchready does not adopt it. Delete it, or apply with the same --agent-version", id, orNone(name), k, paramValue(got, k), paramValue(want, k))
		}
	}
	return nil
}

func mergeKeys(a, b map[string][]string) map[string]bool {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}

// paramValue reads a document parameter as SSM would pass it; a missing
// version is the document's default "" (latest), and a missing
// allowDowngrade its default "false".
func paramValue(p map[string][]string, k string) string {
	v := strings.Join(p[k], ",")
	if v == "" && k == "allowDowngrade" {
		return "false"
	}
	return v
}

func orNone(s string) string {
	if s == "" {
		return "no name"
	}
	return s
}
