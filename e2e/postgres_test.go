package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
	"github.com/latchkey/latchkey/internal/pgtest"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

// TestPostgresBackend: the real binary on a real PostgreSQL (--store):
// users, keys, policies, roles and sessions work as on the embedded store,
// survive a restart, pass `latchkey check`, and a second server on the
// same database and master key sees every write.
func TestPostgresBackend(t *testing.T) {
	dsn := pgtest.Database(t)
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--store", dsn}})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)

	bob := newUserWithKey(t, s, "bob")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(doc(allow(act("iam:Get*", "iam:List*", "sts:AssumeRole"), res("*"))))}))
	id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Arn) != acctARN+":user/bob" {
		t.Fatalf("caller identity %+v", id)
	}
	must[*iam.ListUsersOutput](t)(s.GoIAM(bob).ListUsers(ctx, &iam.ListUsersInput{}))
	_, err := s.GoIAM(bob).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("eve")})
	wantDenied(t, err, acctARN+":user/bob", "iam:CreateUser")
	// The key limit holds, and names are unique ignoring case.
	must[*iam.CreateAccessKeyOutput](t)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}))
	_, err = root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	wantAPIError(t, err, http.StatusConflict, "LimitExceeded")
	_, err = root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("BOB")})
	wantAPIError(t, err, http.StatusConflict, "EntityAlreadyExists")

	// Roles and sessions.
	must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acctARN + `:user/bob"},"Action":"sts:AssumeRole"}]}`)}))
	out := must[*sts.AssumeRoleOutput](t)(s.GoSTS(bob).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + ":role/deploy"), RoleSessionName: aws.String("pg")}))
	session := credsOf(out.Credentials)
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	// A second server on the same database, with the same master key,
	// sees everything and serves the same sessions.
	other := e2etest.Start(t, e2etest.Options{Args: []string{"--store", dsn, "--master-key-file", filepath.Join(s.DataDir, "master.key")}})
	must[*sts.GetCallerIdentityOutput](t)(other.GoSTS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	must[*sts.GetCallerIdentityOutput](t)(other.GoSTS(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	late := newUserWithKey(t, other, "late")
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(late).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	// A server with another master key is refused before it serves.
	strangerKey := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(strangerKey, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, e2etest.Binary(t), "serve", "--store", dsn, "--data", t.TempDir(), "--master-key-file", strangerKey, "--listen", e2etest.FreeAddr(t))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	if msg, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(msg), "does not open this data dir") {
		t.Fatalf("a server with another master key: %v\n%s", err, msg)
	}
	other.Stop()

	// A restart keeps everything; the store's check is clean.
	s.Restart()
	users := must[*iam.ListUsersOutput](t)(root.ListUsers(ctx, &iam.ListUsersInput{}))
	if names := userNames(users.Users); strings.Join(names, ",") != "bob,late" {
		t.Fatalf("users after restart: %v", names)
	}
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if out := s.RunAdmin(t, "check", "--store", dsn); !strings.Contains(out, "ok") {
		t.Fatalf("latchkey check: %s", out)
	}
}

func userNames(users []types.User) []string {
	var out []string
	for _, u := range users {
		out = append(out, aws.ToString(u.UserName))
	}
	return out
}

// TestPostgresUnreachable: while the database is down the server answers
// 503 ServiceUnavailable (never an answer from stale caches), /healthz
// says 503 and /livez 200; once it is back the server recovers by itself.
func TestPostgresUnreachable(t *testing.T) {
	srv, dsn := pgtest.Own(t)
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--store", dsn}})
	ctx := t.Context()
	bob := newUserWithKey(t, s, "bob")
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	status := func(path string) int {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if err := srv.Down(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(sqlstore.MaxStaleness + 200*time.Millisecond)
	// bob's key is cached, but the server cannot vouch for the cache.
	_, err := s.GoSTS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantMessage(t, wantAPIError(t, err, http.StatusServiceUnavailable, "ServiceUnavailable"), "Service is unable to handle request.")
	if got := status("/healthz"); got != http.StatusServiceUnavailable {
		t.Fatalf("/healthz with the database down: %d", got)
	}
	if got := status("/livez"); got != http.StatusOK {
		t.Fatalf("/livez with the database down: %d", got)
	}
	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := s.GoSTS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err == nil && status("/healthz") == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not recovered 10 s after the database came back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
