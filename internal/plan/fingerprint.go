package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/patchready/patchready/internal/fleet"
)

// fingerprintDomain is hashed first so that a change to the set of facts
// (a new field in nodeFacts) changes every fingerprint instead of colliding
// with an old one.
const fingerprintDomain = "patchready facts v1\n"

// nodeFacts are the observed facts that decide a node's actions. Anything
// that only feeds a note (IsLatestVersion, proxy scheme) is left out, so
// that it cannot make a saved plan stale.
type nodeFacts struct {
	InstanceID      string `json:"instance_id"`
	PingStatus      string `json:"ping_status"`
	AgentVersion    string `json:"agent_version"`
	PlatformType    string `json:"platform_type"`
	PlatformName    string `json:"platform_name"`
	PlatformVersion string `json:"platform_version"`
	ProbeStatus     string `json:"probe_status"`
	Proxied         bool   `json:"proxied"`
	RequestsVersion string `json:"requests_version"`
}

func factsOf(n fleet.Node) nodeFacts {
	f := nodeFacts{
		InstanceID:      n.InstanceID,
		PingStatus:      n.PingStatus,
		AgentVersion:    n.AgentVersion,
		PlatformType:    n.PlatformType,
		PlatformName:    n.PlatformName,
		PlatformVersion: n.PlatformVersion,
		ProbeStatus:     "not-run",
	}
	if n.Probe != nil {
		f.ProbeStatus = string(n.Probe.Status)
		f.Proxied = n.Probe.Proxied
		f.RequestsVersion = n.Probe.RequestsVersion
	}
	return f
}

// FactsFingerprint returns "sha256:<hex>" over the facts that decide actions,
// for every node. It does not depend on the order of nodes, and an empty
// fleet has a fingerprint too.
func FactsFingerprint(nodes []fleet.Node) string {
	facts := make([]nodeFacts, len(nodes))
	for i, n := range nodes {
		facts[i] = factsOf(n)
	}
	slices.SortFunc(facts, func(a, b nodeFacts) int {
		if c := strings.Compare(a.InstanceID, b.InstanceID); c != 0 {
			return c
		}
		// Duplicate IDs should not happen, but ordering them by content
		// keeps the fingerprint independent of input order even then.
		return slices.Compare(a.fields(), b.fields())
	})
	h := sha256.New()
	h.Write([]byte(fingerprintDomain))
	// Every field is written with its length in front, so no choice of
	// values (separators, invalid UTF-8) can make two fact lists encode alike.
	var buf []byte
	for _, f := range facts {
		buf = buf[:0]
		for _, s := range f.fields() {
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
		h.Write(buf)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func (f nodeFacts) fields() []string {
	return []string{f.InstanceID, f.PingStatus, f.AgentVersion, f.PlatformType, f.PlatformName,
		f.PlatformVersion, f.ProbeStatus, strconv.FormatBool(f.Proxied), f.RequestsVersion}
}
