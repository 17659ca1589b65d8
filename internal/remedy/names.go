package remedy

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Tags on everything patchready creates.
const (
	TagManaged = "patchready:managed"
	TagRunID   = "patchready:run-id"
	TagPurpose = "patchready:purpose"
)

// NamePrefix starts the name of every resource patchready creates.
const NamePrefix = "patchready-"

// resourceName derives a deterministic name from what a resource does:
// the action and the exact set of nodes (and parameters) it targets. The
// same batch always gets the same name, so a re-run of the same plan, or a
// resumed run, finds the resource it made before instead of duplicating it.
func resourceName(action string, ids []string, params map[string][]string) string {
	h := sha256.New()
	sorted := append([]string(nil), ids...)
	sort.Strings(sorted)
	h.Write([]byte(action))
	for _, id := range sorted {
		h.Write([]byte{0})
		h.Write([]byte(id))
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h.Write([]byte{1})
		h.Write([]byte(k + "=" + strings.Join(params[k], ",")))
	}
	return NamePrefix + action + "-" + hex.EncodeToString(h.Sum(nil))[:16]
}

// tags returns the SSM tags for a resource created by run runID.
func tags(runID, purpose string) []types.Tag {
	return []types.Tag{
		{Key: aws.String(TagManaged), Value: aws.String("true")},
		{Key: aws.String(TagRunID), Value: aws.String(runID)},
		{Key: aws.String(TagPurpose), Value: aws.String(purpose)},
	}
}

// chunk splits ids into slices of at most n.
func chunk(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}
