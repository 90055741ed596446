package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestAWSCLICreateAccessKeyInputJSON drives `aws iam create-access-key`
// with the CLI's JSON input options: --cli-input-json with an inline
// document, and the skeleton --generate-cli-skeleton prints, filled in and
// fed back from a file.
func TestAWSCLICreateAccessKeyInputJSON(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.IAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Bob")}))

	createKey := func(t *testing.T, args ...string) e2etest.Creds {
		t.Helper()
		out, errOut, err := s.AWSCLI(t, e2etest.Root, append([]string{"iam", "create-access-key"}, args...)...)
		if err != nil {
			t.Fatalf("aws iam create-access-key %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
		}
		var resp struct {
			AccessKey struct{ UserName, AccessKeyId, Status, SecretAccessKey, CreateDate string }
		}
		if err := json.Unmarshal([]byte(out), &resp); err != nil {
			t.Fatalf("output %q: %v", out, err)
		}
		k := resp.AccessKey
		if k.UserName != "Bob" || !keyIDPattern.MatchString(k.AccessKeyId) || k.Status != "Active" || len(k.SecretAccessKey) != 40 || k.CreateDate == "" {
			t.Fatalf("created key %+v, want an Active key of Bob", k)
		}
		c := e2etest.Creds{KeyID: k.AccessKeyId, Secret: k.SecretAccessKey}
		wantCaller(t, s, c, "arn:aws:iam::123456789012:user/Bob")
		return c
	}

	t.Run("InlineJSON", func(t *testing.T) {
		createKey(t, "--cli-input-json", `{"UserName":"Bob"}`)
	})

	t.Run("Skeleton", func(t *testing.T) {
		out, errOut, err := s.AWSCLI(t, e2etest.Root, "iam", "create-access-key", "--generate-cli-skeleton")
		if err != nil {
			t.Fatalf("--generate-cli-skeleton: %v\n%s", err, errOut)
		}
		var skeleton map[string]any
		if err := json.Unmarshal([]byte(out), &skeleton); err != nil {
			t.Fatalf("skeleton %q: %v", out, err)
		}
		if v, ok := skeleton["UserName"]; !ok || len(skeleton) != 1 {
			t.Fatalf("skeleton %v, want exactly the member UserName", skeleton)
		} else if _, isString := v.(string); !isString {
			t.Fatalf("skeleton UserName = %#v, want a string placeholder", v)
		}
		skeleton["UserName"] = "Bob"
		b, _ := json.Marshal(skeleton)
		input := filepath.Join(t.TempDir(), "create-access-key.json")
		if err := os.WriteFile(input, b, 0o600); err != nil {
			t.Fatal(err)
		}
		createKey(t, "--cli-input-json", "file://"+input)

		// Bob now has two keys: AWS's quota refuses a third.
		_, errOut, err = s.AWSCLI(t, e2etest.Root, "iam", "create-access-key", "--cli-input-json", "file://"+input)
		if err == nil || !strings.Contains(errOut, "LimitExceeded") {
			t.Fatalf("third key: err %v, stderr %q, want LimitExceeded", err, errOut)
		}
	})
}
