package plan

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/prereq"
)

// benchFleet is n nodes with the variety of a real fleet: a few agent
// versions and platforms, half of them probed Amazon Linux.
func benchFleet(n int) []fleet.Node {
	oses := [][2]string{{"Amazon Linux", "2"}, {"Amazon Linux", "2023"}, {"Ubuntu", "22.04"}, {"Red Hat Enterprise Linux", "9.4"}}
	nodes := make([]fleet.Node, n)
	for i := range nodes {
		os := oses[i%len(oses)]
		nd := node(fmt.Sprintf("i-%017x", i), fmt.Sprintf("3.%d.%d.0", i%3, i%40), os[0], os[1])
		nd.ComputerName = fmt.Sprintf("ip-10-0-%d-%d", i/256%256, i%256)
		if nd.IsAmazonLinux() {
			nd = withProbe(nd, proxied(fmt.Sprintf("2.%d.0", 20+i%12)))
		}
		nodes[i] = nd
	}
	return nodes
}

// BenchmarkSaveLoad saves and loads a 10,000-node plan; its B/op is what
// a plan file costs beyond the plan itself, and grows with the nodes.
func BenchmarkSaveLoad(b *testing.B) {
	nodes := benchFleet(10_000)
	p := Build(nodes, prereq.Evaluate(nodes, opts().Rules), opts())
	var buf bytes.Buffer
	if err := Save(&buf, p); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if err := Save(io.Discard, p); err != nil {
			b.Fatal(err)
		}
		if _, err := Load(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateBuild evaluates and builds a 10,000-node plan.
func BenchmarkEvaluateBuild(b *testing.B) {
	nodes := benchFleet(10_000)
	b.ReportAllocs()
	for b.Loop() {
		Build(nodes, prereq.Evaluate(nodes, opts().Rules), opts())
	}
}
