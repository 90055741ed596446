package e2e

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	_ "modernc.org/sqlite"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestAuthorizationFailsClosed corrupts what authorization reads, behind
// the server's back, and checks that the user's calls answer
// InternalFailure (the cause in the log) rather than being decided without
// the broken policy — which here is the one that denies. The root, whose
// calls need no policy, keeps working, and repairing the data through the
// API restores the user.
func TestAuthorizationFailsClosed(t *testing.T) {
	cases := []struct {
		name    string
		corrupt string // SQL run on the stopped server's database
		cause   string // what the log says
	}{
		{"inline document no longer parses", `UPDATE inline_policies SET document = '{"Version":"2012-10-17","Statement":' WHERE name = 'deny'`, "inline policy deny of user Alice"},
		{"managed version no longer parses", `UPDATE policy_versions SET document = '[]'`, "stored managed policy arn:aws:iam::123456789012:policy/allow"},
		{"attached AWS managed policy unknown", `INSERT INTO policy_attachments (account_id, owner_kind, owner_id, policy_arn, policy_name, policy_path) SELECT account_id, 'user', id, 'arn:aws:iam::aws:policy/NoSuchPolicy', 'NoSuchPolicy', '/' FROM users WHERE name = 'Alice'`, "arn:aws:iam::aws:policy/NoSuchPolicy is not an AWS managed policy Latchkey knows"},
		{"attached customer policy missing", `DELETE FROM managed_policies`, "has no default version"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := e2etest.Start(t, e2etest.Options{})
			ctx := t.Context()
			root := s.GoIAM(e2etest.Root)
			alice := newUserWithKey(t, s, "Alice")
			must[*iam.CreatePolicyOutput](t)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("allow"), PolicyDocument: aws.String(doc(allow(act("iam:*"), res("*"))))}))
			must[*iam.AttachUserPolicyOutput](t)(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("Alice"), PolicyArn: aws.String(acctARN + ":policy/allow")}))
			must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Alice"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(doc(deny(act("iam:CreateUser"), res("*"))))}))
			a := s.GoIAM(alice)
			must[*iam.ListUsersOutput](t)(a.ListUsers(ctx, &iam.ListUsersInput{}))
			_, err := a.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
			wantAPIError(t, err, http.StatusForbidden, "AccessDenied")

			s.Stop()
			db, err := sql.Open("sqlite", "file:"+filepath.Join(s.DataDir, "latchkey.db")+"?_pragma=foreign_keys(0)")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, tc.corrupt); err != nil {
				t.Fatal(err)
			}
			db.Close()
			s.Restart(t)

			for _, call := range []func() error{
				func() error { _, err := a.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")}); return err },
				func() error { _, err := a.ListUsers(ctx, &iam.ListUsersInput{}); return err },
			} {
				msg := wantAPIError(t, call(), http.StatusInternalServerError, "InternalFailure")
				if strings.Contains(msg, "policy") {
					t.Fatalf("the client is told the cause: %q", msg)
				}
			}
			if !strings.Contains(s.Stderr(), tc.cause) {
				t.Fatalf("the log does not name the cause %q", tc.cause)
			}
			if _, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("x")}); err == nil {
				t.Fatal("the user's CreateUser went through")
			}
			must[*iam.ListUsersOutput](t)(root.ListUsers(ctx, &iam.ListUsersInput{}))
		})
	}
}
