package engine

import (
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/unmanaged"
)

// Estate are the EC2 and IAM clients of the run's account and region: what
// finding the instances SSM does not manage, and the fixes that bring
// them under management, need besides SSM. A plan made without them says
// nothing of unmanaged instances; an apply without them refuses a plan
// that brings any under management.
type Estate struct {
	EC2 *ec2.Client
	IAM *iam.Client
}

func (e *Estate) readers(api *ssm.Client) unmanaged.APIs {
	return unmanaged.APIs{EC2: e.EC2, IAM: e.IAM, SSM: api}
}

func (e *Estate) writers(api *ssm.Client) remedy.RegisterAPIs {
	return remedy.RegisterAPIs{EC2: e.EC2, IAM: e.IAM, SSM: api}
}
