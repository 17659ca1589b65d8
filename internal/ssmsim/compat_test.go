package ssmsim

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"
)

// These tests check that clients other than the Go SDK read the simulator:
// the AWS CLI and boto3 use botocore's own protocol code and paginators.

func otherClientEnv() []string {
	return append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
}

func TestAWSCLIListsTheFleet(t *testing.T) {
	aws := needTool(t, "aws", "check AWS CLI compatibility")
	opts, _ := manualOpts(fleetOf(57))
	url := startHTTP(t, New(opts))
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(c, aws, "ssm", "describe-instance-information", "--endpoint-url", url, "--region", "us-east-1", "--output", "json")
	cmd.Env = otherClientEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws ssm describe-instance-information: %v\n%s", err, exitStderr(err))
	}
	var res struct {
		InstanceInformationList []struct{ InstanceId, PingStatus string }
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("CLI output %q: %v", out, err)
	}
	// The CLI paginates by itself, so it lists the whole fleet.
	if len(res.InstanceInformationList) != 57 || res.InstanceInformationList[0].PingStatus != "Online" {
		t.Errorf("CLI listed %d nodes: %+v", len(res.InstanceInformationList), res.InstanceInformationList[:min(2, len(res.InstanceInformationList))])
	}
}

func TestBoto3PaginatesTheFleet(t *testing.T) {
	py := needBoto3(t)
	opts, _ := manualOpts(fleetOf(123))
	opts.Faults.EmptyPageRate = 0.5 // consecutive empty pages must not repeat a token
	url := startHTTP(t, New(opts))
	script := `
import sys, boto3
c = boto3.client("ssm", endpoint_url=sys.argv[1], region_name="us-east-1")
ids = []
for page in c.get_paginator("describe_instance_information").paginate(PaginationConfig={"PageSize": 10}):
    ids += [i["InstanceId"] for i in page["InstanceInformationList"]]
print(len(ids), len(set(ids)))
`
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(c, py, "-c", script, url)
	cmd.Env = otherClientEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, exitStderr(err))
	}
	if got := string(out); got != "123 123\n" {
		t.Errorf("boto3 listed %q, want 123 unique nodes", got)
	}
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
