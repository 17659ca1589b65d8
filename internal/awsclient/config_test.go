package awsclient

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// isolate points the SDK at empty shared config files and clears the
// environment it reads, so the developer's own AWS setup cannot leak in.
func isolate(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestLoadNeedsRegion(t *testing.T) {
	isolate(t)
	_, err := Load(context.Background(), Config{})
	if !errors.Is(err, ErrNoRegion) {
		t.Fatalf("Load without region: got %v, want ErrNoRegion", err)
	}
	if got := Explain(err); got != "no AWS region: pass --region or set AWS_REGION" {
		t.Errorf("Explain = %q", got)
	}
}

func TestLoadRegionFromEnvironment(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_REGION", "eu-west-1")
	cfg, err := Load(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-1" {
		t.Errorf("region = %q", cfg.Region)
	}
	if cfg.Retryer().MaxAttempts() != DefaultMaxAttempts {
		t.Errorf("max attempts = %d, want %d", cfg.Retryer().MaxAttempts(), DefaultMaxAttempts)
	}
}

func TestLoadRejectsBadEndpoint(t *testing.T) {
	isolate(t)
	if _, err := Load(context.Background(), Config{Region: "us-east-1", EndpointURL: "localhost:4566"}); err == nil {
		t.Fatal("want an error for an endpoint without scheme")
	}
}

func TestMissingCredentialsDetectedOnFirstCall(t *testing.T) {
	isolate(t)
	cfg, err := Load(context.Background(), Config{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Credentials.Retrieve(context.Background())
	if !IsNoCredentials(err) {
		t.Fatalf("want a NoCredentialsError, got %v", err)
	}
}

func TestStaticCredentialsPassThrough(t *testing.T) {
	isolate(t)
	cfg, err := Load(context.Background(), Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "test" {
		t.Fatalf("credentials = %+v, %v", c, err)
	}
	if _, ok := cfg.Credentials.(*aws.CredentialsCache); !ok {
		t.Errorf("credentials are %T, want a cache", cfg.Credentials)
	}
}
