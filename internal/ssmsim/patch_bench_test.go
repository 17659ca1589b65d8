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
	"github.com/patchready/patchready/internal/ssmsim/patchbaseline"
)

// BenchmarkPatchScanScriptRun measures one real run of the PatchLinux
// script on one simulated node (Amazon Linux 2), without the cache: what
// a node with software no other node shares costs the simulator's scan.
func BenchmarkPatchScanScriptRun(b *testing.B) {
	h, err := host.Spec{Preset: host.AmazonLinux2}.Build()
	if err != nil {
		b.Fatal(err)
	}
	d, err := docparse.Parse(patchbaseline.Content, "JSON")
	if err != nil {
		b.Fatal(err)
	}
	benchScriptRun(b, h, stepScript(d, d.Steps[1], scanParams))
}

// BenchmarkPatchScanFleet scans every node of a generated fleet through
// the SDK, 50 nodes a command, and reports how many real script runs that
// took, the share answered from the cache, and how the scans ended.
func BenchmarkPatchScanFleet(b *testing.B) {
	for _, size := range []int{10000} {
		b.Run(fmt.Sprintf("nodes=%d", size), func(b *testing.B) {
			for b.Loop() {
				f := Generate(size, 1)
				opts, clk := manualOpts(f)
				s, c := startSim(b, opts, 0)
				var ids []string
				for _, n := range f.Nodes {
					ids = append(ids, n.ID)
				}
				sendInBatches(b, c, ids, ssm.SendCommandInput{DocumentName: aws.String(documents.RunPatchBaselineDocumentName),
					Parameters: scanParams, MaxConcurrency: aws.String("100%"), MaxErrors: aws.String("100%")})
				clk.Advance(time.Hour)
				scanned := 0
				for i := 0; i < len(ids); i += 50 {
					page, err := c.DescribeInstancePatchStates(testCtx(b), &ssm.DescribeInstancePatchStatesInput{InstanceIds: ids[i:min(i+50, len(ids))], MaxResults: aws.Int32(50)})
					if err != nil {
						b.Fatal(err)
					}
					scanned += len(page.InstancePatchStates)
				}
				b.ReportMetric(float64(scanned), "scanned")
				reportShellStats(b, s)
			}
		})
	}
}
