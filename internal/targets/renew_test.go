package targets

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/ssmsim"
)

// A call whose assumed-role credentials expire before AWS checks them
// (they outlived the cache's margin while the call waited for its rate or
// retried) runs once more with credentials assumed anew, instead of
// failing the whole target as "AWS rejected the credentials".
func TestExpiredAssumedCredentialsAreRenewedOnce(t *testing.T) {
	// The fleet's clock runs apart from the wall clock the SDK's cache
	// reads: moving it on expires the credentials without the cache
	// knowing.
	fleet := clock.NewManual(time.Now().UTC().Truncate(time.Second))
	sim := ssmsim.New(ssmsim.Options{Clock: fleet, Seed: 3, Organization: ssmsim.SampleOrganization(ssmsim.SampleOrgOptions{})})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	h := hubFor(t, srv.URL, clock.Real{}, Spec{Org: true})

	const account = "200000000001"
	c := &Conn{Account: account, Region: "us-east-1"}
	c.SSM = h.SSM(h.Config(account, c.Region))
	ctx := context.Background()
	if _, err := countNodes(ctx, c); err != nil {
		t.Fatal(err)
	}
	if n := sim.Stats().Calls("sts:AssumeRole"); n != 1 {
		t.Fatalf("%d AssumeRole calls, want 1", n)
	}

	fleet.Advance(2 * time.Hour) // the role's hour has passed, as AWS sees it
	n, err := countNodes(ctx, c)
	if err != nil {
		t.Fatalf("after the credentials expired: %v", err)
	}
	want := 0
	sim.WithAccountRegion(account, c.Region, func(r *ssmsim.Region) { want = r.Len() })
	if n != want || n == 0 {
		t.Errorf("listed %d nodes, the simulator holds %d", n, want)
	}
	if n := sim.Stats().Calls("sts:AssumeRole"); n != 2 {
		t.Errorf("%d AssumeRole calls, want 2 (assumed once more after the expiry)", n)
	}
}
