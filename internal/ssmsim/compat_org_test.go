package ssmsim

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// These tests drive the multi-account simulator with the AWS CLI and
// boto3, whose query-protocol and XML parsing is botocore's own.

// needTool returns the path of a client program, or skips the test; under
// PATCHREADY_CI=1 a missing tool fails it instead.
func needTool(t *testing.T, name, why string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("PATCHREADY_CI") == "1" {
			t.Fatalf("%s is not on PATH (%s); CI installs it", name, why)
		}
		t.Skipf("%s is not on PATH; install it to %s", name, why)
	}
	return p
}

// needBoto3 returns the python3 that imports boto3, or skips the test
// (fails it under PATCHREADY_CI=1).
func needBoto3(t *testing.T) string {
	t.Helper()
	py := needTool(t, "python3", "check boto3 compatibility")
	if exec.Command(py, "-c", "import boto3").Run() != nil {
		if os.Getenv("PATCHREADY_CI") == "1" {
			t.Fatal("boto3 is not installed for python3; CI installs it (python3-boto3)")
		}
		t.Skip("boto3 is not installed for python3; install python3-boto3 to check boto3 compatibility")
	}
	return py
}

func runClient(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(c, name, args...)
	cmd.Env = otherClientEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, exitStderr(err))
	}
	return out
}

func TestAWSCLIAcrossTheOrganization(t *testing.T) {
	cli := needTool(t, "aws", "check AWS CLI compatibility")
	s, _, _ := startOrg(t, SampleOrgOptions{}, nil)
	url := startHTTP(t, s)

	var accounts struct{ Accounts []struct{ Id, Status string } }
	if err := json.Unmarshal(runClient(t, cli, "organizations", "list-accounts", "--endpoint-url", url, "--page-size", "2", "--output", "json"), &accounts); err != nil {
		t.Fatal(err)
	}
	if len(accounts.Accounts) != 5 || accounts.Accounts[4].Status != "SUSPENDED" {
		t.Errorf("list-accounts: %+v", accounts.Accounts)
	}

	var role struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser struct{ Arn string }
	}
	if err := json.Unmarshal(runClient(t, cli, "sts", "assume-role", "--endpoint-url", url, "--output", "json",
		"--role-arn", "arn:aws:iam::"+SampleMemberAccount(1)+":role/"+DefaultRoleName, "--role-session-name", "cli"), &role); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(role.Credentials.AccessKeyId, "ASIA") || !strings.HasSuffix(role.AssumedRoleUser.Arn, "/PatchReadyRole/cli") {
		t.Errorf("assume-role: %+v", role)
	}

	var inst struct {
		Reservations []struct {
			Instances []struct {
				InstanceId      string
				State           struct{ Name string }
				MetadataOptions struct{ HttpEndpoint string }
			}
		}
	}
	if err := json.Unmarshal(runClient(t, cli, "ec2", "describe-instances", "--endpoint-url", url, "--output", "json", "--page-size", "5",
		"--filters", "Name=instance-state-name,Values=stopped"), &inst); err != nil {
		t.Fatal(err)
	}
	if len(inst.Reservations) != 1 || inst.Reservations[0].Instances[0].InstanceId != "i-0c0ffee000000a004" ||
		inst.Reservations[0].Instances[0].MetadataOptions.HttpEndpoint != "enabled" {
		t.Errorf("describe-instances of stopped instances: %+v", inst)
	}
}

func TestBoto3AcrossTheOrganization(t *testing.T) {
	py := needBoto3(t)
	s, _, _ := startOrg(t, SampleOrgOptions{Accounts: 3}, nil)
	url := startHTTP(t, s)
	// Walk the organization as a multi-account tool would: list accounts,
	// assume the role in each active one, list regions, then EC2 and SSM
	// per region; count what each account answers.
	script := `
import sys, json, boto3, botocore
url = sys.argv[1]
org = boto3.client("organizations", endpoint_url=url, region_name="us-east-1")
sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1")
out = {}
for page in org.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 2}):
    for a in page["Accounts"]:
        if a["Status"] != "ACTIVE":
            out[a["Id"]] = a["Status"]
            continue
        try:
            cr = sts.assume_role(RoleArn="arn:aws:iam::%s:role/PatchReadyRole" % a["Id"], RoleSessionName="boto3")["Credentials"]
        except botocore.exceptions.ClientError as e:
            out[a["Id"]] = e.response["Error"]["Code"]
            continue
        kw = dict(endpoint_url=url, aws_access_key_id=cr["AccessKeyId"], aws_secret_access_key=cr["SecretAccessKey"], aws_session_token=cr["SessionToken"])
        regions = [r["RegionName"] for r in boto3.client("ec2", region_name="us-east-1", **kw).describe_regions()["Regions"]]
        counts = {}
        for r in sorted(regions):
            ec2 = boto3.client("ec2", region_name=r, **kw)
            n = sum(len(res["Instances"]) for p in ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5}) for res in p["Reservations"])
            ssm = boto3.client("ssm", region_name=r, **kw)
            m = sum(len(p["InstanceInformationList"]) for p in ssm.get_paginator("describe_instance_information").paginate())
            counts[r] = [n, m]
        out[a["Id"]] = counts
print(json.dumps(out, sort_keys=True))
`
	var got map[string]any
	if err := json.Unmarshal(runClient(t, py, "-c", script, url), &got); err != nil {
		t.Fatal(err)
	}
	if got[SampleSandboxAccount] != "AccessDenied" || got[SampleSuspendedAccount] != "SUSPENDED" {
		t.Errorf("sandbox %v, suspended %v", got[SampleSandboxAccount], got[SampleSuspendedAccount])
	}
	first, _ := got[SampleMemberAccount(1)].(map[string]any)
	second, _ := got[SampleMemberAccount(2)].(map[string]any)
	if len(first) != 3 || len(second) != 2 {
		t.Fatalf("regions walked: member 1 %v, member 2 %v (the opt-in region is enabled in member 1 only)", first, second)
	}
	mgmt, _ := got[SampleManagementAccount].(map[string]any)
	east, _ := mgmt["us-east-1"].([]any)
	// DescribeInstances has the fleet's EC2 nodes plus the unmanaged
	// instances; SSM has the fleet.
	fleet, ec2Nodes := SampleFleet().Nodes, 0
	for _, n := range fleet {
		if strings.HasPrefix(n.ID, "i-") {
			ec2Nodes++
		}
	}
	want := []any{float64(ec2Nodes + len(SampleInstances())), float64(len(fleet))}
	if len(east) != 2 || east[0] != want[0] || east[1] != want[1] {
		t.Errorf("management us-east-1 (EC2, SSM) = %v, want %v", east, want)
	}
}
