package ssmsim

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// BenchmarkDescribeInstancesPage measures one DescribeInstances page,
// walking the fleet's instances from token to token, at page sizes 50 and
// 1000. The cost per page must stay flat as the fleet grows: the two
// sorted lists are entered by binary search, so a page costs O(page).
func BenchmarkDescribeInstancesPage(b *testing.B) {
	for _, n := range benchSizes {
		s := New(Options{Seed: 1, Fleets: map[string]Fleet{"*": Generate(n, 1)}})
		s.WithRegion("us-east-1", func(*Region) {}) // load the fleet before timing
		for _, page := range []int{50, 1000} {
			b.Run(fmt.Sprintf("handler/instances=%d/page=%d", n, page), func(b *testing.B) {
				token := ""
				b.ReportAllocs()
				for b.Loop() {
					form := url.Values{"Action": {"DescribeInstances"}, "Version": {"2016-11-15"}, "MaxResults": {fmt.Sprint(page)}}
					if token != "" {
						form.Set("NextToken", token)
					}
					req := httptest.NewRequest(http.MethodPost, "/", bytes.NewBufferString(form.Encode()))
					req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250602/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0")
					w := httptest.NewRecorder()
					s.ServeHTTP(w, req)
					token = ec2NextToken(b, w.Body.Bytes())
				}
			})
		}
		b.Run(fmt.Sprintf("sdk/instances=%d/page=50", n), func(b *testing.B) {
			c := newClients(b, startHTTP(b, s), "us-east-1", staticCreds).ec2
			var token *string
			for b.Loop() {
				out, err := c.DescribeInstances(testCtx(b), &ec2.DescribeInstancesInput{MaxResults: aws.Int32(50), NextToken: token})
				if err != nil {
					b.Fatal(err)
				}
				token = out.NextToken
			}
		})
	}
}

func ec2NextToken(b *testing.B, body []byte) string {
	const open, end = "<nextToken>", "</nextToken>"
	i := bytes.Index(body, []byte(open))
	if i < 0 {
		if !bytes.Contains(body, []byte("<reservationSet>")) {
			b.Fatalf("unexpected answer %s", body)
		}
		return ""
	}
	rest := body[i+len(open):]
	return string(rest[:bytes.Index(rest, []byte(end))])
}
