package prereq

import (
	"slices"
	"strings"
)

// payloadPrefix is where the patch run's Linux payloads live in the bucket.
const payloadPrefix = "patchbaselineoperations/linux/payloads/"

// oldBucketRegions are the regions whose payload bucket is aws-ssm-REGION
// (or a named special bucket) behind the dual-stack S3 endpoint; newer
// regions use S3 Transfer Acceleration. The list is the patch run's own.
var oldBucketRegions = []string{"ap-east-1", "us-gov-east-1", "us-gov-west-1", "cn-northwest-1", "cn-north-1",
	"ca-central-1", "ap-southeast-2", "ap-southeast-1", "us-west-1", "us-west-2", "ap-northeast-1", "eu-west-2",
	"ap-northeast-2", "us-east-1", "sa-east-1", "eu-central-1", "eu-west-1", "us-east-2", "eu-west-3", "ap-south-1",
	"eu-north-1", "me-south-1", "af-south-1", "eu-south-1", "ap-northeast-3"}

// specialBuckets are the old regions whose bucket is not aws-ssm-REGION.
var specialBuckets = map[string]string{
	"me-south-1":     "aws-patch-manager-me-south-1-a53fc9dce",
	"af-south-1":     "aws-patch-manager-af-south-1-bdd5f65a9",
	"eu-south-1":     "aws-patch-manager-eu-south-1-c52f3f594",
	"ap-northeast-3": "aws-patch-manager-ap-northeast-3-67373598a",
}

// PayloadURL is the URL of the folder AWS-RunPatchBaseline downloads its
// Linux payload from in region, built as the patch run builds it for each
// class of region (China, GovCloud, the older commercial regions, newer
// ones). The probe's script builds the same URL on the node; a test holds
// the two to the same table. It returns "" for an empty region.
func PayloadURL(region string) string {
	if region == "" {
		return ""
	}
	bucket := "aws-ssm-" + region
	if b, ok := specialBuckets[region]; ok {
		bucket = b
	}
	old := slices.Contains(oldBucketRegions, region)
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "https://s3." + region + ".amazonaws.com.cn/" + bucket + "/" + payloadPrefix
	case strings.HasPrefix(region, "us-gov-"):
		return "https://s3-fips-" + region + ".amazonaws.com/" + bucket + "/" + payloadPrefix
	case old:
		return "https://s3.dualstack." + region + ".amazonaws.com/" + bucket + "/" + payloadPrefix
	}
	return "https://aws-patch-manager-" + region + ".s3-accelerate.dualstack.amazonaws.com/" + payloadPrefix
}
