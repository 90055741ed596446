package e2e

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/latchkey/latchkey/internal/e2etest"
)

var (
	keyIDPattern  = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)
	userIDPattern = regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`)
)

// apiCode returns the AWS error code of err, failing when err is nil.
func apiCode(t *testing.T, err error) (code, message string) {
	t.Helper()
	if err == nil {
		t.Fatal("call succeeded, want an error")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

func wantCode(t *testing.T, err error, code string) string {
	t.Helper()
	got, msg := apiCode(t, err)
	if got != code {
		t.Fatalf("error code %s (%s), want %s", got, msg, code)
	}
	return msg
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// newUserWithKey creates a user and one access key as the root.
func newUserWithKey(t *testing.T, s *e2etest.Server, name string) e2etest.Creds {
	t.Helper()
	ctx := context.Background()
	c := s.IAM(e2etest.Root)
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return e2etest.Creds{KeyID: *out.AccessKey.AccessKeyId, Secret: *out.AccessKey.SecretAccessKey}
}
