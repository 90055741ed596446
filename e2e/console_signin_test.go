package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// consoleAnswer is a console sign-in or refresh answer, or its error.
type consoleAnswer struct {
	Status  int
	Header  http.Header
	Code    string
	Message string
	Creds   e2etest.Creds
	Body    map[string]any
}

// consoleCall posts body to the console's sign-in API at path, signed
// (service latchkey) with signer when it has a key, with extra headers.
func consoleCall(t *testing.T, s *e2etest.Server, path string, body any, signer e2etest.Creds, header ...string) consoleAnswer {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/latchkey/v1/console/"+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if signer.KeyID != "" {
		signForLatchkey(t, req, raw, signer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := consoleAnswer{Status: resp.StatusCode, Header: resp.Header}
	if err := json.Unmarshal(b, &a.Body); err != nil {
		t.Fatalf("%s: HTTP %d, not JSON: %s", path, resp.StatusCode, b)
	}
	a.Code, _ = a.Body["Code"].(string)
	a.Message, _ = a.Body["Message"].(string)
	if c, ok := a.Body["Credentials"].(map[string]any); ok {
		a.Creds.KeyID, _ = c["AccessKeyId"].(string)
		a.Creds.Secret, _ = c["SecretAccessKey"].(string)
		a.Creds.Token, _ = c["SessionToken"].(string)
	}
	return a
}

func signIn(t *testing.T, s *e2etest.Server, account, user, password string) consoleAnswer {
	t.Helper()
	return consoleCall(t, s, "sign-in", map[string]any{"Account": account, "UserName": user, "Password": password}, e2etest.Creds{})
}

// wantSignedIn checks a successful sign-in or refresh.
func wantSignedIn(t *testing.T, a consoleAnswer, arn string) e2etest.Creds {
	t.Helper()
	if a.Status != http.StatusOK || a.Creds.Token == "" || !strings.HasPrefix(a.Creds.KeyID, "ASIA") {
		t.Fatalf("sign-in: HTTP %d %s %s %v", a.Status, a.Code, a.Message, a.Body)
	}
	if a.Body["Arn"] != arn {
		t.Fatalf("signed in as %v, want %s", a.Body["Arn"], arn)
	}
	return a.Creds
}

func wantConsoleError(t *testing.T, a consoleAnswer, status int, code string) {
	t.Helper()
	if a.Status != status || a.Code != code {
		t.Fatalf("HTTP %d %s (%s), want %d %s", a.Status, a.Code, a.Message, status, code)
	}
	if a.Creds.Token != "" {
		t.Fatal("an error came with credentials")
	}
}

const consoleTestPassword = "Correct-Horse-9"

// consoleUser creates a user with a login profile and an inline policy.
func consoleUser(t *testing.T, s *e2etest.Server, name, policy string, reset bool) {
	t.Helper()
	ctx := context.Background()
	c := s.IAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	must[*iam.CreateLoginProfileOutput](t)(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name),
		Password: aws.String(consoleTestPassword), PasswordResetRequired: reset}))
	if policy != "" {
		must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("console"), PolicyDocument: aws.String(policy)}))
	}
}

// TestConsoleSignIn: a user signs in with its password (by account id or
// alias) and gets console session credentials that act with its own
// policies through the real SDK; every failure reads the same; the root
// signs in with a signature, never its secret; each sign-in is audited.
func TestConsoleSignIn(t *testing.T) {
	t.Parallel()
	auditFile := filepath.Join(t.TempDir(), "audit.log")
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--audit-log", auditFile}})
	ctx := context.Background()
	consoleUser(t, s, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`, false)
	must[*iam.CreateAccountAliasOutput](t)(s.IAM(e2etest.Root).CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-console")}))
	aliceARN := "arn:aws:iam::" + e2etest.AccountID + ":user/alice"

	for _, account := range []string{e2etest.AccountID, "acme-console"} {
		a := signIn(t, s, account, "alice", consoleTestPassword)
		creds := wantSignedIn(t, a, aliceARN)
		if a.Body["AccountAlias"] != "acme-console" || a.Body["UserName"] != "alice" || a.Body["PasswordResetRequired"] != false || a.Body["IdleTimeoutSeconds"] != 900.0 {
			t.Fatalf("sign-in answered %v", a.Body)
		}
		for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "X-Content-Type-Options"} {
			if a.Header.Get(h) == "" {
				t.Errorf("sign-in answer without %s", h)
			}
		}
		if a.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("sign-in answer's Cache-Control = %q, want no-store", a.Header.Get("Cache-Control"))
		}
		id := must[*sts.GetCallerIdentityOutput](t)(s.STS(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if *id.Arn != aliceARN {
			t.Fatalf("GetCallerIdentity with the console session = %s", *id.Arn)
		}
		// Its own policies: ListUsers, and nothing else.
		must[*iam.ListUsersOutput](t)(s.IAM(creds).ListUsers(ctx, &iam.ListUsersInput{}))
		_, err := s.IAM(creds).ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
		wantDenied(t, err, aliceARN, "iam:ListAccessKeys")
		_, err = s.STS(creds).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
	}

	// The sign-ins are the password's last use, in GetUser and the
	// credential report.
	u := must[*iam.GetUserOutput](t)(s.IAM(e2etest.Root).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))
	wantRecent(t, "alice's PasswordLastUsed", u.User.PasswordLastUsed)
	report := credentialReport(t, s)
	if used := report["alice"]["password_last_used"]; used != u.User.PasswordLastUsed.UTC().Format("2006-01-02T15:04:05+00:00") {
		t.Fatalf("credential report: alice's password_last_used = %q, GetUser says %v", used, u.User.PasswordLastUsed)
	}

	// Every failure is InvalidSignIn, worded alike.
	consoleUser(t, s, "nopassword", "", false)
	must[*iam.DeleteLoginProfileOutput](t)(s.IAM(e2etest.Root).DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("nopassword")}))
	var message string
	for _, tc := range []struct{ name, account, user, password string }{
		{"wrong password", e2etest.AccountID, "alice", consoleTestPassword + "x"},
		{"no such user", e2etest.AccountID, "mallory", consoleTestPassword},
		{"no login profile", e2etest.AccountID, "nopassword", consoleTestPassword},
		{"no such account", "999999999999", "alice", consoleTestPassword},
		{"no such alias", "no-such-alias", "alice", consoleTestPassword},
	} {
		a := signIn(t, s, tc.account, tc.user, tc.password)
		wantConsoleError(t, a, http.StatusUnauthorized, "InvalidSignIn")
		if message == "" {
			message = a.Message
		} else if a.Message != message {
			t.Errorf("%s: %q, another message than %q", tc.name, a.Message, message)
		}
	}
	// Requests that are not sign-ins.
	wantConsoleError(t, consoleCall(t, s, "sign-in", map[string]any{"Account": e2etest.AccountID, "UserName": "alice", "Password": "x", "Extra": 1}, e2etest.Creds{}), http.StatusBadRequest, "ValidationError")
	wantConsoleError(t, consoleCall(t, s, "sign-in", map[string]any{"Account": "Not An Account", "UserName": "alice", "Password": "x"}, e2etest.Creds{}), http.StatusBadRequest, "ValidationError")
	wantConsoleError(t, consoleCall(t, s, "sign-in", map[string]any{"Account": e2etest.AccountID, "UserName": "alice", "Password": consoleTestPassword}, e2etest.Creds{},
		"Origin", "https://evil.example"), http.StatusForbidden, "AccessDenied")
	wantConsoleError(t, consoleCall(t, s, "sign-in", map[string]any{"Account": e2etest.AccountID, "UserName": "alice", "Password": consoleTestPassword}, e2etest.Creds{},
		"Content-Type", "text/plain"), http.StatusBadRequest, "ValidationError")
	resp, err := http.Get(s.URL + "/latchkey/v1/console/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET sign-in: HTTP %d", resp.StatusCode)
	}

	// The root signs in with a signature made with its key pair.
	rootA := consoleCall(t, s, "sign-in", map[string]any{"Root": true}, e2etest.Root)
	rootCreds := wantSignedIn(t, rootA, "arn:aws:iam::"+e2etest.AccountID+":root")
	if _, ok := rootA.Body["UserName"]; ok {
		t.Fatalf("root sign-in answered a UserName: %v", rootA.Body)
	}
	must[*iam.ListAccessKeysOutput](t)(s.IAM(rootCreds).ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
	// Not with a wrong secret, a user's key, or a session's.
	wrong := e2etest.Root
	wrong.Secret = alteredSecret(wrong.Secret)
	wantConsoleError(t, consoleCall(t, s, "sign-in", map[string]any{"Root": true}, wrong), http.StatusUnauthorized, "InvalidSignIn")
	wantConsoleError(t, consoleCall(t, s, "sign-in", map[string]any{"Root": true}, newUserWithKey(t, s, "keyholder")), http.StatusUnauthorized, "InvalidSignIn")
	wantConsoleError(t, consoleCall(t, s, "sign-in", map[string]any{"Root": true}, rootCreds), http.StatusUnauthorized, "InvalidSignIn")
	wantConsoleError(t, consoleCall(t, s, "sign-in", map[string]any{"Root": true}, e2etest.Creds{}), http.StatusUnauthorized, "InvalidSignIn")
	// A user's sign-in is not signed, and names no root.
	wantConsoleError(t, consoleCall(t, s, "sign-in", map[string]any{"Root": true, "UserName": "alice"}, e2etest.Root), http.StatusBadRequest, "ValidationError")

	// The audit trail: each sign-in, why a failure failed, never a password.
	s.Stop()
	trail, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(trail), consoleTestPassword) {
		t.Fatal("the audit trail holds a password")
	}
	if strings.Contains(s.Stderr(), consoleTestPassword) || strings.Contains(s.Stderr(), e2etest.Root.Secret) {
		t.Fatal("the server's log holds a password or the root's secret")
	}
	counts := map[string]int{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(trail)), "\n") {
		var r struct{ Service, Action, Result, Caller, Decision, Error_code, Request_id string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Service != "signin" {
			continue
		}
		if r.Action != "ConsoleLogin" || r.Request_id == "" {
			t.Errorf("sign-in audit record %s", line)
		}
		counts[r.Result+" "+r.Decision]++
	}
	for want, n := range map[string]int{"success ": 3, "failure wrong password": 1, "failure no such user or login profile": 2, "failure no such account": 2} {
		if counts[want] != n {
			t.Errorf("%d audit records %q, want %d (all: %v)", counts[want], want, n, counts)
		}
	}
}

// TestConsoleSignInThrottled: five failed sign-ins of one user refuse the
// sixth, even with the right password, with Retry-After; other users are
// not refused for them.
func TestConsoleSignInThrottled(t *testing.T) {
	t.Parallel()
	s := e2etest.Start(t, e2etest.Options{})
	consoleUser(t, s, "alice", "", false)
	consoleUser(t, s, "bob", "", false)
	for range 5 {
		wantConsoleError(t, signIn(t, s, e2etest.AccountID, "alice", "wrong-password"), http.StatusUnauthorized, "InvalidSignIn")
	}
	a := signIn(t, s, e2etest.AccountID, "alice", consoleTestPassword)
	wantConsoleError(t, a, http.StatusTooManyRequests, "Throttling")
	if ra := a.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q", ra)
	}
	wantSignedIn(t, signIn(t, s, e2etest.AccountID, "bob", consoleTestPassword), "arn:aws:iam::"+e2etest.AccountID+":user/bob")
}

// TestConsoleSignInBehindProxy: behind a trusted proxy, failures count by
// the client X-Forwarded-For names, whose address the audit trail shows;
// twenty from one client refuse its next, not another client's.
func TestConsoleSignInBehindProxy(t *testing.T) {
	t.Parallel()
	auditFile := filepath.Join(t.TempDir(), "audit.log")
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--trusted-proxies", "127.0.0.0/8", "--audit-log", auditFile}})
	consoleUser(t, s, "alice", "", false)
	from := func(client, user, password string) consoleAnswer {
		return consoleCall(t, s, "sign-in", map[string]any{"Account": e2etest.AccountID, "UserName": user, "Password": password}, e2etest.Creds{},
			"X-Forwarded-For", "203.0.113.50, "+client)
	}
	for i := range 20 {
		wantConsoleError(t, from("198.51.100.7", fmt.Sprintf("guess%d", i), "x"), http.StatusUnauthorized, "InvalidSignIn")
	}
	wantConsoleError(t, from("198.51.100.7", "alice", consoleTestPassword), http.StatusTooManyRequests, "Throttling")
	wantSignedIn(t, from("198.51.100.8", "alice", consoleTestPassword), "arn:aws:iam::"+e2etest.AccountID+":user/alice")
	s.Stop()
	trail, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(trail), `"source_ip":"198.51.100.7"`); n != 21 {
		t.Fatalf("%d audit records from 198.51.100.7, want 21", n)
	}
	if strings.Contains(string(trail), "203.0.113.50") {
		t.Fatal("the audit trail took a client-written X-Forwarded-For entry")
	}
}

// TestConsolePasswordReset: a user whose password must be reset gets a
// session that may only change it (through the IAM API); with the new
// password it signs in fully, and the old session cannot be refreshed.
func TestConsolePasswordReset(t *testing.T) {
	t.Parallel()
	s := e2etest.Start(t, e2etest.Options{})
	ctx := context.Background()
	consoleUser(t, s, "carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`, true)
	carolARN := "arn:aws:iam::" + e2etest.AccountID + ":user/carol"
	a := signIn(t, s, e2etest.AccountID, "carol", consoleTestPassword)
	resetCreds := wantSignedIn(t, a, carolARN)
	if a.Body["PasswordResetRequired"] != true {
		t.Fatalf("sign-in with a reset required answered %v", a.Body)
	}
	_, err := s.IAM(resetCreds).ListUsers(ctx, &iam.ListUsersInput{})
	msg := wantCode(t, err, "AccessDenied")
	wantMessage(t, msg, "Cannot call ListUsers before choosing a new password: the password must be reset")
	must[*sts.GetCallerIdentityOutput](t)(s.STS(resetCreds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	wantConsoleError(t, consoleCall(t, s, "refresh", map[string]any{}, resetCreds), http.StatusForbidden, "AccessDenied")
	const newPassword = "Battery-Staple-7"
	// Carol's policies do not allow ChangePassword; the account's password
	// policy grants it to every user when it lets users change passwords.
	_, err = s.IAM(resetCreds).ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(consoleTestPassword), NewPassword: aws.String(newPassword)})
	wantDenied(t, err, carolARN, "iam:ChangePassword")
	must[*iam.UpdateAccountPasswordPolicyOutput](t)(s.IAM(e2etest.Root).UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(10), AllowUsersToChangePassword: true}))
	must[*iam.GetAccountPasswordPolicyOutput](t)(s.IAM(resetCreds).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{}))
	_, err = s.IAM(resetCreds).ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(consoleTestPassword), NewPassword: aws.String("Short-1")})
	wantCode(t, err, "PasswordPolicyViolation")
	must[*iam.ChangePasswordOutput](t)(s.IAM(resetCreds).ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(consoleTestPassword), NewPassword: aws.String(newPassword)}))

	wantConsoleError(t, consoleCall(t, s, "refresh", map[string]any{}, resetCreds), http.StatusForbidden, "AccessDenied")
	wantConsoleError(t, signIn(t, s, e2etest.AccountID, "carol", consoleTestPassword), http.StatusUnauthorized, "InvalidSignIn")
	a = signIn(t, s, e2etest.AccountID, "carol", newPassword)
	creds := wantSignedIn(t, a, carolARN)
	if a.Body["PasswordResetRequired"] != false {
		t.Fatalf("sign-in after the reset answered %v", a.Body)
	}
	must[*iam.ListUsersOutput](t)(s.IAM(creds).ListUsers(ctx, &iam.ListUsersInput{}))
}

// TestConsoleRefresh: a console session lives the idle timeout; a refresh
// gives another while the sign-in stands, and none once the user's login
// profile is gone or its password was set anew, or the root's key that
// signed in is no longer Active.
func TestConsoleRefresh(t *testing.T) {
	t.Parallel()
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--console-idle-timeout", "10s"}})
	ctx := context.Background()
	consoleUser(t, s, "dave", "", false)
	daveARN := "arn:aws:iam::" + e2etest.AccountID + ":user/dave"
	first := wantSignedIn(t, signIn(t, s, e2etest.AccountID, "dave", consoleTestPassword), daveARN)
	r := consoleCall(t, s, "refresh", map[string]any{}, first)
	second := wantSignedIn(t, r, daveARN)
	if second.KeyID == first.KeyID || r.Body["IdleTimeoutSeconds"] != 10.0 {
		t.Fatalf("refresh answered %v", r.Body)
	}
	// Renewed, the session follows the user's new path.
	must[*iam.UpdateUserOutput](t)(s.IAM(e2etest.Root).UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("dave"), NewPath: aws.String("/ops/")}))
	second = wantSignedIn(t, consoleCall(t, s, "refresh", map[string]any{}, second), "arn:aws:iam::"+e2etest.AccountID+":user/ops/dave")
	id := must[*sts.GetCallerIdentityOutput](t)(s.STS(second).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *id.Arn != "arn:aws:iam::"+e2etest.AccountID+":user/ops/dave" {
		t.Fatalf("GetCallerIdentity after the renewal: %s", *id.Arn)
	}
	daveARN = *id.Arn
	// A long-term key is not a console session.
	wantConsoleError(t, consoleCall(t, s, "refresh", map[string]any{}, e2etest.Root), http.StatusForbidden, "AccessDenied")

	// The administrator sets a new password: the sign-in no longer stands.
	must[*iam.UpdateLoginProfileOutput](t)(s.IAM(e2etest.Root).UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("dave"), Password: aws.String("Another-Pass-3")}))
	wantConsoleError(t, consoleCall(t, s, "refresh", map[string]any{}, second), http.StatusForbidden, "AccessDenied")
	third := wantSignedIn(t, signIn(t, s, e2etest.AccountID, "dave", "Another-Pass-3"), daveARN)
	must[*iam.DeleteLoginProfileOutput](t)(s.IAM(e2etest.Root).DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("dave")}))
	wantConsoleError(t, consoleCall(t, s, "refresh", map[string]any{}, third), http.StatusForbidden, "AccessDenied")

	// The root, signed in with a second root key that is then deactivated.
	var k struct{ AccessKeyId, SecretAccessKey string }
	jsonDecode(t, s.RunAdmin(t, "account", "root-key", "--account", e2etest.AccountID, "--output", "json"), &k)
	second2 := e2etest.Creds{KeyID: k.AccessKeyId, Secret: k.SecretAccessKey}
	rootSession := wantSignedIn(t, consoleCall(t, s, "sign-in", map[string]any{"Root": true}, second2), "arn:aws:iam::"+e2etest.AccountID+":root")
	wantSignedIn(t, consoleCall(t, s, "refresh", map[string]any{}, rootSession), "arn:aws:iam::"+e2etest.AccountID+":root")
	must[*iam.UpdateAccessKeyOutput](t)(s.IAM(e2etest.Root).UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(k.AccessKeyId), Status: "Inactive"}))
	wantConsoleError(t, consoleCall(t, s, "refresh", map[string]any{}, rootSession), http.StatusForbidden, "AccessDenied")

	// Idle for the timeout, the session's credentials are refused.
	idle := wantSignedIn(t, consoleCall(t, s, "sign-in", map[string]any{"Root": true}, e2etest.Root), "arn:aws:iam::"+e2etest.AccountID+":root")
	time.Sleep(11 * time.Second)
	_, err := s.STS(idle).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "ExpiredToken")
	if r := consoleCall(t, s, "refresh", map[string]any{}, idle); r.Status != http.StatusForbidden || r.Code != "ExpiredToken" {
		t.Fatalf("refresh of an expired session: HTTP %d %s", r.Status, r.Code)
	}
}

// credentialReport generates the account's credential report as the root
// and returns its rows by user, each by column.
func credentialReport(t *testing.T, s *e2etest.Server) map[string]map[string]string {
	t.Helper()
	ctx := context.Background()
	c := s.IAM(e2etest.Root)
	for {
		gen := must[*iam.GenerateCredentialReportOutput](t)(c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
		if gen.State == "COMPLETE" {
			break
		}
	}
	rep := must[*iam.GetCredentialReportOutput](t)(c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
	rows, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil || len(rows) < 1 {
		t.Fatalf("the report is not CSV: %v\n%s", err, rep.Content)
	}
	out := map[string]map[string]string{}
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, col := range rows[0] {
			m[col] = row[i]
		}
		out[row[0]] = m
	}
	return out
}

// TestConsoleOff: with --no-console neither the page nor its sign-in is
// served.
func TestConsoleOff(t *testing.T) {
	t.Parallel()
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--no-console"}})
	resp, err := http.Get(s.URL + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.Header.Get("Content-Security-Policy") != "" {
		t.Fatalf("GET /console/ with --no-console: HTTP %d %v", resp.StatusCode, resp.Header)
	}
	consoleUser(t, s, "alice", "", false)
	a := signIn(t, s, e2etest.AccountID, "alice", consoleTestPassword)
	if a.Status != http.StatusNotFound || a.Creds.Token != "" {
		t.Fatalf("sign-in with --no-console: HTTP %d %v", a.Status, a.Body)
	}
}

// TestConsoleSignedCallsAnsweredOnce: a signed root sign-in or refresh is
// answered once: sent again, within the signature's 15 minutes, it gets
// nothing; a presigned one (which could be replayed for days from a
// log) is refused outright.
func TestConsoleSignedCallsAnsweredOnce(t *testing.T) {
	t.Parallel()
	s := e2etest.Start(t, e2etest.Options{})
	send := func(path string, c e2etest.Creds) func() consoleAnswer {
		raw := []byte(`{}`)
		if path == "sign-in" {
			raw = []byte(`{"Root":true}`)
		}
		req, err := http.NewRequest(http.MethodPost, s.URL+"/latchkey/v1/console/"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		signForLatchkey(t, req, raw, c)
		return func() consoleAnswer {
			again := req.Clone(context.Background())
			again.Body = io.NopCloser(bytes.NewReader(raw))
			again.ContentLength = int64(len(raw))
			resp, err := http.DefaultClient.Do(again)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			a := consoleAnswer{Status: resp.StatusCode}
			if err := json.NewDecoder(resp.Body).Decode(&a.Body); err != nil {
				t.Fatal(err)
			}
			a.Code, _ = a.Body["Code"].(string)
			if c, ok := a.Body["Credentials"].(map[string]any); ok {
				a.Creds.KeyID, a.Creds.Secret, a.Creds.Token = c["AccessKeyId"].(string), c["SecretAccessKey"].(string), c["SessionToken"].(string)
			}
			return a
		}
	}
	rootARN := "arn:aws:iam::" + e2etest.AccountID + ":root"
	signInOnce := send("sign-in", e2etest.Root)
	session := wantSignedIn(t, signInOnce(), rootARN)
	wantConsoleError(t, signInOnce(), http.StatusUnauthorized, "InvalidSignIn")
	refreshOnce := send("refresh", session)
	wantSignedIn(t, refreshOnce(), rootARN)
	wantConsoleError(t, refreshOnce(), http.StatusForbidden, "AccessDenied")

	// Presigned, for a week: refused.
	req, err := http.NewRequest(http.MethodPost, s.URL+"/latchkey/v1/console/sign-in?X-Amz-Expires=604800", strings.NewReader(`{"Root":true}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(`{"Root":true}`))
	signed, header, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: e2etest.Root.KeyID, SecretAccessKey: e2etest.Root.Secret},
		req, hex.EncodeToString(sum[:]), "latchkey", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pre, _ := http.NewRequest(http.MethodPost, signed, strings.NewReader(`{"Root":true}`))
	for k, v := range header {
		pre.Header[k] = v
	}
	pre.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "InvalidSignIn") {
		t.Fatalf("a presigned root sign-in: HTTP %d %s", resp.StatusCode, b)
	}
}
