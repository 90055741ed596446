package e2e

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
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

// wantCode checks err's AWS error code and returns its message.
func wantCode(t *testing.T, err error, code string) string {
	t.Helper()
	got, msg := apiCode(t, err)
	if got != code {
		t.Fatalf("error code %s (%s), want %s", got, msg, code)
	}
	return msg
}

// wantAPIError checks err's HTTP status and AWS error code, and that the
// error came from the service (a request id), then returns its message.
func wantAPIError(t *testing.T, err error, status int, code string) string {
	t.Helper()
	msg := wantCode(t, err, code)
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("%s: no HTTP response in %v", code, err)
	}
	if re.HTTPStatusCode() != status {
		t.Fatalf("%s answered with HTTP %d, want %d", code, re.HTTPStatusCode(), status)
	}
	if re.ServiceRequestID() == "" {
		t.Fatalf("%s without a request id", code)
	}
	return msg
}

// wantDenied checks an AccessDenied as AWS words it: "User: CALLER is not
// authorized to perform: ACTION on resource: RESOURCE because no
// identity-based policy allows the ACTION action". The wording of RESOURCE
// varies by action in AWS, so it is returned for the caller to check.
func wantDenied(t *testing.T, err error, caller, action string) string {
	t.Helper()
	msg := wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
	prefix := "User: " + caller + " is not authorized to perform: " + action + " on resource: "
	suffix := " because no identity-based policy allows the " + action + " action"
	if !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, suffix) || len(msg) <= len(prefix)+len(suffix) {
		t.Fatalf("AccessDenied message %q\nwant %q RESOURCE %q", msg, prefix, suffix)
	}
	return msg[len(prefix) : len(msg)-len(suffix)]
}

// wantMessage checks an error message exactly.
func wantMessage(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("message\n got %q\nwant %q", got, want)
	}
}

// wantRecent checks a date is within a minute of now, in whole seconds
// (IAM's dates have second precision).
func wantRecent(t *testing.T, what string, d *time.Time) {
	t.Helper()
	if d == nil {
		t.Fatalf("%s: no date", what)
	}
	if since := time.Since(*d); since < -time.Minute || since > time.Minute {
		t.Fatalf("%s = %v, not within a minute of now", what, *d)
	}
	if d.Nanosecond() != 0 {
		t.Fatalf("%s = %v has sub-second digits", what, d.Format(time.RFC3339Nano))
	}
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

// newAccount creates another account in s's data dir with `latchkey account
// create` and returns its id and root key.
func newAccount(t *testing.T, s *e2etest.Server) (string, e2etest.Creds) {
	t.Helper()
	var a struct{ AccountId, AccessKeyId, SecretAccessKey string }
	jsonDecode(t, s.RunAdmin(t, "account", "create", "--output", "json"), &a)
	if !regexp.MustCompile(`^\d{12}$`).MatchString(a.AccountId) || a.AccessKeyId == "" || a.SecretAccessKey == "" {
		t.Fatalf("account create printed %+v", a)
	}
	return a.AccountId, e2etest.Creds{KeyID: a.AccessKeyId, Secret: a.SecretAccessKey}
}

// alteredSecret is secret with its last character changed: always another
// secret (replacing it by a fixed character would, one time in 64, leave it
// as it was).
func alteredSecret(secret string) string {
	last := "x"
	if strings.HasSuffix(secret, last) {
		last = "y"
	}
	return secret[:len(secret)-1] + last
}
