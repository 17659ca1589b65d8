// Package awsclient builds the AWS configuration and the SSM, EC2 and IAM
// clients patchready uses, and classifies and explains the errors they
// return.
//
// It owns region and profile resolution, the endpoint override (for the
// simulator and for VPC endpoints), the retry policy that keeps fleet-sized
// work alive under throttling, and a per-operation call counter for metrics
// and benchmarks. It makes no SSM calls of its own and holds no fleet logic:
// packages fleet, probe, remedy and converge call SSM through their own small
// interfaces, which *ssm.Client satisfies.
package awsclient
