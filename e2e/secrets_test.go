package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestSecretsNeverLeak creates keys and then looks for their secrets
// everywhere but the CreateAccessKey response: every file of the data dir
// (database, WAL, shm), the debug-level log, the audit trail, and the
// responses of every read.
func TestSecretsNeverLeak(t *testing.T) {
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "debug", "--audit-log", auditFile, "--last-used-interval", "100ms"}})
	ctx := context.Background()
	c := s.IAM(e2etest.Root)
	var secrets []string
	var keys []e2etest.Creds
	for _, name := range []string{"Alice", "Bob", "Carol"} {
		k := newUserWithKey(t, s, name)
		keys = append(keys, k)
		secrets = append(secrets, k.Secret)
	}
	// Use the keys, fail a signature, and read everything back.
	for _, k := range keys {
		if _, err := s.STS(k).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
		_, err := s.STS(e2etest.Creds{KeyID: k.KeyID, Secret: alteredSecret(k.Secret)}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantCode(t, err, "SignatureDoesNotMatch")
	}
	var responses bytes.Buffer
	record := func(v any, err error) {
		if err != nil {
			t.Fatal(err)
		}
		responses.WriteString(strings.ReplaceAll(strings.TrimSpace(fmtAny(v)), "\n", " "))
	}
	for _, name := range []string{"Alice", "Bob", "Carol"} {
		record(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)}))
		record(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)}))
	}
	for _, k := range keys {
		record(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(k.KeyID)}))
	}
	record(c.ListUsers(ctx, &iam.ListUsersInput{}))
	s.Stop() // flush everything, then look at the files as they rest

	files := map[string][]byte{"server log": []byte(s.Stderr()), "responses": responses.Bytes()}
	if b, err := os.ReadFile(auditFile); err == nil {
		files["audit log"] = b
	} else {
		t.Fatal(err)
	}
	err := filepath.Walk(s.DataDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Stderr(), `"level":"DEBUG"`) {
		t.Fatal("the server did not log at debug level: the log check proves nothing")
	}
	for where, content := range files {
		for _, secret := range append(secrets, e2etest.RootSecret) {
			if bytes.Contains(content, []byte(secret)) {
				t.Errorf("a secret is in %s", where)
			}
		}
	}
	if len(files) < 4 {
		t.Fatalf("only %d places were searched", len(files))
	}
}
