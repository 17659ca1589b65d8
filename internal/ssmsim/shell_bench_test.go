package ssmsim

import (
	"fmt"
	"slices"
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
	benchScriptRun(b, h, stepScript(d, d.Steps[0], nil))
}

// benchScriptRun runs script on host h for each iteration, without the
// simulator's cache; it must exit 0.
func benchScriptRun(b *testing.B, h *host.Host, script string) {
	tree := h.Tree()
	env := h.CommandEnv("us-east-1", instanceToken)
	b.ReportAllocs()
	for b.Loop() {
		res, err := nodeshell.Run(testCtx(b), nodeshell.Options{Tree: tree, Script: script, Env: env})
		if err != nil || res.Code != 0 {
			b.Fatalf("exit %d, %v: %s", res.Code, err, res.Stderr)
		}
	}
}

// sendInBatches sends in to ids, 50 a command, as patchready does.
func sendInBatches(b *testing.B, c *ssm.Client, ids []string, in ssm.SendCommandInput) {
	for batch := range slices.Chunk(ids, 50) {
		in.InstanceIds = batch
		if _, err := c.SendCommand(testCtx(b), &in); err != nil {
			b.Fatal(err)
		}
	}
}

// reportShellStats reports the simulator's real script runs, the share
// answered from its cache, and the time a real run took.
func reportShellStats(b *testing.B, s *Server) {
	st := s.ShellStats()
	b.ReportMetric(float64(st.Runs), "script-runs")
	b.ReportMetric(100*float64(st.Hits)/float64(max(1, st.Hits+st.Runs)), "hit-%")
	b.ReportMetric(float64(st.RunTime.Milliseconds())/float64(max(1, st.Runs)), "ms/run")
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
				sendInBatches(b, c, ids, ssm.SendCommandInput{DocumentName: aws.String(documents.ProbeDocumentName)})
				clk.Advance(time.Hour)
				b.ReportMetric(float64(len(ids)), "linux-nodes")
				reportShellStats(b, s)
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
