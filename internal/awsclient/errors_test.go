package awsclient

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

func opErr(op string, err error) error {
	return &smithy.OperationError{ServiceID: "SSM", OperationName: op, Err: err}
}

func generic(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }

func TestClassifiers(t *testing.T) {
	tests := []struct {
		name string
		err  error
		is   func(error) bool
		want bool
	}{
		{"typed throttling", opErr("SendCommand", &types.ThrottlingException{}), IsThrottled, true},
		{"generic throttling", fmt.Errorf("x: %w", generic("ThrottlingException")), IsThrottled, true},
		{"legacy Throttling code", generic("Throttling"), IsThrottled, true},
		{"not throttled", generic("ValidationException"), IsThrottled, false},
		{"nil is nothing", nil, IsThrottled, false},
		{"plain error is nothing", errors.New("boom"), IsNotFound, false},
		{"DoesNotExistException", &types.DoesNotExistException{}, IsNotFound, true},
		{"AssociationDoesNotExist", opErr("DescribeAssociation", &types.AssociationDoesNotExist{}), IsNotFound, true},
		{"InvalidDocument is not found", generic("InvalidDocument"), IsNotFound, true},
		{"InvocationDoesNotExist", &types.InvocationDoesNotExist{}, IsNotFound, true},
		{"AssociationExecutionDoesNotExist", generic("AssociationExecutionDoesNotExist"), IsNotFound, true},
		{"InvalidInstanceId is not not-found", &types.InvalidInstanceId{}, IsNotFound, false},
		{"AssociationAlreadyExists", &types.AssociationAlreadyExists{}, IsAlreadyExists, true},
		{"DocumentAlreadyExists", opErr("CreateDocument", generic("DocumentAlreadyExists")), IsAlreadyExists, true},
		{"AccessDeniedException", &types.AccessDeniedException{}, IsAccessDenied, true},
		{"UnauthorizedOperation", generic("UnauthorizedOperation"), IsAccessDenied, true},
		{"invocation not visible", opErr("GetCommandInvocation", &types.InvocationDoesNotExist{}), IsInvocationNotYetVisible, true},
		{"invalid command id is not invisibility", generic("InvalidCommandId"), IsInvocationNotYetVisible, false},
		{"expired token", generic("ExpiredTokenException"), IsInvalidCredentials, true},
		{"no credentials", opErr("SendCommand", fmt.Errorf("get identity: %w", &NoCredentialsError{Err: errors.New("none")})), IsNoCredentials, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.is(tt.err); got != tt.want {
				t.Errorf("got %v, want %v for %v", got, tt.want, tt.err)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:4566/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	remote := &url.Error{Op: "Post", URL: "https://ssm.eu-west-1.amazonaws.com/", Err: &net.DNSError{Err: "no such host", Name: "ssm.eu-west-1.amazonaws.com"}}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"access denied names the permission", opErr("DescribeInstanceInformation", &types.AccessDeniedException{}), "lacks permission ssm:DescribeInstanceInformation"},
		{"unauthorized names the permission", opErr("SendCommand", generic("UnauthorizedOperation")), "ssm:SendCommand"},
		{"no credentials", opErr("SendCommand", fmt.Errorf("get identity: %w", &NoCredentialsError{Err: errors.New("no EC2 IMDS role found")})), "no AWS credentials found"},
		{"no region", fmt.Errorf("load: %w", ErrNoRegion), "pass --region or set AWS_REGION"},
		{"simulator down", opErr("DescribeInstanceInformation", fmt.Errorf("send: %w", refused)), "cannot reach http://127.0.0.1:4566: is the simulator running?"},
		{"remote down", opErr("DescribeInstanceInformation", remote), "cannot reach https://ssm.eu-west-1.amazonaws.com: check the network"},
		{"throttled to the end", opErr("SendCommand", &types.ThrottlingException{}), "throttling SendCommand"},
		{"other API error", opErr("CreateDocument", generic("InvalidDocumentContent")), "CreateDocument: InvalidDocumentContent: m"},
		{"plain", errors.New("boom"), "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.err)
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("Explain = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
