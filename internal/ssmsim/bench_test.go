package ssmsim

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

var benchSizes = []int{1000, 10000, 100000}

// BenchmarkDescribeInstanceInformationPage measures one page of 50 nodes,
// walking the fleet from token to token. The cost per page must stay flat
// as the fleet grows: pages cost O(page), not O(fleet).
func BenchmarkDescribeInstanceInformationPage(b *testing.B) {
	for _, n := range benchSizes {
		s := New(Options{Seed: 1, Fleets: map[string]Fleet{"*": Generate(n, 1)}})
		s.WithRegion("us-east-1", func(*Region) {}) // load the fleet before timing
		b.Run(fmt.Sprintf("handler/nodes=%d", n), func(b *testing.B) {
			token := ""
			b.ReportAllocs()
			for b.Loop() {
				body := `{"MaxResults":50}`
				if token != "" {
					body = `{"MaxResults":50,"NextToken":"` + token + `"}`
				}
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewBufferString(body))
				req.Header.Set("X-Amz-Target", "AmazonSSM.DescribeInstanceInformation")
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				token = nextTokenOf(b, w.Body.Bytes())
			}
		})
		b.Run(fmt.Sprintf("sdk/nodes=%d", n), func(b *testing.B) {
			c := sdkClient(b, startHTTP(b, s), "us-east-1", 0)
			var token *string
			for b.Loop() {
				out, err := c.DescribeInstanceInformation(testCtx(b), &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(50), NextToken: token})
				if err != nil {
					b.Fatal(err)
				}
				token = out.NextToken
			}
		})
	}
}

func nextTokenOf(b *testing.B, body []byte) string {
	const key = `"NextToken":"`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		if !bytes.Contains(body, []byte("InstanceInformationList")) {
			b.Fatalf("unexpected answer %s", body)
		}
		return ""
	}
	rest := body[i+len(key):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// BenchmarkFleetMemory reports the heap a 100,000-node fleet holds once
// loaded into the simulator (target: under 300 MB).
func BenchmarkFleetMemory(b *testing.B) {
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := New(Options{Seed: 1, Fleets: map[string]Fleet{"*": Generate(100000, 1)}})
		s.WithRegion("us-east-1", func(r *Region) {}) // load the region
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-heap/100k-nodes")
		runtime.KeepAlive(s)
	}
}
