package e2e

import (
	"bufio"
	"encoding/json"
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

// TestAuditLog runs a scripted sequence and checks the audit trail holds
// exactly its mutating calls and its failures, with no secret.
func TestAuditLog(t *testing.T) {
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--audit-log", auditFile}})
	ctx := t.Context()
	c := s.IAM(e2etest.Root)
	bob := newUserWithKey(t, s, "Bob")                                                          // CreateUser, CreateAccessKey
	must[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Bob")})) // read: not audited
	must[*sts.GetCallerIdentityOutput](t)(s.STS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	_, err := s.IAM(bob).ListUsers(ctx, &iam.ListUsersInput{}) // AccessDenied
	wantCode(t, err, "AccessDenied")
	_, err = s.STS(e2etest.Creds{KeyID: bob.KeyID, Secret: "wrong" + bob.Secret[5:]}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "SignatureDoesNotMatch")
	must[*iam.UpdateAccessKeyOutput](t)(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: aws.String(bob.KeyID), Status: "Inactive"}))
	_, err = s.STS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "InvalidClientTokenId")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Bob")}) // DeleteConflict: a failed mutation
	wantCode(t, err, "DeleteConflict")

	want := []struct{ action, result, code, caller, key, target string }{
		{"CreateUser", "success", "", "arn:aws:iam::123456789012:root", e2etest.RootKeyID, "user/Bob"},
		{"CreateAccessKey", "success", "", "arn:aws:iam::123456789012:root", e2etest.RootKeyID, "user/Bob"},
		{"ListUsers", "failure", "AccessDenied", "arn:aws:iam::123456789012:user/Bob", bob.KeyID, "arn:aws:iam::123456789012:user/"},
		{"GetCallerIdentity", "failure", "SignatureDoesNotMatch", "", bob.KeyID, ""},
		{"UpdateAccessKey", "success", "", "arn:aws:iam::123456789012:root", e2etest.RootKeyID, bob.KeyID},
		{"GetCallerIdentity", "failure", "InvalidClientTokenId", "", bob.KeyID, ""},
		{"DeleteUser", "failure", "DeleteConflict", "arn:aws:iam::123456789012:root", e2etest.RootKeyID, "user/Bob"},
	}
	raw, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), bob.Secret) || strings.Contains(string(raw), e2etest.RootSecret) {
		t.Fatal("the audit log contains a secret")
	}
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	i := 0
	for sc.Scan() {
		var r struct {
			Time        time.Time `json:"time"`
			RequestID   string    `json:"request_id"`
			AccountID   string    `json:"account_id"`
			Caller      string    `json:"caller"`
			AccessKeyID string    `json:"access_key_id"`
			SourceIP    string    `json:"source_ip"`
			Action      string    `json:"action"`
			Target      string    `json:"target"`
			Result      string    `json:"result"`
			ErrorCode   string    `json:"error_code"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d is not JSON: %s", i+1, sc.Text())
		}
		if i >= len(want) {
			t.Fatalf("unexpected extra record: %s", sc.Text())
		}
		w := want[i]
		if r.Action != w.action || r.Result != w.result || r.ErrorCode != w.code || r.Caller != w.caller || r.AccessKeyID != w.key || r.Target != w.target {
			t.Fatalf("record %d = %s\nwant %+v", i+1, sc.Text(), w)
		}
		if r.RequestID == "" || r.SourceIP != "127.0.0.1" || time.Since(r.Time) > time.Minute {
			t.Fatalf("record %d lacks request id, source ip or time: %s", i+1, sc.Text())
		}
		if w.caller != "" && r.AccountID != e2etest.AccountID {
			t.Fatalf("record %d account %q", i+1, r.AccountID)
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("%d records, want %d:\n%s", i, len(want), raw)
	}
}
