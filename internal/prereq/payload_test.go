package prereq

import "testing"

func TestPayloadURL(t *testing.T) {
	for _, tt := range []struct{ region, want string }{
		{"us-east-1", "https://s3.dualstack.us-east-1.amazonaws.com/aws-ssm-us-east-1/patchbaselineoperations/linux/payloads/"},
		{"eu-west-1", "https://s3.dualstack.eu-west-1.amazonaws.com/aws-ssm-eu-west-1/patchbaselineoperations/linux/payloads/"},
		{"me-south-1", "https://s3.dualstack.me-south-1.amazonaws.com/aws-patch-manager-me-south-1-a53fc9dce/patchbaselineoperations/linux/payloads/"},
		{"ap-northeast-3", "https://s3.dualstack.ap-northeast-3.amazonaws.com/aws-patch-manager-ap-northeast-3-67373598a/patchbaselineoperations/linux/payloads/"},
		{"cn-north-1", "https://s3.cn-north-1.amazonaws.com.cn/aws-ssm-cn-north-1/patchbaselineoperations/linux/payloads/"},
		{"us-gov-west-1", "https://s3-fips-us-gov-west-1.amazonaws.com/aws-ssm-us-gov-west-1/patchbaselineoperations/linux/payloads/"},
		{"ap-southeast-5", "https://aws-patch-manager-ap-southeast-5.s3-accelerate.dualstack.amazonaws.com/patchbaselineoperations/linux/payloads/"},
		{"eu-central-2", "https://aws-patch-manager-eu-central-2.s3-accelerate.dualstack.amazonaws.com/patchbaselineoperations/linux/payloads/"},
		{"", ""},
	} {
		if got := PayloadURL(tt.region); got != tt.want {
			t.Errorf("PayloadURL(%q) = %s, want %s", tt.region, got, tt.want)
		}
	}
}
