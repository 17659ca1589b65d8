package ssmsim

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/internal/clock"
)

func TestThrottlingIsRetriedBySDK(t *testing.T) {
	tests := []struct {
		name   string
		faults Faults
	}{
		// A storm: 60% of calls throttled at random.
		{"random storm", Faults{ThrottleRate: 0.6}},
		// A rate limit of 20/s on a clock 10x real time: 40 pages need
		// two simulated seconds, so most calls wait through retries.
		{"rate limit", Faults{RatePerSecond: 20, Burst: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Clock: clock.NewScaled(simT0, 10), Seed: 3, Fleets: map[string]Fleet{"*": fleetOf(200)}, Faults: tt.faults}
			s, c := startSim(t, opts, 30)
			ids, _ := listAll(t, c, &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(5)})
			if len(ids) != 200 {
				t.Fatalf("listed %d nodes, want 200", len(ids))
			}
			st := s.Stats().Snapshot()["DescribeInstanceInformation"]
			if st.Throttled == 0 || st.OK != 40 {
				t.Errorf("stats %+v: want some throttled and 40 OK pages", st)
			}
		})
	}
}

func TestThrottlingExhaustsDefaultRetries(t *testing.T) {
	opts, _ := manualOpts(fleetOf(5))
	opts.Faults = Faults{ThrottleRate: 1}
	_, c := startSim(t, opts, 3)
	_, err := c.DescribeInstanceInformation(testCtx(t), &ssm.DescribeInstanceInformationInput{})
	if apiCode(err) != "ThrottlingException" {
		t.Errorf("error %v, want ThrottlingException after 3 attempts", err)
	}
}

func TestServerErrorsAreRetried(t *testing.T) {
	opts, _ := manualOpts(fleetOf(60))
	opts.Faults = Faults{ServerErrorRate: 0.5}
	s, c := startSim(t, opts, 25)
	ids, _ := listAll(t, c, &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(10)})
	if len(ids) != 60 {
		t.Fatalf("listed %d nodes, want 60", len(ids))
	}
	if st := s.Stats().Snapshot()["DescribeInstanceInformation"]; st.ServerErrors == 0 {
		t.Errorf("no 500s injected: %+v", st)
	}
	s.SetFaults(Faults{ServerErrorRate: 1})
	_, c3 := startSim(t, Options{Fleets: map[string]Fleet{"*": fleetOf(1)}, Faults: Faults{ServerErrorRate: 1}}, 2)
	_, err := c3.DescribeInstanceInformation(testCtx(t), &ssm.DescribeInstanceInformationInput{})
	if apiCode(err) != "InternalServerError" {
		t.Errorf("error %v, want InternalServerError", err)
	}
}

func TestLatencyUsesTheClock(t *testing.T) {
	opts, clk := manualOpts(fleetOf(1))
	opts.Faults = Faults{Latency: 2 * time.Second}
	_, c := startSim(t, opts, 0)
	if _, err := c.DescribeInstanceInformation(testCtx(t), &ssm.DescribeInstanceInformationInput{}); err != nil {
		t.Fatal(err)
	}
	if got := clk.Now().Sub(simT0); got != 2*time.Second {
		t.Errorf("manual clock moved %s, want the 2s latency", got)
	}
}

func TestRegionsAreSeparate(t *testing.T) {
	opts, _ := manualOpts(fleetOf(3))
	opts.Fleets["eu-west-1"] = fleetOf(7)
	s := New(opts)
	srv := startHTTP(t, s)
	for region, want := range map[string]int{"us-east-1": 3, "eu-west-1": 7} {
		ids, _ := listAll(t, sdkClient(t, srv, region, 0), &ssm.DescribeInstanceInformationInput{})
		if len(ids) != want {
			t.Errorf("%s: %d nodes, want %d", region, len(ids), want)
		}
	}
	// A token from one region is refused in another.
	out, err := sdkClient(t, srv, "us-east-1", 0).DescribeInstanceInformation(testCtx(t), &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(5)})
	if err != nil {
		t.Fatal(err)
	}
	_ = out
	big, err := sdkClient(t, srv, "eu-west-1", 0).DescribeInstanceInformation(testCtx(t), &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(5)})
	if err != nil || big.NextToken == nil {
		t.Fatalf("eu-west-1 first page: %v", err)
	}
	_, err = sdkClient(t, srv, "us-east-1", 0).DescribeInstanceInformation(testCtx(t), &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(5), NextToken: big.NextToken})
	if apiCode(err) != "InvalidNextToken" {
		t.Errorf("token from another region: %v", err)
	}
}
