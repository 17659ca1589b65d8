package ssmsim

import (
	"reflect"
	"slices"
	"testing"

	"github.com/patchready/patchready/internal/ssmsim/host"
)

// TestGenerateHostVariants: a generated fleet shows every software case at
// a plausible rate, the same for the same seed.
func TestGenerateHostVariants(t *testing.T) {
	f := Generate(10000, 1)
	count := map[string]int{}
	linux := 0
	for _, n := range f.Nodes {
		if n.PlatformType != "Linux" {
			if n.Host != nil {
				t.Fatalf("%s: a %s node has a host spec", n.ID, n.PlatformType)
			}
			continue
		}
		linux++
		h := n.Host
		if h == nil {
			continue
		}
		switch {
		case h.Preset == host.AmazonLinux2 && h.Payload == host.Proxied && len(h.Unoffered) > 0:
			count["al2 proxied, pip not installable"]++
		case h.Preset == host.AmazonLinux2 && h.Payload == host.Proxied:
			count["al2 proxied, payload only through the proxy"]++
		case slices.Contains(h.Without, "python3-apt"):
			count["ubuntu without python3-apt"]++
		case slices.Contains(h.Without, "python3") && h.Preset == host.RHEL8:
			count["rhel 8 without python3"]++
		case slices.Contains(h.Without, "python3"):
			count["ubuntu without python3"]++
		case slices.Contains(h.Without, "curl"):
			count["no curl or wget"]++
		case h.Payload == host.Blocked:
			count["payload blocked"]++
		case h.WorkdirNoexec:
			count["noexec work directory"]++
		case h.VarFreeMB > 0:
			count["/var low"]++
		case h.Repos == host.Blocked:
			count["repositories unreachable"]++
		}
	}
	for _, c := range []struct {
		name     string
		min, max float64 // share of Linux nodes
	}{
		{"al2 proxied, payload only through the proxy", 0.02, 0.10},
		{"al2 proxied, pip not installable", 0.0005, 0.01},
		{"ubuntu without python3", 0.005, 0.04},
		{"ubuntu without python3-apt", 0.005, 0.04},
		{"rhel 8 without python3", 0.002, 0.03},
		{"no curl or wget", 0.005, 0.03},
		{"payload blocked", 0.005, 0.03},
		{"noexec work directory", 0.002, 0.02},
		{"/var low", 0.005, 0.03},
		{"repositories unreachable", 0.005, 0.03},
	} {
		share := float64(count[c.name]) / float64(linux)
		if share < c.min || share > c.max {
			t.Errorf("%s: %d of %d Linux nodes (%.2f%%), want %.2f%%–%.2f%%", c.name, count[c.name], linux, 100*share, 100*c.min, 100*c.max)
		}
	}
	// Most proxied agents run with the proxy their override sets; about
	// one in ten was not restarted since it was written.
	proxied, pending := 0, 0
	for _, n := range f.Nodes {
		if n.Proxy.URL != "" {
			proxied++
			if n.Proxy.Source != "process" {
				pending++
			}
		}
	}
	if share := float64(pending) / float64(proxied); proxied == 0 || share < 0.05 || share > 0.15 {
		t.Errorf("%d of %d proxied nodes have a proxy their running agent has not loaded, want 5%%–15%%", pending, proxied)
	}
	again := Generate(10000, 1)
	for i := range f.Nodes {
		if !reflect.DeepEqual(f.Nodes[i].Host, again.Nodes[i].Host) {
			t.Fatalf("node %d: host spec differs between two runs with one seed", i)
		}
	}
}
