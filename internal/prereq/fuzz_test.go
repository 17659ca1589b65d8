package prereq

import (
	"testing"

	version "github.com/hashicorp/go-version"
)

// FuzzAgentVersion checks that no agent version string panics the check and
// that a pass is only ever given to a version matching the API pattern and
// at or above the floor.
func FuzzAgentVersion(f *testing.F) {
	for _, s := range []string{"", "3", "2.0.834.0", "2.0.833.9", "3.3.1142.0", "2.0.834.0-beta", "garbage", "999999.999999.999999.999999", "1.2.3.4.5"} {
		f.Add(s)
	}
	p := Default()
	floor := version.Must(version.NewVersion(p.MinAgentVersion))
	f.Fuzz(func(t *testing.T, s string) {
		res := result(t, EvaluateNode(al2(s, nil), p), CheckAgentVersion)
		if res.Reason == "" {
			t.Fatal("empty reason")
		}
		if res.Status != StatusPass {
			return
		}
		if !agentVersionPattern.MatchString(s) {
			t.Fatalf("%q passed but does not match the API pattern", s)
		}
		v, err := version.NewVersion(s)
		if err != nil || v.LessThan(floor) {
			t.Fatalf("%q passed but is below %s (err %v)", s, floor, err)
		}
	})
}
