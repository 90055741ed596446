package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestAdminCommands: `latchkey account create` and `latchkey account
// root-key` on the data dir of a running server.
func TestAdminCommands(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()

	t.Run("AccountCreate", func(t *testing.T) {
		out := s.RunAdmin(t, "account", "create", "--output", "json")
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("account create --output json printed %q: %v", out, err)
		}
		if sortedJSONKeys(m) != "AccessKeyId,AccountId,SecretAccessKey" {
			t.Fatalf("account create printed %s", sortedJSONKeys(m))
		}
		id, creds := jsonString(m, "AccountId"), e2etest.Creds{KeyID: jsonString(m, "AccessKeyId"), Secret: jsonString(m, "SecretAccessKey")}
		got := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if aws.ToString(got.Arn) != "arn:aws:iam::"+id+":root" {
			t.Fatalf("new account's root key signs for %q", aws.ToString(got.Arn))
		}
		if _, errOut, err := s.Admin(t, "account", "create", "--account-id", e2etest.AccountID, "--output", "json"); err == nil || !strings.Contains(errOut, e2etest.AccountID) {
			t.Fatalf("account create with an existing id: %v\n%s", err, errOut)
		}
	})

	t.Run("RootKey", func(t *testing.T) {
		var k struct{ AccountId, AccessKeyId, SecretAccessKey string }
		jsonDecode(t, s.RunAdmin(t, "account", "root-key", "--account", e2etest.AccountID, "--output", "json"), &k)
		if k.AccountId != e2etest.AccountID || !keyIDPattern.MatchString(k.AccessKeyId) || len(k.SecretAccessKey) != 40 {
			t.Fatalf("root-key printed %+v", k)
		}
		got := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(e2etest.Creds{KeyID: k.AccessKeyId, Secret: k.SecretAccessKey}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if aws.ToString(got.Arn) != rootARN {
			t.Fatalf("the added root key signs for %q", aws.ToString(got.Arn))
		}
		// The root now has two keys, AWS's limit.
		if _, errOut, err := s.Admin(t, "account", "root-key", "--account", e2etest.AccountID, "--output", "json"); err == nil {
			t.Fatalf("a third root key was made:\n%s", errOut)
		}
		if _, errOut, err := s.Admin(t, "account", "root-key", "--account", "999999999999", "--output", "json"); err == nil || !strings.Contains(errOut, "999999999999") {
			t.Fatalf("root-key for an unknown account: %v\n%s", err, errOut)
		}
	})
}
