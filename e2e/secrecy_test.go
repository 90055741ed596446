package e2e

import (
	"bytes"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// wantNoSecretInDir reads every file under dir (database, -wal, -shm, the
// master key…) and fails if any holds one of the secrets in plaintext.
func wantNoSecretInDir(t *testing.T, dir string, secrets map[string]string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for what, secret := range secrets {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the %s secret in plaintext", path, what)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no file in the data dir %s", dir)
	}
}

// TestSecretsAtRestAndInLogs: after keys are made, used and refused, no
// secret is in any file of the data dir (while the server runs, WAL and all,
// and after it stops), in the debug log, or in any response but
// CreateAccessKey's.
func TestSecretsAtRestAndInLogs(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "debug", "--last-used-interval", "100ms"}})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	secrets := map[string]string{"root": e2etest.RootSecret}
	var keys []e2etest.Creds
	for _, name := range []string{"Alice", "Bob"} {
		k := newUserWithKey(t, s, name)
		keys = append(keys, k)
		secrets[name] = k.Secret
	}
	rk := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}))
	keys = append(keys, e2etest.Creds{KeyID: aws.ToString(rk.AccessKey.AccessKeyId), Secret: aws.ToString(rk.AccessKey.SecretAccessKey)})
	secrets["second root"] = aws.ToString(rk.AccessKey.SecretAccessKey)

	// Use every key, and fail a signature with each (the debug log then
	// shows the canonical request and string to sign).
	for _, k := range keys {
		must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(k).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		_, err := s.GoSTS(e2etest.Creds{KeyID: k.KeyID, Secret: alteredSecret(k.Secret)}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantCode(t, err, "SignatureDoesNotMatch")
	}

	// Console passwords: set, changed, refused by the policy and by
	// validation, and sent in a URL whose signature fails (the debug log
	// then shows the canonical query string).
	passwords := map[string]string{"first password": "Zq7-first-Password", "second password": "Zq7-second-Password",
		"refused password": "Zq7refusedPassword", "too long password": "Zq7-" + strings.Repeat("long", 40)}
	must[*iam.UpdateAccountPasswordPolicyOutput](t)(c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{RequireSymbols: true}))
	must[*iam.CreateLoginProfileOutput](t)(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("Alice"), Password: aws.String(passwords["first password"])}))
	must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Alice"), PolicyName: aws.String("pw"),
		PolicyDocument: aws.String(doc(allow(act("iam:ChangePassword"), res("*"))))}))
	alice := s.GoIAM(keys[0])
	must[*iam.ChangePasswordOutput](t)(alice.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(passwords["first password"]), NewPassword: aws.String(passwords["second password"])}))
	_, err := alice.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(passwords["second password"]), NewPassword: aws.String(passwords["refused password"])})
	wantCode(t, err, "PasswordPolicyViolation")
	_, err = alice.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(passwords["second password"]), NewPassword: aws.String(passwords["too long password"])})
	wantCode(t, err, "ValidationError")
	req, body := queryRequest(t, s, http.MethodGet, iamParams("ChangePassword", "OldPassword", passwords["second password"], "NewPassword", passwords["refused password"]))
	signAt(t, req, body, e2etest.Creds{KeyID: keys[0].KeyID, Secret: alteredSecret(keys[0].Secret)}, "iam", "us-east-1", time.Now())
	if r := doHTTP(t, req); r.status != http.StatusForbidden {
		t.Fatalf("a URL-signed ChangePassword with a wrong secret: HTTP %d\n%s", r.status, r.body)
	}
	for what, pw := range passwords {
		secrets[what] = pw
	}

	t.Run("Responses", func(t *testing.T) {
		calls := []struct {
			service string
			params  []string
		}{
			{"iam", []string{"ListUsers"}},
			{"iam", []string{"GetUser", "UserName", "Alice"}},
			{"iam", []string{"GetUser"}},
			{"iam", []string{"ListAccessKeys", "UserName", "Alice"}},
			{"iam", []string{"ListAccessKeys", "UserName", "Bob"}},
			{"iam", []string{"ListAccessKeys"}},
			{"iam", []string{"GetAccessKeyLastUsed", "AccessKeyId", keys[0].KeyID}},
			{"sts", []string{"GetAccessKeyInfo", "AccessKeyId", keys[1].KeyID}},
			{"sts", []string{"GetCallerIdentity"}},
		}
		for _, call := range calls {
			params := iamParams(call.params[0], call.params[1:]...)
			if call.service == "sts" {
				params = stsParams(call.params[0])
				for i := 1; i+1 < len(call.params); i += 2 {
					params.Set(call.params[i], call.params[i+1])
				}
			}
			req, body := queryRequest(t, s, http.MethodPost, params)
			signAt(t, req, body, e2etest.Root, call.service, "us-east-1", time.Now())
			r := doHTTP(t, req)
			if r.status != http.StatusOK {
				t.Fatalf("%v: HTTP %d\n%s", call.params, r.status, r.body)
			}
			for what, secret := range secrets {
				if strings.Contains(r.body, secret) {
					t.Errorf("%s's response holds the %s secret", call.params[0], what)
				}
			}
			if strings.Contains(r.body, "SecretAccessKey") {
				t.Errorf("%s's response has a SecretAccessKey element", call.params[0])
			}
		}
	})

	t.Run("DataDirWhileRunning", func(t *testing.T) {
		time.Sleep(300 * time.Millisecond) // let last-used dates reach the store
		wantNoSecretInDir(t, s.DataDir, secrets)
	})

	t.Run("DataDirAfterStop", func(t *testing.T) {
		s.Stop()
		wantNoSecretInDir(t, s.DataDir, secrets)
	})

	t.Run("DebugLog", func(t *testing.T) {
		log := s.Stderr()
		if !strings.Contains(log, `"level":"DEBUG"`) {
			t.Fatalf("no debug line in the log: is --log-level debug in effect?\n%s", lastChars(log, 4000))
		}
		for what, secret := range secrets {
			if strings.Contains(log, secret) {
				t.Errorf("the log holds the %s secret", what)
			}
		}
	})
}

func lastChars(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
