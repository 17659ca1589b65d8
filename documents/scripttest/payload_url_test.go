package scripttest

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite documents/testdata/payload-urls.txt from the script")

// payloadRegions covers every class of region the patch run tells apart:
// China, GovCloud, the older commercial regions with their aws-ssm
// buckets, the four with named buckets, and newer regions.
var payloadRegions = []string{
	"cn-north-1", "cn-northwest-1",
	"us-gov-east-1", "us-gov-west-1",
	"ap-east-1", "ca-central-1", "ap-southeast-2", "ap-southeast-1", "us-west-1", "us-west-2",
	"ap-northeast-1", "eu-west-2", "ap-northeast-2", "us-east-1", "sa-east-1", "eu-central-1",
	"eu-west-1", "us-east-2", "eu-west-3", "ap-south-1", "eu-north-1",
	"me-south-1", "af-south-1", "eu-south-1", "ap-northeast-3",
	"ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
	"ca-west-1", "eu-central-2", "eu-south-2", "il-central-1", "me-central-1", "mx-central-1",
}

const payloadTable = "../testdata/payload-urls.txt"

// payloadURLs runs payload_url from lib.sh for each region under shell and
// returns "region url" lines; a region it refuses gets "region -".
func payloadURLs(t *testing.T, shell string, regions []string) string {
	t.Helper()
	script := `. ../scripts/lib.sh
for r in "$@"; do
  if u=$(payload_url "$r"); then printf '%s %s\n' "$r" "$u"; else printf '%s -\n' "$r"; fi
done`
	out, err := exec.Command(shell, append([]string{"-c", script, "sh"}, regions...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", shell, err, out)
	}
	return string(out)
}

// TestPayloadURLTable holds payload_url to the committed table, which the
// Go URL builder of the tool is compared with too.
func TestPayloadURLTable(t *testing.T) {
	for _, shell := range shells {
		got := payloadURLs(t, shell, payloadRegions)
		if *update && shell == shells[0] {
			if err := os.WriteFile(payloadTable, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(payloadTable)
		if err != nil {
			t.Fatalf("%v (go test -run TestPayloadURLTable -update writes it)", err)
		}
		if got != string(want) {
			t.Errorf("%s: payload_url differs from %s:\n%s", shell, filepath.Base(payloadTable), got)
		}
	}
}

// TestPayloadURLClasses checks one region of each class against the URL
// written out by hand from the patch run's rules, so the table cannot
// drift with the script.
func TestPayloadURLClasses(t *testing.T) {
	const p = "/patchbaselineoperations/linux/payloads/"
	want := map[string]string{
		"cn-north-1":     "https://s3.cn-north-1.amazonaws.com.cn/aws-ssm-cn-north-1" + p,
		"us-gov-west-1":  "https://s3-fips-us-gov-west-1.amazonaws.com/aws-ssm-us-gov-west-1" + p,
		"us-east-1":      "https://s3.dualstack.us-east-1.amazonaws.com/aws-ssm-us-east-1" + p,
		"eu-north-1":     "https://s3.dualstack.eu-north-1.amazonaws.com/aws-ssm-eu-north-1" + p,
		"me-south-1":     "https://s3.dualstack.me-south-1.amazonaws.com/aws-patch-manager-me-south-1-a53fc9dce" + p,
		"af-south-1":     "https://s3.dualstack.af-south-1.amazonaws.com/aws-patch-manager-af-south-1-bdd5f65a9" + p,
		"eu-south-1":     "https://s3.dualstack.eu-south-1.amazonaws.com/aws-patch-manager-eu-south-1-c52f3f594" + p,
		"ap-northeast-3": "https://s3.dualstack.ap-northeast-3.amazonaws.com/aws-patch-manager-ap-northeast-3-67373598a" + p,
		"il-central-1":   "https://aws-patch-manager-il-central-1.s3-accelerate.dualstack.amazonaws.com" + p,
		"":               "-",
		"US-EAST-1":      "-",
		"us-east-1;id":   "-",
		"us-east-1/../x": "-",
	}
	var regions []string
	for r := range want {
		regions = append(regions, r)
	}
	for _, shell := range shells {
		for _, line := range lines(payloadURLs(t, shell, regions)) {
			r, u, _ := strings.Cut(line, " ")
			if line[0] == ' ' {
				r, u = "", strings.TrimSpace(line)
			}
			if want[r] != u {
				t.Errorf("%s: payload_url %q = %q, want %q", shell, r, u, want[r])
			}
		}
	}
}
