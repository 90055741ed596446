package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// rawResponse is one answer to a hand-made request.
type rawResponse struct {
	status int
	header http.Header
	body   string
}

// errorXML is AWS's Query ErrorResponse.
type errorXML struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type, Code, Message string
	}
	RequestID string `xml:"RequestId"`
}

// signedPost signs body as a form POST with the root key at time at and
// sends it.
func signedPost(t *testing.T, s *e2etest.Server, service, body string, at time.Time, mutate ...func(*http.Request)) rawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: e2etest.RootKeyID, SecretAccessKey: e2etest.RootSecret},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mutate {
		m(req)
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) rawResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResponse{resp.StatusCode, resp.Header, string(b)}
}

// wantError checks an AWS-shaped error: status, code, well-formed XML, and
// the header request id equal to the body's.
func wantError(t *testing.T, r rawResponse, status int, code string) errorXML {
	t.Helper()
	var e errorXML
	if err := xml.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("status %d, body is not an ErrorResponse (%v):\n%.500s", r.status, err, r.body)
	}
	if r.status != status || e.Error.Code != code {
		t.Fatalf("got %d %s (%s), want %d %s", r.status, e.Error.Code, e.Error.Message, status, code)
	}
	if e.RequestID == "" || r.header.Get("x-amzn-RequestId") != e.RequestID {
		t.Fatalf("request id: header %q, body %q", r.header.Get("x-amzn-RequestId"), e.RequestID)
	}
	if e.Error.Type != "Sender" {
		t.Fatalf("type %q", e.Error.Type)
	}
	return e
}

func form(kv ...string) string {
	v := url.Values{"Version": {"2010-05-08"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func TestHostileInput(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "warn"}})
	now := time.Now()
	iamPost := func(body string) rawResponse { return signedPost(t, s, "iam", body, now) }

	cases := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"invalid UTF-8 in a name", form("Action", "CreateUser", "UserName", "bob\xff"), 400, "ValidationError"},
		{"invalid UTF-8 in a tag", form("Action", "CreateUser", "UserName", "t1", "Tags.member.1.Key", "k\xfe", "Tags.member.1.Value", "v"), 400, "ValidationError"},
		{"dot-dot in a path", form("Action", "CreateUser", "UserName", "p1", "Path", "/../"), 200, ""},
		{"control character in a path", form("Action", "CreateUser", "UserName", "p2", "Path", "/a\x01b/"), 400, "ValidationError"},
		{"overlong MaxItems", form("Action", "ListUsers", "MaxItems", "100000"), 400, "ValidationError"},
		{"negative MaxItems", form("Action", "ListUsers", "MaxItems", "-1"), 400, "ValidationError"},
		{"non-numeric MaxItems", form("Action", "ListUsers", "MaxItems", "abc"), 400, "ValidationError"},
		{"huge MaxItems", form("Action", "ListUsers", "MaxItems", "99999999999999999999"), 400, "ValidationError"},
		{"forged marker", form("Action", "ListUsers", "Marker", "AAAA"), 400, "ValidationError"},
		{"marker of another list", form("Action", "ListUsers", "Marker", "a2V5czox"), 400, "ValidationError"},
		{"list with a gap", form("Action", "UntagUser", "UserName", "p1", "TagKeys.member.1", "a", "TagKeys.member.3", "b"), 400, "ValidationError"},
		{"list index zero", form("Action", "UntagUser", "UserName", "p1", "TagKeys.member.0", "a"), 400, "ValidationError"},
		{"duplicated parameter", "Action=CreateUser&Version=2010-05-08&UserName=a&UserName=b", 400, ""},
		{"bad escape", "Action=CreateUser&Version=2010-05-08&UserName=%zz", 0, ""},
		{"unknown action", form("Action", "StealEverything"), 400, "InvalidAction"},
		{"missing action", form(), 400, "MissingAction"},
		{"missing required parameter", form("Action", "CreateUser"), 400, "ValidationError"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := iamPost(tc.body)
			if r.status >= 500 {
				t.Fatalf("server error %d: %s", r.status, r.body)
			}
			switch {
			case tc.status == 200:
				if r.status != 200 {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
			case tc.code != "":
				wantError(t, r, tc.status, tc.code)
			default:
				if r.status < 400 || r.status >= 500 {
					t.Fatalf("status %d, want a 4xx: %s", r.status, r.body)
				}
				var e errorXML
				if err := xml.Unmarshal([]byte(r.body), &e); err != nil || e.Error.Code == "" {
					t.Fatalf("not an AWS error: %s", r.body)
				}
			}
		})
	}

	t.Run("XML-special characters round-trip", func(t *testing.T) {
		value := `<&>"' ]]> 'quoted'`
		// Tag values allow only letters, spaces, numbers and _.:/=+-@, so
		// the specials go where AWS lets them: the policy document.
		doc := `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"StringEquals":{"aws:username":"` + strings.ReplaceAll(value, `"`, `\"`) + `"}}}]}`
		r := iamPost(form("Action", "PutUserPolicy", "UserName", "p1", "PolicyName", "x", "PolicyDocument", doc))
		if r.status != 200 {
			t.Fatalf("put: %d %s", r.status, r.body)
		}
		r = iamPost(form("Action", "GetUserPolicy", "UserName", "p1", "PolicyName", "x"))
		var got struct {
			Doc string `xml:"GetUserPolicyResult>PolicyDocument"`
		}
		if err := xml.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatalf("response is not well-formed XML: %v\n%s", err, r.body)
		}
		if d, _ := url.QueryUnescape(got.Doc); d != doc {
			t.Fatalf("document came back as %q", d)
		}
		r = iamPost(form("Action", "CreateUser", "UserName", "p3", "Tags.member.1.Key", "k", "Tags.member.1.Value", "a/b=c+d:e@f"))
		if r.status != 200 || !strings.Contains(r.body, "<Value>a/b=c+d:e@f</Value>") {
			t.Fatalf("tag value: %d %s", r.status, r.body)
		}
		// An error message echoing client input stays well-formed.
		r = iamPost(form("Action", "GetUser", "UserName", "<x>&amp;"))
		wantError(t, r, 400, "ValidationError")
	})

	t.Run("10 MB body", func(t *testing.T) {
		body := form("Action", "CreateUser", "UserName", "big", "Path", "/"+strings.Repeat("a", 10<<20)+"/")
		r := iamPost(body)
		wantError(t, r, 413, "RequestEntityTooLarge")
	})

	t.Run("100k form fields", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("Action=ListUsers&Version=2010-05-08")
		for i := 0; i < 100_000; i++ {
			fmt.Fprintf(&b, "&f%d=x", i)
		}
		r := iamPost(b.String())
		if r.status < 400 || r.status >= 500 {
			t.Fatalf("status %d: %.300s", r.status, r.body)
		}
	})

	t.Run("10k headers", func(t *testing.T) {
		conn, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var b bytes.Buffer
		b.WriteString("POST / HTTP/1.1\r\nHost: " + s.Addr + "\r\n")
		for i := 0; i < 10_000; i++ {
			fmt.Fprintf(&b, "X-Junk-%d: %d\r\n", i, i)
		}
		b.WriteString("Content-Length: 0\r\n\r\n")
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		_, _ = conn.Write(b.Bytes())
		resp, err := http.ReadResponse(bufioReader(conn), nil)
		if err != nil {
			t.Fatalf("no response: %v", err)
		}
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})

	// The server still serves normally after all of that.
	r := iamPost(form("Action", "ListUsers"))
	if r.status != 200 {
		t.Fatalf("after hostile input: %d %s", r.status, r.body)
	}
}

// TestReplayAndSkew: a signature binds the body, action, host and date.
func TestReplayAndSkew(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "warn"}})
	now := time.Now()
	body := form("Action", "ListUsers")

	r := signedPost(t, s, "iam", body, now.Add(-20*time.Minute))
	if e := wantError(t, r, 403, "SignatureDoesNotMatch"); !strings.HasPrefix(e.Error.Message, "Signature expired: ") {
		t.Fatalf("message %q", e.Error.Message)
	}
	r = signedPost(t, s, "iam", body, now.Add(20*time.Minute))
	if e := wantError(t, r, 403, "SignatureDoesNotMatch"); !strings.HasPrefix(e.Error.Message, "Signature not yet current: ") {
		t.Fatalf("message %q", e.Error.Message)
	}
	swapBody := func(newBody string) func(*http.Request) {
		return func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(newBody))
			r.ContentLength = int64(len(newBody))
		}
	}
	wantError(t, signedPost(t, s, "iam", body, now, swapBody(form("Action", "ListUsers", "MaxItems", "5"))), 403, "SignatureDoesNotMatch")
	wantError(t, signedPost(t, s, "iam", body, now, swapBody(form("Action", "GetUser"))), 403, "SignatureDoesNotMatch")
	wantError(t, signedPost(t, s, "iam", body, now, func(r *http.Request) { r.Host = "iam.amazonaws.com" }), 403, "SignatureDoesNotMatch")
	wantError(t, signedPost(t, s, "iam", body, now, func(r *http.Request) {
		r.Header.Set("X-Amz-Date", now.Add(time.Second).UTC().Format("20060102T150405Z"))
	}), 403, "SignatureDoesNotMatch")
	if r := signedPost(t, s, "iam", body, now); r.status != 200 {
		t.Fatalf("the untouched request: %d %s", r.status, r.body)
	}

	// Latchkey issues no session credentials: any session token is invalid.
	treq, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	tsum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: e2etest.RootKeyID, SecretAccessKey: e2etest.RootSecret, SessionToken: "bogus"},
		treq, hex.EncodeToString(tsum[:]), "iam", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	wantError(t, send(t, treq), 403, "InvalidClientTokenId")
	// An action is bound to its service's API version.
	wantError(t, signedPost(t, s, "iam", "Action=ListUsers&Version=2011-06-15", now), 400, "InvalidAction")
	// Presigned URLs: valid, then expired.
	presign := func(at time.Time, expires string) rawResponse {
		u := s.URL + "/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=" + expires
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: e2etest.RootKeyID, SecretAccessKey: e2etest.RootSecret},
			req, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sts", "eu-central-1", at)
		if err != nil {
			t.Fatal(err)
		}
		get, _ := http.NewRequest(http.MethodGet, signed, nil)
		return send(t, get)
	}
	if r := presign(now, "60"); r.status != 200 || !strings.Contains(r.body, "<Arn>arn:aws:iam::123456789012:root</Arn>") {
		t.Fatalf("presigned: %d %s", r.status, r.body)
	}
	if e := wantError(t, presign(now.Add(-2*time.Minute), "60"), 403, "SignatureDoesNotMatch"); !strings.HasPrefix(e.Error.Message, "Signature expired") {
		t.Fatalf("expired presigned URL: %q", e.Error.Message)
	}

	// Unsigned and half-signed requests.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if e := wantError(t, send(t, req), 403, "MissingAuthenticationToken"); e.Error.Message != "Request is missing Authentication Token" {
		t.Fatalf("message %q", e.Error.Message)
	}
	req, _ = http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request")
	wantError(t, send(t, req), 400, "IncompleteSignature")
	wantError(t, signedPost(t, s, "iam", body, now, func(r *http.Request) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), e2etest.RootKeyID, "AKIAUNKNOWNKEY000000", 1))
	}), 403, "InvalidClientTokenId")
}
