package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/latchkey/latchkey/internal/e2etest"
	"github.com/latchkey/latchkey/internal/sigv4"
)

const (
	objectsHost   = "objects.example"
	objectsRegion = "objects-1"
)

// relyingCall signs body as a relying service's call to Latchkey (service
// "latchkey") with c and returns the answer's status and JSON.
func relyingCall(t *testing.T, s *e2etest.Server, c e2etest.Creds, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.KeyID != "" {
		signForLatchkey(t, req, raw, c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: HTTP %d, not JSON: %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

// signForLatchkey signs req, whose body is body, with c as a call to
// Latchkey's own API (service latchkey, region us-east-1), its payload's
// hash in X-Amz-Content-Sha256.
func signForLatchkey(t *testing.T, req *http.Request, body []byte, c e2etest.Creds) {
	t.Helper()
	sum := sha256.Sum256(body)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.KeyID, SecretAccessKey: c.Secret, SessionToken: c.Token},
		req, hex.EncodeToString(sum[:]), "latchkey", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
}

// clientRequest is an S3 request as a client signs it with aws-sdk-go-v2's
// signer (x-amz-content-sha256 signed, the path encoded once, as the S3
// client does), described
// as a relying service passes it to /verify.
func clientRequest(t *testing.T, c e2etest.Creds, method, host, path, region string, body []byte) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+host+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	// As the S3 client signs: the key URI-encoded once.
	s3Signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := s3Signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.KeyID, SecretAccessKey: c.Secret, SessionToken: c.Token},
		req, hex.EncodeToString(sum[:]), "s3", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	headers := map[string][]string{}
	for k, v := range req.Header {
		headers[k] = v
	}
	return map[string]any{"method": method, "host": host, "path": req.URL.EscapedPath(), "query": req.URL.RawQuery, "headers": headers,
		"body": base64.StdEncoding.EncodeToString(body)}
}

func errorCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// setUpRelying makes the relying service "objects" (user objects, allowed
// every latchkey action on its record) and a client, alice, who may read
// and not write the bucket.
func setUpRelying(t *testing.T, s *e2etest.Server) (svc, alice e2etest.Creds) {
	t.Helper()
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	svc = newUserWithKey(t, s, "objects")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("objects"), PolicyName: aws.String("relying"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"latchkey:*","Resource":"arn:aws:latchkey::123456789012:relying-service/objects"}]}`)}))
	alice = newUserWithKey(t, s, "alice")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`)}))
	s.RunAdmin(t, "relying-service", "add", "--account", "123456789012", "--name", "objects",
		"--principal", "arn:aws:iam::123456789012:user/objects", "--scope", objectsRegion+"/s3", "--host", objectsHost)
	return svc, alice
}

// TestRelyingVerify: a registered service verifies its clients' requests
// and asks what they may do; altered requests, other scopes and hosts,
// revoked keys, unregistered or unauthorized callers are refused with a
// clear answer.
func TestRelyingVerify(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	svc, alice := setUpRelying(t, s)
	get := clientRequest(t, alice, "GET", objectsHost, "/bucket/report%201.txt", objectsRegion, nil)
	questions := []map[string]any{
		{"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/report 1.txt"},
		{"action": "s3:PutObject", "resource": "arn:aws:s3:::bucket/report 1.txt"},
	}
	status, out := relyingCall(t, s, svc, "POST", "/latchkey/v1/verify", map[string]any{"request": get, "authorize": questions})
	p, _ := out["principal"].(map[string]any)
	if status != 200 || p["arn"] != "arn:aws:iam::123456789012:user/alice" || p["type"] != "user" || p["access_key_id"] != alice.KeyID || p["account"] != "123456789012" {
		t.Fatalf("verify: HTTP %d %v", status, out)
	}
	ds, _ := out["decisions"].([]any)
	if len(ds) != 2 || ds[0].(map[string]any)["decision"] != "allowed" || ds[1].(map[string]any)["decision"] != "implicitDeny" {
		t.Fatalf("decisions: %v", out["decisions"])
	}
	if m := ds[0].(map[string]any)["matched_statements"].([]any); len(m) != 1 || m[0].(map[string]any)["sid"] != "Read" {
		t.Fatalf("matched statements: %v", m)
	}

	// Another account's principals: the bucket is the service's account's,
	// which grants them nothing (no resource-based policy), whatever their
	// own policies say; the other account's root neither.
	var other struct{ AccountID, AccessKeyID, SecretAccessKey string }
	if err := json.Unmarshal([]byte(s.RunAdmin(t, "account", "create", "--account-id", "210987654321", "--output", "json")), &other); err != nil {
		t.Fatal(err)
	}
	otherRoot := e2etest.Creds{KeyID: other.AccessKeyID, Secret: other.SecretAccessKey}
	must[*iam.CreateUserOutput](t)(s.GoIAM(otherRoot).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")}))
	must[*iam.PutUserPolicyOutput](t)(s.GoIAM(otherRoot).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("mallory"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))
	mk := must[*iam.CreateAccessKeyOutput](t)(s.GoIAM(otherRoot).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("mallory")}))
	mallory := e2etest.Creds{KeyID: aws.ToString(mk.AccessKey.AccessKeyId), Secret: aws.ToString(mk.AccessKey.SecretAccessKey)}
	for name, c := range map[string]e2etest.Creds{"a user of another account": mallory, "another account's root": otherRoot} {
		status, out := relyingCall(t, s, svc, "POST", "/latchkey/v1/verify", map[string]any{
			"request":   clientRequest(t, c, "GET", objectsHost, "/bucket/k", objectsRegion, nil),
			"authorize": []map[string]any{{"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/k"}}})
		p, _ := out["principal"].(map[string]any)
		ds, _ := out["decisions"].([]any)
		if status != 200 || p["account"] != "210987654321" || len(ds) != 1 || ds[0].(map[string]any)["decision"] != "implicitDeny" {
			t.Errorf("%s: HTTP %d %v", name, status, out)
		}
	}

	// Temporary credentials: a role session, its tags, its role's policy.
	root := s.GoIAM(e2etest.Root)
	must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)}))
	must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*"}]}`)}))
	bob := newUserWithKey(t, s, "bob")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"arn:aws:iam::123456789012:role/reader"}]}`)}))
	assumed := must[*sts.AssumeRoleOutput](t)(s.GoSTS(bob).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/reader"),
		RoleSessionName: aws.String("s1"), Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	session := credsOf(assumed.Credentials)
	status, out = relyingCall(t, s, svc, "POST", "/latchkey/v1/verify", map[string]any{
		"request": clientRequest(t, session, "GET", objectsHost, "/bucket/blue/k", objectsRegion, nil),
		"authorize": []map[string]any{
			{"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/blue/k"},
			{"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/red/k"},
		}})
	p, _ = out["principal"].(map[string]any)
	tags, _ := p["session_tags"].(map[string]any)
	ds, _ = out["decisions"].([]any)
	if status != 200 || p["type"] != "assumed-role" || p["arn"] != "arn:aws:sts::123456789012:assumed-role/reader/s1" || tags["team"] != "blue" || p["expiration"] == nil ||
		len(ds) != 2 || ds[0].(map[string]any)["decision"] != "allowed" || ds[1].(map[string]any)["decision"] != "implicitDeny" {
		t.Fatalf("a role session: HTTP %d %v", status, out)
	}

	// The client's request, changed on the way: the canonical request is
	// Latchkey's own, so any change shows.
	altered := clientRequest(t, alice, "GET", objectsHost, "/bucket/a.txt", objectsRegion, nil)
	altered["path"] = "/bucket/b.txt"
	put := clientRequest(t, alice, "PUT", objectsHost, "/bucket/a.txt", objectsRegion, []byte("hello"))
	put["body"] = base64.StdEncoding.EncodeToString([]byte("jello"))
	smuggled := clientRequest(t, alice, "GET", objectsHost, "/bucket/a.txt", objectsRegion, nil)
	smuggled["string_to_sign"] = "AWS4-HMAC-SHA256\n..."
	for name, tc := range map[string]struct {
		req  map[string]any
		code string
	}{
		"altered path":            {altered, "SignatureDoesNotMatch"},
		"altered body":            {put, "XAmzContentSHA256Mismatch"},
		"another region":          {clientRequest(t, alice, "GET", objectsHost, "/bucket/a.txt", "us-east-1", nil), "SignatureDoesNotMatch"},
		"another host":            {clientRequest(t, alice, "GET", "other.example", "/bucket/a.txt", objectsRegion, nil), "SignatureDoesNotMatch"},
		"an unknown key":          {clientRequest(t, e2etest.Creds{KeyID: "AKIANOSUCHKEY0000000", Secret: "x"}, "GET", objectsHost, "/b/a", objectsRegion, nil), "InvalidClientTokenId"},
		"signed for another time": {withDate(clientRequest(t, alice, "GET", objectsHost, "/bucket/a.txt", objectsRegion, nil), time.Now().Add(-time.Hour)), "SignatureDoesNotMatch"},
	} {
		status, out := relyingCall(t, s, svc, "POST", "/latchkey/v1/verify", map[string]any{"request": tc.req})
		if status != 200 || errorCode(out) != tc.code || out["principal"] != nil {
			t.Errorf("%s: HTTP %d %v, want %s", name, status, out, tc.code)
		}
	}
	// A string to sign handed in is not even accepted as a field.
	if status, out := relyingCall(t, s, svc, "POST", "/latchkey/v1/verify", map[string]any{"request": smuggled}); status != 400 || errorCode(out) != "InvalidInput" {
		t.Errorf("a smuggled string to sign: HTTP %d %v", status, out)
	}

	// The callers: unsigned, a principal that is not a relying service, one
	// without the permission, a removed service.
	if status, out := relyingCall(t, s, e2etest.Creds{}, "POST", "/latchkey/v1/verify", map[string]any{"request": get}); status != 403 || errorCode(out) != "MissingAuthenticationToken" {
		t.Errorf("unsigned: HTTP %d %v", status, out)
	}
	if status, out := relyingCall(t, s, alice, "POST", "/latchkey/v1/verify", map[string]any{"request": get}); status != 403 || errorCode(out) != "AccessDenied" {
		t.Errorf("not a relying service: HTTP %d %v", status, out)
	}
	must[*iam.DeleteUserPolicyOutput](t)(s.GoIAM(e2etest.Root).DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("objects"), PolicyName: aws.String("relying")}))
	if status, out := relyingCall(t, s, svc, "POST", "/latchkey/v1/verify", map[string]any{"request": get}); status != 403 || errorCode(out) != "AccessDenied" ||
		!strings.Contains(out["error"].(map[string]any)["message"].(string), "latchkey:Verify") {
		t.Errorf("without latchkey:Verify: HTTP %d %v", status, out)
	}
	must[*iam.PutUserPolicyOutput](t)(s.GoIAM(e2etest.Root).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("objects"), PolicyName: aws.String("relying"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"latchkey:Verify","Resource":"*"}]}`)}))
	if status, out := relyingCall(t, s, svc, "POST", "/latchkey/v1/verify", map[string]any{"request": get}); status != 200 || out["principal"] == nil {
		t.Errorf("allowed again: HTTP %d %v", status, out)
	}
	s.RunAdmin(t, "relying-service", "remove", "--account", "123456789012", "--name", "objects")
	if status, out := relyingCall(t, s, svc, "POST", "/latchkey/v1/verify", map[string]any{"request": get}); status != 403 || errorCode(out) != "AccessDenied" ||
		!strings.Contains(out["error"].(map[string]any)["message"].(string), "not registered") {
		t.Errorf("a removed service: HTTP %d %v", status, out)
	}

	// A deactivated key stops verifying at once.
	s.RunAdmin(t, "relying-service", "add", "--account", "123456789012", "--name", "root-objects",
		"--principal", "arn:aws:iam::123456789012:root", "--scope", objectsRegion+"/s3")
	must[*iam.UpdateAccessKeyOutput](t)(s.GoIAM(e2etest.Root).UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(alice.KeyID), Status: "Inactive"}))
	if status, out := relyingCall(t, s, e2etest.Root, "POST", "/latchkey/v1/verify", map[string]any{"request": clientRequest(t, alice, "GET", "any.example", "/b/k", objectsRegion, nil)}); status != 200 || errorCode(out) != "InvalidClientTokenId" {
		t.Errorf("a deactivated key: HTTP %d %v", status, out)
	}
}

// withDate re-signs nothing: it moves the request's date, which the
// signature covers, so that the clock check refuses it first.
func withDate(req map[string]any, at time.Time) map[string]any {
	h := req["headers"].(map[string][]string)
	old := h["X-Amz-Date"][0]
	date := at.UTC().Format("20060102T150405Z")
	h["X-Amz-Date"] = []string{date}
	h["Authorization"] = []string{strings.ReplaceAll(h["Authorization"][0], old[:8], date[:8])}
	return req
}

// TestRelyingSigningKeysAndRevocations: a signing key is the one the
// client's secret derives, only for the service's scopes; the feed shows a
// deactivation and a policy change within its poll, and a position the
// log no longer holds is not served.
func TestRelyingSigningKeysAndRevocations(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	svc, alice := setUpRelying(t, s)
	day := time.Now().UTC().Format("20060102")
	status, out := relyingCall(t, s, svc, "POST", "/latchkey/v1/signing-keys", map[string]any{"access_key_id": alice.KeyID, "date": day, "region": objectsRegion, "service": "s3"})
	if status != 200 || out["signing_key"] != base64.StdEncoding.EncodeToString(sigv4.DeriveSigningKey(alice.Secret, day, objectsRegion, "s3")) || out["secret_access_key"] != nil {
		t.Fatalf("signing key: HTTP %d %v", status, out)
	}
	seq := int64(out["revocation_seq"].(float64))
	if status, out := relyingCall(t, s, svc, "POST", "/latchkey/v1/signing-keys", map[string]any{"access_key_id": alice.KeyID, "date": day, "region": "us-east-1", "service": "s3"}); status != 403 || errorCode(out) != "AccessDenied" {
		t.Fatalf("a signing key outside the service's scopes: HTTP %d %v", status, out)
	}

	// Nothing yet: a heartbeat after the wait.
	start := time.Now()
	status, out = relyingCall(t, s, svc, "GET", fmt.Sprintf("/latchkey/v1/revocations?after=%d&wait=300ms", seq), nil)
	if status != 200 || len(out["revocations"].([]any)) != 0 || time.Since(start) < 250*time.Millisecond {
		t.Fatalf("heartbeat: HTTP %d %v after %v", status, out, time.Since(start))
	}
	done := make(chan map[string]any, 1)
	go func() {
		_, out := relyingCall(t, s, svc, "GET", fmt.Sprintf("/latchkey/v1/revocations?after=%d&wait=10s", seq), nil)
		done <- out
	}()
	time.Sleep(200 * time.Millisecond)
	revoked := time.Now()
	must[*iam.UpdateAccessKeyOutput](t)(s.GoIAM(e2etest.Root).UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(alice.KeyID), Status: "Inactive"}))
	out = <-done
	revs := out["revocations"].([]any)
	if len(revs) != 1 || revs[0].(map[string]any)["kind"] != "AccessKeyDeactivated" || revs[0].(map[string]any)["subject"] != alice.KeyID {
		t.Fatalf("revocations: %v", out)
	}
	t.Logf("the deactivation reached the feed %v after it was acknowledged", time.Since(revoked))
	last := int64(out["last"].(float64))
	must[*iam.DeleteUserPolicyOutput](t)(s.GoIAM(e2etest.Root).DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read")}))
	_, out = relyingCall(t, s, svc, "GET", fmt.Sprintf("/latchkey/v1/revocations?after=%d&wait=5s", last), nil)
	if revs := out["revocations"].([]any); len(revs) != 1 || revs[0].(map[string]any)["kind"] != "PolicyChanged" || revs[0].(map[string]any)["subject"] != "user/alice" {
		t.Fatalf("a policy change: %v", out)
	}
	// Another account's key, deactivated: in the feed too (the service
	// verifies other accounts' keys); another account's other changes not.
	last = int64(out["last"].(float64))
	var other struct{ AccountID, AccessKeyID, SecretAccessKey string }
	if err := json.Unmarshal([]byte(s.RunAdmin(t, "account", "create", "--account-id", "210987654321", "--output", "json")), &other); err != nil {
		t.Fatal(err)
	}
	otherRoot := e2etest.Creds{KeyID: other.AccessKeyID, Secret: other.SecretAccessKey}
	must[*iam.CreateUserOutput](t)(s.GoIAM(otherRoot).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	ck := must[*iam.CreateAccessKeyOutput](t)(s.GoIAM(otherRoot).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")}))
	must[*iam.PutUserPolicyOutput](t)(s.GoIAM(otherRoot).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))
	must[*iam.UpdateAccessKeyOutput](t)(s.GoIAM(otherRoot).UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: ck.AccessKey.AccessKeyId, Status: "Inactive"}))
	_, out = relyingCall(t, s, svc, "GET", fmt.Sprintf("/latchkey/v1/revocations?after=%d&wait=5s", last), nil)
	if revs := out["revocations"].([]any); len(revs) != 1 || revs[0].(map[string]any)["kind"] != "AccessKeyDeactivated" ||
		revs[0].(map[string]any)["subject"] != aws.ToString(ck.AccessKey.AccessKeyId) || revs[0].(map[string]any)["account"] != "210987654321" {
		t.Fatalf("another account's deactivation: %v", out)
	}
	if status, out := relyingCall(t, s, svc, "GET", "/latchkey/v1/revocations?after=-1", nil); status != 400 || errorCode(out) != "InvalidInput" {
		t.Fatalf("a bad position: HTTP %d %v", status, out)
	}
	// The key, deactivated, derives nothing more.
	if status, out := relyingCall(t, s, svc, "POST", "/latchkey/v1/signing-keys", map[string]any{"access_key_id": alice.KeyID, "date": day, "region": objectsRegion, "service": "s3"}); status != 403 || errorCode(out) != "InvalidClientTokenId" {
		t.Fatalf("a signing key of a deactivated key: HTTP %d %v", status, out)
	}
}

// TestRelyingServicesAPI: relying services are managed through the API
// too, by whoever the policies allow, in the caller's own account.
func TestRelyingServicesAPI(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	admin := newUserWithKey(t, s, "admin")
	must[*iam.PutUserPolicyOutput](t)(s.GoIAM(e2etest.Root).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("manage"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["latchkey:*RelyingService*"],"Resource":"arn:aws:latchkey::123456789012:relying-service/*"},{"Effect":"Deny","Action":"latchkey:DeleteRelyingService","Resource":"*"}]}`)}))
	nobody := newUserWithKey(t, s, "nobody")
	body := map[string]any{"name": "objects", "principal": "arn:aws:iam::123456789012:user/objects", "scopes": []string{objectsRegion + "/s3"}, "hosts": []string{objectsHost}}
	status, out := relyingCall(t, s, admin, "POST", "/latchkey/v1/relying-services", body)
	if status != 200 || out["arn"] != "arn:aws:latchkey::123456789012:relying-service/objects" || out["principal"] != "arn:aws:iam::123456789012:user/objects" {
		t.Fatalf("create: HTTP %d %v", status, out)
	}
	if status, out := relyingCall(t, s, admin, "POST", "/latchkey/v1/relying-services", body); status != 409 || errorCode(out) != "EntityAlreadyExists" {
		t.Fatalf("create again: HTTP %d %v", status, out)
	}
	bad := map[string]any{"name": "x", "principal": "arn:aws:iam::210987654321:user/elsewhere", "scopes": []string{"s3"}}
	if status, out := relyingCall(t, s, admin, "POST", "/latchkey/v1/relying-services", bad); status != 400 || errorCode(out) != "InvalidInput" {
		t.Fatalf("create with another account's principal: HTTP %d %v", status, out)
	}
	if status, out := relyingCall(t, s, nobody, "POST", "/latchkey/v1/relying-services", body); status != 403 || errorCode(out) != "AccessDenied" {
		t.Fatalf("create without the permission: HTTP %d %v", status, out)
	}
	status, out = relyingCall(t, s, admin, "GET", "/latchkey/v1/relying-services", nil)
	if list, _ := out["relying_services"].([]any); status != 200 || len(list) != 1 {
		t.Fatalf("list: HTTP %d %v", status, out)
	}
	if status, out := relyingCall(t, s, admin, "GET", "/latchkey/v1/relying-services/OBJECTS", nil); status != 200 || out["name"] != "objects" {
		t.Fatalf("get: HTTP %d %v", status, out)
	}
	if status, out := relyingCall(t, s, admin, "DELETE", "/latchkey/v1/relying-services/objects", nil); status != 403 || errorCode(out) != "AccessDenied" {
		t.Fatalf("delete, denied: HTTP %d %v", status, out)
	}
	if status, out := relyingCall(t, s, e2etest.Root, "DELETE", "/latchkey/v1/relying-services/objects", nil); status != 200 {
		t.Fatalf("delete by the root: HTTP %d %v", status, out)
	}
	if status, out := relyingCall(t, s, e2etest.Root, "GET", "/latchkey/v1/relying-services/objects", nil); status != 404 || errorCode(out) != "NoSuchEntity" {
		t.Fatalf("get after delete: HTTP %d %v", status, out)
	}
	if got := s.RunAdmin(t, "relying-service", "list", "--account", "123456789012", "--output", "json"); strings.TrimSpace(got) != "[]" {
		t.Fatalf("the admin command's list after delete: %s", got)
	}
}

// TestRelyingRevocationLatency: how long after its acknowledgement a
// revocation reaches a relying service waiting on the feed, over twenty
// deactivations (p50, p99, max logged; each must be within the 1 s bound
// the Go client documents).
func TestRelyingRevocationLatency(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "warn"}})
	ctx := t.Context()
	svc, _ := setUpRelying(t, s)
	_, out := relyingCall(t, s, svc, "GET", "/latchkey/v1/revocations?after=0&wait=0s", nil)
	last := int64(out["last"].(float64))
	var lat []time.Duration
	for i := range 20 {
		c := newUserWithKey(t, s, fmt.Sprintf("r%d", i))
		// Let the user's creation pass: only the revocation is waited for.
		_, out := relyingCall(t, s, svc, "GET", fmt.Sprintf("/latchkey/v1/revocations?after=%d&wait=0s", last), nil)
		last = int64(out["last"].(float64))
		got := make(chan time.Time, 1)
		go func(after int64) {
			_, out := relyingCall(t, s, svc, "GET", fmt.Sprintf("/latchkey/v1/revocations?after=%d&wait=10s", after), nil)
			if revs, _ := out["revocations"].([]any); len(revs) == 1 && revs[0].(map[string]any)["subject"] == c.KeyID {
				got <- time.Now()
				return
			}
			t.Errorf("revocation %d: %v", i, out)
			got <- time.Time{}
		}(last)
		time.Sleep(30 * time.Millisecond) // the long poll is waiting
		must[*iam.UpdateAccessKeyOutput](t)(s.GoIAM(e2etest.Root).UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(fmt.Sprintf("r%d", i)), AccessKeyId: aws.String(c.KeyID), Status: "Inactive"}))
		acked := time.Now()
		at := <-got
		if at.IsZero() {
			t.FailNow()
		}
		lat = append(lat, max(at.Sub(acked), 0))
		_, out = relyingCall(t, s, svc, "GET", fmt.Sprintf("/latchkey/v1/revocations?after=%d&wait=0s", last), nil)
		last = int64(out["last"].(float64))
	}
	slices.Sort(lat)
	t.Logf("revocation to feed, %d deactivations: p50 %v, p99 %v, max %v", len(lat), lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1])
	if lat[len(lat)-1] >= time.Second {
		t.Fatalf("a revocation took %v to reach the feed", lat[len(lat)-1])
	}
}

// TestRelyingShutdownEndsLongPolls: a graceful stop does not wait for a
// revocations call waiting its full time: the call answers a heartbeat,
// the server exits 0 at once.
func TestRelyingShutdownEndsLongPolls(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	svc, _ := setUpRelying(t, s)
	_, out := relyingCall(t, s, svc, "GET", "/latchkey/v1/revocations?after=0&wait=0s", nil)
	last := int64(out["last"].(float64))
	answered := make(chan int, 1)
	go func() {
		status, _ := relyingCall(t, s, svc, "GET", fmt.Sprintf("/latchkey/v1/revocations?after=%d&wait=25s", last), nil)
		answered <- status
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	s.Stop() // fails the test unless latchkey exits 0
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the stop took %v with a long poll waiting", took)
	}
	if status := <-answered; status != 200 {
		t.Fatalf("the waiting call answered HTTP %d", status)
	}
}
