package prereq

import (
	"fmt"
	"strings"

	version "github.com/hashicorp/go-version"

	"github.com/patchready/patchready/internal/fleet"
)

// checkOS decides os-supported for n. Exclusions are checked first, then
// the supported rules; a node whose platform name matches a supported rule
// but whose version cannot be read is unknown rather than failed, because
// the reviewer should look at it rather than trust a guess either way.
func checkOS(n fleet.Node, p Rules) CheckResult {
	res := CheckResult{Check: CheckOSSupported}
	label := platformLabel(n)
	if strings.TrimSpace(n.PlatformName) == "" {
		res.Status = StatusUnknown
		res.Reason = "the agent did not report the operating system's name"
		return res
	}
	for _, r := range p.Unsupported {
		if !r.matchesName(n) {
			continue
		}
		if ok, _ := r.matchesVersion(n.PlatformVersion); ok {
			res.Status = StatusFail
			res.Reason = fmt.Sprintf("%s is not supported: %s", label, r.Reason)
			return res
		}
	}
	nameMatched, versionUnreadable := false, false
	for _, r := range p.Supported {
		if !r.matchesName(n) {
			continue
		}
		nameMatched = true
		ok, readable := r.matchesVersion(n.PlatformVersion)
		if ok {
			res.Status = StatusPass
			res.Reason = fmt.Sprintf("%s is supported (%s)", label, r.Name)
			return res
		}
		if !readable {
			versionUnreadable = true
		}
	}
	switch {
	case versionUnreadable:
		res.Status = StatusUnknown
		res.Reason = fmt.Sprintf("%s: version %s cannot be read, so support cannot be decided",
			strings.TrimSpace(n.PlatformName), quoteShort(n.PlatformVersion))
	case nameMatched:
		res.Status = StatusFail
		res.Reason = fmt.Sprintf("%s is not a version Patch Manager supports", label)
	default:
		res.Status = StatusFail
		res.Reason = fmt.Sprintf("%s is not an operating system Patch Manager supports", label)
	}
	return res
}

// platformLabel is how reasons and renderers name a node's OS.
func platformLabel(n fleet.Node) string {
	name := strings.TrimSpace(n.PlatformName)
	if len(name) > maxLooseVersionLen {
		name = name[:maxLooseVersionLen] + "…"
	}
	v := strings.TrimSpace(n.PlatformVersion)
	if len(v) > maxLooseVersionLen {
		v = v[:maxLooseVersionLen] + "…"
	}
	if v == "" {
		return name
	}
	return name + " " + v
}

func (r OSRule) matchesName(n fleet.Node) bool {
	if r.PlatformType != "" && !strings.EqualFold(r.PlatformType, n.PlatformType) {
		return false
	}
	got := strings.ToLower(strings.TrimSpace(n.PlatformName))
	for _, want := range r.PlatformNames {
		want = strings.ToLower(strings.TrimSpace(want))
		switch r.Match {
		case MatchPrefix:
			if strings.HasPrefix(got, want) {
				return true
			}
		case MatchContains:
			if strings.Contains(got, want) {
				return true
			}
		default:
			if got == want {
				return true
			}
		}
	}
	return false
}

// matchesVersion reports whether v falls in one of r's ranges, and whether
// v could be read at all. A rule without ranges matches any version,
// readable or not.
func (r OSRule) matchesVersion(v string) (ok, readable bool) {
	if len(r.Versions) == 0 {
		return true, true
	}
	got, readable := parseLooseVersion(v)
	if !readable {
		return false, false
	}
	for _, vr := range r.Versions {
		if vr.contains(got) {
			return true, true
		}
	}
	return false, true
}

func (vr VersionRange) contains(v *version.Version) bool {
	if vr.Min != "" {
		lo, ok := parseLooseVersion(vr.Min)
		if !ok || v.LessThan(lo) {
			return false
		}
	}
	if vr.Max != "" {
		hi, ok := parseLooseVersion(vr.Max)
		// go-version pads to three segments, so the precision is counted
		// on the string as written.
		precision := strings.Count(strings.TrimSpace(vr.Max), ".") + 1
		if !ok || truncate(v, precision).GreaterThan(hi) {
			return false
		}
	}
	return true
}

// truncate keeps the first n segments of v, so that comparing with a max of
// "7.9" ignores the build number in "7.9.2009" and a max of "9" admits 9.4.
func truncate(v *version.Version, n int) *version.Version {
	segs := v.Segments()
	if len(segs) > n {
		segs = segs[:n]
	}
	parts := make([]string, len(segs))
	for i, s := range segs {
		parts[i] = fmt.Sprint(s)
	}
	t, err := version.NewVersion(strings.Join(parts, "."))
	if err != nil {
		return v
	}
	return t
}
