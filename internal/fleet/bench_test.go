package fleet_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/fleet"
	"github.com/patchready/patchready/internal/ssmsim"
)

// retainedPerNode measures the heap a discovery result keeps, per node:
// the SDK's pages must not outlive their loop iteration.
func retainedPerNode(b *testing.B, api fleet.DiscoverAPI) float64 {
	b.StopTimer()
	defer b.StartTimer()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	nodes, err := fleet.Discover(context.Background(), api, fleet.Selection{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	kept := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	runtime.KeepAlive(nodes)
	return kept / float64(len(nodes))
}

// BenchmarkDiscover lists simulated fleets over HTTP with the real client,
// reporting calls and the memory kept per node.
func BenchmarkDiscover(b *testing.B) {
	for _, size := range []int{1000, 100_000} {
		b.Run(fmt.Sprintf("nodes=%d", size), func(b *testing.B) {
			sim := ssmsim.New(ssmsim.Options{Clock: clock.NewScaled(start, 200), Fleets: map[string]ssmsim.Fleet{"*": ssmsim.Generate(size, 1)}})
			srv := httptest.NewServer(sim)
			defer srv.Close()
			cfg, err := awsclient.Load(context.Background(), awsclient.Config{
				Region: "us-east-1", MaxBackoff: 50 * time.Millisecond,
				Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
			})
			if err != nil {
				b.Fatal(err)
			}
			api := awsclient.NewSSM(cfg, srv.URL)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				nodes, err := fleet.Discover(context.Background(), api, fleet.Selection{}, nil)
				if err != nil {
					b.Fatal(err)
				}
				if len(nodes) == 0 {
					b.Fatal("no nodes")
				}
			}
			b.ReportMetric(float64(sim.Stats().Calls("DescribeInstanceInformation"))/float64(b.N), "calls/op")
			b.ReportMetric(retainedPerNode(b, api), "kept-B/node")
		})
	}
}
