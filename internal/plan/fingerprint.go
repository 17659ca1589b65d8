package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
)

// fingerprintDomain is hashed first so that a change to the set of facts
// changes every fingerprint instead of colliding with an old one; the
// names of the facts are hashed after it for the same reason.
const fingerprintDomain = "patchready facts v2\n"

// factNames are the facts that decide a node's actions or block it: the
// instance ID, then prereq.DecidingFacts. Anything that only feeds a note
// (IsLatestVersion, the proxy scheme, free space) is left out, so that it
// cannot make a saved plan stale.
var factNames = append([]string{"instance_id"}, prereq.DecidingFacts()...)

// factsOf returns n's deciding facts, in factNames order.
func factsOf(n fleet.Node) []string {
	out := make([]string, len(factNames))
	out[0] = n.InstanceID
	for i, name := range factNames[1:] {
		out[i+1] = prereq.FactOf(name, n)
	}
	return out
}

// FactsFingerprint returns "sha256:<hex>" over the facts that decide actions,
// for every node. It does not depend on the order of nodes, and an empty
// fleet has a fingerprint too.
func FactsFingerprint(nodes []fleet.Node) string {
	facts := make([][]string, len(nodes))
	for i, n := range nodes {
		facts[i] = factsOf(n)
	}
	slices.SortFunc(facts, func(a, b []string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		// Duplicate IDs should not happen, but ordering them by content
		// keeps the fingerprint independent of input order even then.
		return slices.Compare(a, b)
	})
	h := sha256.New()
	h.Write([]byte(fingerprintDomain))
	// Every field is written with its length in front, so no choice of
	// values (separators, invalid UTF-8) can make two fact lists encode
	// alike.
	var buf []byte
	for _, name := range factNames {
		buf = binary.AppendUvarint(buf, uint64(len(name)))
		buf = append(buf, name...)
	}
	h.Write(buf)
	for _, f := range facts {
		buf = buf[:0]
		for _, s := range f {
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
		h.Write(buf)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
