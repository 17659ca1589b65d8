package ssmsim

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/ssmsim/docparse"
	"github.com/patchready/patchready/internal/ssmsim/host"
	"github.com/patchready/patchready/internal/ssmsim/nodeshell"
)

// BenchmarkProbeScriptRun measures one real run of the probe document's
// script on one simulated node (Amazon Linux 2), without the cache: what
// a node with software no other node shares costs the simulator.
func BenchmarkProbeScriptRun(b *testing.B) {
	h, err := host.Spec{Preset: host.AmazonLinux2}.Build()
	if err != nil {
		b.Fatal(err)
	}
	d := mustParse(b, documents.ProbeYAML)
	script := stepScript(d, d.Steps[0], nil)
	tree := h.Tree()
	env := h.CommandEnv("us-east-1", instanceToken)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nodeshell.Run(testCtx(b), nodeshell.Options{Tree: tree, Script: script, Env: env}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProbeFleet probes every Linux node of a generated fleet
// through the SDK and reports how many real script runs that took and the
// share answered from the cache.
func BenchmarkProbeFleet(b *testing.B) {
	for _, size := range []int{10000} {
		b.Run(fmt.Sprintf("nodes=%d", size), func(b *testing.B) {
			for b.Loop() {
				f := Generate(size, 1)
				opts, clk := manualOpts(f)
				s, c := startSim(b, opts, 0)
				createDoc(b, c, documents.ProbeDocumentName, documents.ProbeYAML)
				var ids []string
				for _, n := range f.Nodes {
					if n.PlatformType == "Linux" {
						ids = append(ids, n.ID)
					}
				}
				for i := 0; i < len(ids); i += 50 {
					batch := ids[i:min(i+50, len(ids))]
					if _, err := c.SendCommand(testCtx(b), &ssm.SendCommandInput{DocumentName: aws.String(documents.ProbeDocumentName), InstanceIds: batch}); err != nil {
						b.Fatal(err)
					}
				}
				clk.Advance(time.Hour)
				st := s.ShellStats()
				b.ReportMetric(float64(len(ids)), "linux-nodes")
				b.ReportMetric(float64(st.Runs), "script-runs")
				b.ReportMetric(100*float64(st.Hits)/float64(st.Hits+st.Runs), "hit-%")
				b.ReportMetric(float64(st.RunTime.Milliseconds())/float64(st.Runs), "ms/run")
			}
		})
	}
}

func mustParse(b testing.TB, content string) *docparse.Doc {
	b.Helper()
	d, err := docparse.Parse(content, "YAML")
	if err != nil {
		b.Fatal(err)
	}
	return d
}
