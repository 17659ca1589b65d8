package targets

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

func ssmDescribe(c *Conn) *ssm.DescribeInstanceInformationPaginator {
	return ssm.NewDescribeInstanceInformationPaginator(c.SSM, &ssm.DescribeInstanceInformationInput{MaxResults: aws.Int32(50)})
}
