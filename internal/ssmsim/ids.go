package ssmsim

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"
)

// newUUID returns a version-4 UUID from the seeded RNG, so command IDs are
// reproducible for a given seed. r.server.mu must be held.
func (r *region) newUUID() string {
	rng := r.server.rng
	a, b := rng.Uint64(), rng.Uint64()
	a = (a &^ (0xf << 12)) | (0x4 << 12) // version 4
	b = (b &^ (0x3 << 62)) | (0x2 << 62) // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		uint32(a>>32), uint16(a>>16), uint16(a), uint16(b>>48), b&0xffffffffffff)
}

// hashOf gives a stable number for a string, for per-node variety (ping
// times, registration dates) that does not need per-node storage.
func hashOf(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

// epoch renders a time as AWS's JSON protocol does: seconds since the epoch
// as a number, with millisecond precision.
func epoch(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMilli()) / 1000
}

// epochPtr is epoch for optional members: nil (omitted) for the zero time.
func epochPtr(t time.Time) *float64 {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

func itoa(n int) string { return strconv.Itoa(n) }
