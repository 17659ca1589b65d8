package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
	"github.com/patchready/patchready/internal/unmanaged"
)

// fingerprintDomain is hashed first so that a change to the set of facts
// changes every fingerprint instead of colliding with an old one; the
// names of the facts are hashed after it for the same reason.
const fingerprintDomain = "patchready facts v2\n"

// fact is one deciding fact: its name in diffs, and how a node reads it.
type fact struct {
	name string
	of   func(fleet.Node) string
}

// deciding are the facts that decide a node's actions, block it, or say
// why it is not managed: the instance ID, then prereq.DecidingFacts, then
// the unmanaged causes' facts (which a managed node reads as ""). Anything
// that only feeds a note (IsLatestVersion, the proxy scheme, free space) is
// left out, so that it cannot make a saved plan stale.
var deciding = func() []fact {
	out := []fact{{"instance_id", func(n fleet.Node) string { return n.InstanceID }}}
	for _, name := range prereq.DecidingFacts() {
		out = append(out, fact{name, func(n fleet.Node) string { return prereq.FactOf(name, n) }})
	}
	for _, f := range unmanaged.Facts {
		out = append(out, fact{f.Name, f.Of})
	}
	return out
}()

// factNames are the names of the deciding facts, in order.
var factNames = func() []string {
	out := make([]string, len(deciding))
	for i, f := range deciding {
		out[i] = f.name
	}
	return out
}()

// factsOf returns n's deciding facts, in factNames order.
func factsOf(n fleet.Node) []string {
	out := make([]string, len(deciding))
	for i, f := range deciding {
		out[i] = f.of(n)
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
