package ssmdoc_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/ssmdoc"
	"github.com/patchready/patchready/internal/ssmsim"
)

const name = "patchready-Test"

var (
	v1 = strings.Replace(documents.ProbeYAML, "patchready read-only probe.", "patchready read-only probe (v1).", 1)
	v2 = documents.ProbeYAML
)

// counter counts the calls of the client simClient made last (client side:
// the simulator also sees transport-level repeats, aws/aws-sdk-go-v2#1825).
var counter *awsclient.CallCounter

func simClient(t *testing.T) (*ssmsim.Server, *ssm.Client) {
	t.Helper()
	sim := ssmsim.New(ssmsim.Options{Clock: clock.NewScaled(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), 200)})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	cfg, err := awsclient.Load(context.Background(), awsclient.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	counter = awsclient.NewCallCounter()
	return sim, awsclient.NewSSM(cfg, srv.URL, counter.Options)
}

func TestEnsureCreatesKeepsAndUpdates(t *testing.T) {
	if v1 == v2 {
		t.Fatal("test documents must differ")
	}
	sim, api := simClient(t)
	ctx := context.Background()
	opts := ssmdoc.Options{Clock: sim.Clock()}

	steps := []struct {
		name        string
		content     string
		wantVersion string
		wantCalls   map[string]int // calls made by this step
	}{
		{"missing: create", v1, "1", map[string]int{"CreateDocument": 1, "UpdateDocument": 0}},
		{"same content: nothing", v1, "1", map[string]int{"CreateDocument": 0, "UpdateDocument": 0, "UpdateDocumentDefaultVersion": 0}},
		{"new content: update and make default", v2, "2", map[string]int{"UpdateDocument": 1, "UpdateDocumentDefaultVersion": 1}},
		{"new content again: nothing", v2, "2", map[string]int{"UpdateDocument": 0, "UpdateDocumentDefaultVersion": 0}},
	}
	for _, s := range steps {
		before := counter.Snapshot()
		v, err := ssmdoc.Ensure(ctx, api, name, s.content, map[string]string{"patchready:run": "r1"}, opts)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if v != s.wantVersion {
			t.Errorf("%s: version %s, want %s", s.name, v, s.wantVersion)
		}
		for op, n := range s.wantCalls {
			if got := counter.Snapshot()[op].Calls - before[op].Calls; got != n {
				t.Errorf("%s: %s calls = %d, want %d", s.name, op, got, n)
			}
		}
	}
	out, err := api.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Document.DefaultVersion) != "2" || aws.ToString(out.Document.Hash) != documents.ContentHash(v2) {
		t.Errorf("default version %s, hash %s", aws.ToString(out.Document.DefaultVersion), aws.ToString(out.Document.Hash))
	}
	tags, err := api.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingDocument, ResourceId: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tg := range tags.TagList {
		found = found || aws.ToString(tg.Key) == ssmdoc.ManagedTagKey && aws.ToString(tg.Value) == "true"
	}
	if !found {
		t.Errorf("document lacks %s=true: %v", ssmdoc.ManagedTagKey, tags.TagList)
	}
}

func TestEnsureRestoresDefaultWhenLatestAlreadyHoldsContent(t *testing.T) {
	sim, api := simClient(t)
	ctx := context.Background()
	opts := ssmdoc.Options{Clock: sim.Clock()}
	if _, err := ssmdoc.Ensure(ctx, api, name, v1, nil, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := ssmdoc.Ensure(ctx, api, name, v2, nil, opts); err != nil {
		t.Fatal(err)
	}
	// Someone rolls the default back to version 1.
	if _, err := api.UpdateDocumentDefaultVersion(ctx, &ssm.UpdateDocumentDefaultVersionInput{Name: aws.String(name), DocumentVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	v, err := ssmdoc.Ensure(ctx, api, name, v2, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if v != "2" {
		t.Errorf("version %s, want 2 (the latest, made default again)", v)
	}
}

// racingAPI loses the create race once: the document appears between our
// DescribeDocument and our CreateDocument.
type racingAPI struct {
	ssmdoc.API
	once sync.Once
}

func (r *racingAPI) CreateDocument(ctx context.Context, in *ssm.CreateDocumentInput, opts ...func(*ssm.Options)) (*ssm.CreateDocumentOutput, error) {
	raced := false
	r.once.Do(func() {
		raced = true
		_, _ = r.API.CreateDocument(ctx, in, opts...) // the other run wins
	})
	if raced {
		return nil, &smithy.GenericAPIError{Code: "DocumentAlreadyExists", Message: "exists"}
	}
	return r.API.CreateDocument(ctx, in, opts...)
}

func TestEnsureSurvivesCreateRace(t *testing.T) {
	sim, api := simClient(t)
	v, err := ssmdoc.Ensure(context.Background(), &racingAPI{API: api}, name, v1, nil, ssmdoc.Options{Clock: sim.Clock()})
	if err != nil {
		t.Fatalf("lost race is an error: %v", err)
	}
	if v != "1" {
		t.Errorf("version %s, want 1", v)
	}
}
