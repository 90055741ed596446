package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/internal/iam"
	"github.com/latchkey/latchkey/internal/store"
)

// benchServer is the whole request pipeline in process, on a fresh data
// dir with one account.
type benchServer struct {
	d *Data
	h http.Handler
}

const benchAccount = "123456789012"

var benchRoot = RootCredentials{AccountID: benchAccount, AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

func newBenchServer(b *testing.B) *benchServer {
	ctx := context.Background()
	d, err := Open(ctx, Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if _, err := d.CreateAccount(ctx, benchRoot); err != nil {
		b.Fatal(err)
	}
	h, _, err := d.Handler(slog.New(slog.NewJSONHandler(discard{}, &slog.HandlerOptions{Level: slog.LevelInfo})), time.Hour, nil)
	if err != nil {
		b.Fatal(err)
	}
	return &benchServer{d: d, h: h}
}

// signed builds a signed IAM request; the signature is reused, which the
// server allows within its clock skew.
func signed(b *testing.B, keyID, secret string, form url.Values) (*http.Request, string) {
	body := form.Encode()
	sum := sha256.Sum256([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:7480/", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	return req, body
}

func (s *benchServer) do(b *testing.B, req *http.Request, body string) *httptest.ResponseRecorder {
	r := req.Clone(context.Background())
	r.Body = nopCloser{strings.NewReader(body)}
	r.ContentLength = int64(len(body))
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

// must runs a root call and fails the benchmark unless it succeeds.
func (s *benchServer) must(b *testing.B, kv ...string) {
	form := url.Values{"Version": {"2010-05-08"}}
	for i := 0; i < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	req, body := signed(b, benchRoot.AccessKeyID, benchRoot.SecretAccessKey, form)
	if w := s.do(b, req, body); w.Code != http.StatusOK {
		b.Fatalf("%v: %d %s", kv, w.Code, w.Body.String())
	}
}

func (s *benchServer) userKey(b *testing.B, name string) (string, string) {
	k, plain := iam.NewAccessKey(s.d.Keys.Primary(), store.AccessKey{CreatedAt: time.Now()})
	if _, err := s.d.Store.CreateAccessKey(context.Background(), benchAccount, name, k); err != nil {
		b.Fatal(err)
	}
	return k.ID, plain
}

func benchDoc(action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + action + `"],"Resource":"*"},{"Effect":"Deny","Action":"iam:Delete*","Resource":"*","Condition":{"StringEquals":{"aws:username":"nobody"}}}]}`
}

// BenchmarkAuthorizedCall is an authorized IAM call (GetUser on oneself)
// by a user whose permission comes from one inline policy, against one
// whose permission comes from the last of 10 attached managed policies
// and 5 groups of 2 policies each (21 policies evaluated). The ratio of
// the two is the cost of a large policy set; resolved sets are cached and
// revalidated against the store's change generation.
func BenchmarkAuthorizedCall(b *testing.B) {
	s := newBenchServer(b)
	s.must(b, "Action", "CreateUser", "UserName", "small")
	s.must(b, "Action", "PutUserPolicy", "UserName", "small", "PolicyName", "p", "PolicyDocument", benchDoc("iam:GetUser"))
	s.must(b, "Action", "CreateUser", "UserName", "large")
	for i := 0; i < 10; i++ {
		action := "ec2:Describe" + strconv.Itoa(i)
		if i == 9 {
			action = "iam:GetUser"
		}
		s.must(b, "Action", "CreatePolicy", "PolicyName", fmt.Sprintf("m%d", i), "PolicyDocument", benchDoc(action))
		s.must(b, "Action", "AttachUserPolicy", "UserName", "large", "PolicyArn", fmt.Sprintf("arn:aws:iam::%s:policy/m%d", benchAccount, i))
	}
	for g := 0; g < 5; g++ {
		group := fmt.Sprintf("g%d", g)
		s.must(b, "Action", "CreateGroup", "GroupName", group)
		s.must(b, "Action", "AddUserToGroup", "GroupName", group, "UserName", "large")
		s.must(b, "Action", "PutGroupPolicy", "GroupName", group, "PolicyName", "inline", "PolicyDocument", benchDoc("s3:Get"+group))
		s.must(b, "Action", "CreatePolicy", "PolicyName", "gm"+group, "PolicyDocument", benchDoc("sqs:Send"+group))
		s.must(b, "Action", "AttachGroupPolicy", "GroupName", group, "PolicyArn", fmt.Sprintf("arn:aws:iam::%s:policy/gm%s", benchAccount, group))
	}
	for _, user := range []string{"small", "large"} {
		id, secret := s.userKey(b, user)
		req, body := signed(b, id, secret, url.Values{"Action": {"GetUser"}, "Version": {"2010-05-08"}})
		b.Run(user, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if w := s.do(b, req, body); w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body.String())
				}
			}
		})
	}
}

// BenchmarkSimulatePrincipalPolicy simulates 100 actions on 10 resources
// (1,000 evaluations with explanations) for a user with 3 policies.
func BenchmarkSimulatePrincipalPolicy(b *testing.B) {
	s := newBenchServer(b)
	s.must(b, "Action", "CreateUser", "UserName", "sim")
	for i, a := range []string{"iam:Get*", "iam:List*", "s3:*"} {
		s.must(b, "Action", "PutUserPolicy", "UserName", "sim", "PolicyName", "p"+strconv.Itoa(i), "PolicyDocument", benchDoc(a))
	}
	form := url.Values{"Action": {"SimulatePrincipalPolicy"}, "Version": {"2010-05-08"}, "PolicySourceArn": {"arn:aws:iam::" + benchAccount + ":user/sim"}, "MaxItems": {"1000"}}
	for i := 1; i <= 100; i++ {
		form.Set("ActionNames.member."+strconv.Itoa(i), fmt.Sprintf("iam:GetThing%d", i))
	}
	for i := 1; i <= 10; i++ {
		form.Set("ResourceArns.member."+strconv.Itoa(i), fmt.Sprintf("arn:aws:iam::%s:user/u%d", benchAccount, i))
	}
	req, body := signed(b, benchRoot.AccessKeyID, benchRoot.SecretAccessKey, form)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := s.do(b, req, body)
		if w.Code != http.StatusOK || strings.Count(w.Body.String(), "<EvalActionName>") != 1000 {
			b.Fatalf("status %d: %.300s", w.Code, w.Body.String())
		}
	}
}

// BenchmarkCallerIdentity is GetCallerIdentity signed with a user's
// long-term key against the same call signed with a role session's
// temporary credentials (the token opened and checked on every request).
func BenchmarkCallerIdentity(b *testing.B) {
	s := newBenchServer(b)
	s.must(b, "Action", "CreateUser", "UserName", "op")
	s.must(b, "Action", "PutUserPolicy", "UserName", "op", "PolicyName", "p", "PolicyDocument", benchDoc("sts:AssumeRole"))
	s.must(b, "Action", "CreateRole", "RoleName", "r", "AssumeRolePolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+benchAccount+`"},"Action":"sts:AssumeRole"}]}`)
	id, secret := s.userKey(b, "op")
	form := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::" + benchAccount + ":role/r"}, "RoleSessionName": {"bench"}}
	req, body := signedFor(b, "sts", id, secret, "", form)
	w := s.do(b, req, body)
	var out struct {
		Creds struct{ AccessKeyId, SecretAccessKey, SessionToken string } `xml:"AssumeRoleResult>Credentials"`
	}
	if w.Code != http.StatusOK || xml.Unmarshal(w.Body.Bytes(), &out) != nil {
		b.Fatalf("AssumeRole: %d %s", w.Code, w.Body.String())
	}
	who := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	for _, c := range []struct{ name, id, secret, token string }{
		{"long-term-key", id, secret, ""},
		{"session", out.Creds.AccessKeyId, out.Creds.SecretAccessKey, out.Creds.SessionToken},
	} {
		req, body := signedFor(b, "sts", c.id, c.secret, c.token, who)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if w := s.do(b, req, body); w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body.String())
				}
			}
		})
	}
}

// signedFor is signed for any service, with a session token when given.
func signedFor(b *testing.B, service, keyID, secret, token string, form url.Values) (*http.Request, string) {
	body := form.Encode()
	sum := sha256.Sum256([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:7480/", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, SessionToken: token}, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	return req, body
}
