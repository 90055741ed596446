package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
	"github.com/latchkey/latchkey/internal/pgtest"
)

// populate gives a server users with keys and policies, a group, a managed
// policy, a role, an OIDC provider, an account alias, a password policy, a
// login profile whose password was changed once, a credential report and
// a second account; it returns every key made.
func populate(t *testing.T, s *e2etest.Server) []e2etest.Creds {
	t.Helper()
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	keys := []e2etest.Creds{e2etest.Root}
	for _, name := range []string{"alice", "bob", "carol"} {
		keys = append(keys, newUserWithKey(t, s, name))
	}
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(doc(allow(act("iam:List*"), res("*"))))}))
	must[*iam.CreateGroupOutput](t)(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")}))
	must[*iam.AddUserToGroupOutput](t)(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("bob")}))
	p := must[*iam.CreatePolicyOutput](t)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("get"), PolicyDocument: aws.String(doc(allow(act("iam:GetUser"), res("*"))))}))
	must[*iam.AttachGroupPolicyOutput](t)(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: p.Policy.Arn}))
	must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`)}))
	must[*iam.CreateOpenIDConnectProviderOutput](t)(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://issuer.example.com"), ClientIDList: []string{"sts.amazonaws.com"}}))
	must[*iam.CreateAccountAliasOutput](t)(root.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("copied-corp")}))
	must[*iam.UpdateAccountPasswordPolicyOutput](t)(root.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(10), PasswordReusePrevention: aws.Int32(2)}))
	must[*iam.CreateLoginProfileOutput](t)(root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("first-password")}))
	must[*iam.UpdateLoginProfileOutput](t)(root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("second-password")}))
	must[*iam.GenerateCredentialReportOutput](t)(root.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	_, other := newAccount(t, s)
	return append(keys, other)
}

// verify checks that a server holds what populate made: every key
// authenticates, and the policies decide as before.
func verify(t *testing.T, s *e2etest.Server, keys []e2etest.Creds) {
	t.Helper()
	ctx := t.Context()
	for _, k := range keys {
		if _, err := s.GoSTS(k).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("key %s: %v", k.KeyID, err)
		}
	}
	must[*iam.ListUsersOutput](t)(s.GoIAM(keys[1]).ListUsers(ctx, &iam.ListUsersInput{}))
	must[*iam.GetUserOutput](t)(s.GoIAM(keys[2]).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))
	_, err := s.GoIAM(keys[3]).ListUsers(ctx, &iam.ListUsersInput{})
	wantDenied(t, err, acctARN+":user/carol", "iam:ListUsers")
	must[*iam.GetRoleOutput](t)(s.GoIAM(e2etest.Root).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")}))
	must[*iam.GetOpenIDConnectProviderOutput](t)(s.GoIAM(e2etest.Root).GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: aws.String(acctARN + ":oidc-provider/issuer.example.com")}))
	if got := must[*iam.ListAccountAliasesOutput](t)(s.GoIAM(e2etest.Root).ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})).AccountAliases; len(got) != 1 || got[0] != "copied-corp" {
		t.Fatalf("account aliases %q", got)
	}
	pol := must[*iam.GetAccountPasswordPolicyOutput](t)(s.GoIAM(e2etest.Root).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).PasswordPolicy
	if aws.ToInt32(pol.MinimumPasswordLength) != 10 || aws.ToInt32(pol.PasswordReusePrevention) != 2 {
		t.Fatalf("password policy %+v", pol)
	}
	must[*iam.GetLoginProfileOutput](t)(s.GoIAM(e2etest.Root).GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("bob")}))
	// The history came along: the first password is still refused.
	_, err = s.GoIAM(e2etest.Root).UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("first-password")})
	wantCode(t, err, "PasswordPolicyViolation")
	if rep := must[*iam.GetCredentialReportOutput](t)(s.GoIAM(e2etest.Root).GetCredentialReport(ctx, &iam.GetCredentialReportInput{})); !strings.Contains(string(rep.Content), "\ncarol,"+acctARN+":user/carol,") {
		t.Fatalf("credential report %q", rep.Content)
	}
}

// TestBackupRestore: `latchkey backup` copies the embedded database while
// the server runs; the copy, with the master key file, serves everything.
func TestBackupRestore(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	keys := populate(t, s)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if out, err := exec.Command(e2etest.Binary(t), "backup", "--data", s.DataDir, "--out", backup).CombinedOutput(); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	restored := t.TempDir()
	for from, to := range map[string]string{backup: "latchkey.db", filepath.Join(s.DataDir, "master.key"): "master.key"} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(restored, to), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	verify(t, e2etest.Start(t, e2etest.Options{DataDir: restored}), keys)
}

// TestStoreCopyToPostgres: `latchkey store copy` moves a data dir to an
// empty PostgreSQL database; a server on it with the data dir's master
// key serves everything, and a second copy into it is refused.
func TestStoreCopyToPostgres(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	keys := populate(t, s)
	s.Stop()
	dsn := pgtest.Database(t)
	out, err := exec.Command(e2etest.Binary(t), "store", "copy", "--from", s.DataDir, "--to", dsn, "--output", "json").CombinedOutput()
	if err != nil {
		t.Fatalf("store copy: %v\n%s", err, out)
	}
	var counts map[string]int
	if err := json.Unmarshal(out, &counts); err != nil || counts["accounts"] != 2 || counts["access_keys"] != 5 || counts["users"] != 3 {
		t.Fatalf("store copy printed %s (%v)", out, err)
	}
	pg := e2etest.Start(t, e2etest.Options{Args: []string{"--store", dsn, "--master-key-file", filepath.Join(s.DataDir, "master.key")}})
	verify(t, pg, keys)
	if out := pg.RunAdmin(t, "check", "--store", dsn, "--master-key-file", filepath.Join(s.DataDir, "master.key")); out != "ok\n" {
		t.Fatalf("check: %q", out)
	}
	if out, err := exec.Command(e2etest.Binary(t), "store", "copy", "--from", s.DataDir, "--to", dsn).CombinedOutput(); err == nil {
		t.Fatalf("a second copy into a full database succeeded: %s", out)
	}
}
