package ssmsim

import (
	"bytes"
	"testing"
)

// FuzzLoadFleet checks that no fleet file panics the loader, and that a
// fleet it accepts holds only what SSM could report: well-formed, unique
// node IDs, agent versions matching the API pattern, known enum values.
// An accepted fleet also brings a simulator up with every node in place.
func FuzzLoadFleet(f *testing.F) {
	seeds := []string{
		"nodes: []\n",
		"nodes:\n  - {id: i-0123456789abcdef0, platform_type: Linux, platform_name: Amazon Linux, platform_version: \"2\", agent_version: 3.3.1142.0}\n",
		"nodes:\n  - {id: mi-0123456789abcdef0, platform_type: Windows, platform_name: x, platform_version: \"1\", agent_version: 2.0.672.0, ping_status: ConnectionLost}\n",
		`{"nodes":[{"id":"i-01234567","platform_type":"MacOS","platform_name":"macOS","platform_version":"14.2.1","agent_version":"3.1.941.0","faults":{"slow":2}}]}`,
		"nodes:\n  - {id: i-0123456789abcdef0}\n  - {id: i-0123456789abcdef0}\n",
		"nodes:\n  - {id: i-0123456789abcdef0, agent_version: latest}\n",
		"nodes:\n  - {id: i-0123456789abcdef0, unknown_field: 1}\n",
		"nodes: &a [*a]\n",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		fl, err := LoadFleet(bytes.NewReader(data))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, n := range fl.Nodes {
			if !reFleetEC2ID.MatchString(n.ID) && !reFleetHybridID.MatchString(n.ID) {
				t.Fatalf("accepted node ID %q", n.ID)
			}
			if seen[n.ID] {
				t.Fatalf("accepted duplicate ID %q", n.ID)
			}
			seen[n.ID] = true
			if n.AgentVersion != "" && !reAgentVersion.MatchString(n.AgentVersion) {
				t.Fatalf("accepted agent version %q", n.AgentVersion)
			}
			if n.Faults.Slow < 0 {
				t.Fatalf("accepted negative slow %v", n.Faults.Slow)
			}
		}
		s := New(Options{Fleets: map[string]Fleet{"*": fl}})
		s.WithRegion("us-east-1", func(r *Region) {
			if r.Len() != len(fl.Nodes) {
				t.Fatalf("simulator holds %d nodes of %d", r.Len(), len(fl.Nodes))
			}
		})
	})
}
