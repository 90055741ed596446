package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsv4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Requests signed by a real signer (aws-sdk-go-v2's), verified both as the
// client built them and after a trip through Go's HTTP server.

var sdkCreds = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

type sdkCase struct {
	name    string
	method  string
	path    string // as on the wire, escaped
	query   string // raw
	body    string
	header  map[string]string
	host    string // req.Host override
	service string
	region  string
	token   string
	presign bool
	expires string // X-Amz-Expires when presigned
}

func sdkCases() []sdkCase {
	const listUsers = "Action=ListUsers&Version=2010-05-08"
	const form = "application/x-www-form-urlencoded; charset=utf-8"
	const gci = "Action=GetCallerIdentity&Version=2011-06-15"
	return []sdkCase{
		{name: "iam POST form", method: "POST", path: "/", body: listUsers, header: map[string]string{"Content-Type": form}, service: "iam", region: "us-east-1"},
		{name: "iam POST path prefix", method: "POST", path: "/", body: listUsers + "&PathPrefix=%2Fdivision_abc%2Fsubdivision_xyz%2F", header: map[string]string{"Content-Type": form}, service: "iam", region: "us-east-1"},
		{name: "sts POST session token", method: "POST", path: "/", body: gci, header: map[string]string{"Content-Type": form}, service: "sts", region: "eu-west-3", token: "FwoGZXIvYXdzEXAMPLE//token+/="},
		{name: "sts POST china", method: "POST", path: "/", body: gci, header: map[string]string{"Content-Type": form}, service: "sts", region: "cn-north-1"},
		{name: "iam POST govcloud host override", method: "POST", path: "/", body: listUsers, header: map[string]string{"Content-Type": form}, host: "iam.us-gov.amazonaws.com", service: "iam", region: "us-gov-west-1"},
		{name: "iam POST extra signed headers", method: "POST", path: "/", body: listUsers, header: map[string]string{"Content-Type": form, "X-Amz-Meta-Spaces": "  a   b  ", "Accept": "text/xml"}, service: "iam", region: "us-east-1"},
		{name: "iam GET query", method: "GET", path: "/", query: listUsers + "&MaxItems=10", service: "iam", region: "ap-southeast-2"},
		{name: "iam GET query needing encoding", method: "GET", path: "/", query: "Action=TagUser&UserName=al%20ice&Tags.member.1.Key=a%2Fb&Tags.member.1.Value=a-b&Tags.member.2.Key=caf%C3%A9&Tags.member.2.Value=x%2By%3Dz%26w~", service: "iam", region: "us-east-1"},
		{name: "iam GET escaped path", method: "GET", path: "/some%20path/caf%C3%A9/a-b_c.d~e", query: listUsers, service: "iam", region: "us-east-1"},
		{name: "sts GET empty query value", method: "GET", path: "/", query: gci + "&Empty=", service: "sts", region: "us-west-2"},
		{name: "presigned sts GET", method: "GET", path: "/", query: gci, service: "sts", region: "us-east-1", presign: true, expires: "900"},
		{name: "presigned sts GET session token", method: "GET", path: "/", query: gci, service: "sts", region: "eu-central-1", token: "FwoGZXIvYXdzEXAMPLE//token+/=", presign: true, expires: "60"},
		{name: "presigned sts GET no expiry", method: "GET", path: "/", query: gci, service: "sts", region: "ap-northeast-1", presign: true},
		{name: "presigned iam GET max expiry", method: "GET", path: "/", query: listUsers, service: "iam", region: "us-east-1", presign: true, expires: "604800"},
		{name: "presigned sts POST body", method: "POST", path: "/", body: gci, header: map[string]string{"Content-Type": form}, service: "sts", region: "sa-east-1", presign: true, expires: "300"},
		{name: "presigned sts GET signed header", method: "GET", path: "/", query: gci, header: map[string]string{"X-K8s-Aws-Id": "my-cluster"}, service: "sts", region: "us-east-1", presign: true, expires: "60"},
	}
}

// sign returns the request signed (or presigned) by aws-sdk-go-v2 for
// baseURL, and its body.
func (c sdkCase) sign(t testing.TB, baseURL string, at time.Time) (*http.Request, []byte) {
	t.Helper()
	u := baseURL + c.path
	if c.query != "" || c.expires != "" {
		q := c.query
		if c.expires != "" {
			q += "&X-Amz-Expires=" + c.expires
		}
		u += "?" + strings.TrimPrefix(q, "&")
	}
	body := []byte(c.body)
	req, err := http.NewRequestWithContext(t.Context(), c.method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(body) == 0 {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	if c.host != "" {
		req.Host = c.host
	}
	creds := sdkCreds
	creds.SessionToken = c.token
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	signer := awsv4.NewSigner()
	if !c.presign {
		if err := signer.SignHTTP(t.Context(), creds, req, hash, c.service, c.region, at); err != nil {
			t.Fatal(err)
		}
		return req, body
	}
	signedURL, signedHeader, err := signer.PresignHTTP(t.Context(), creds, req, hash, c.service, c.region, at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequestWithContext(t.Context(), c.method, signedURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(body) == 0 {
		out.Body, out.ContentLength = http.NoBody, 0
	}
	for k, v := range signedHeader {
		if k == "Host" {
			out.Host = v[0]
			continue
		}
		out.Header[k] = v
	}
	for k, v := range c.header { // unsigned headers a client still sends
		if out.Header.Get(k) == "" {
			out.Header.Set(k, v)
		}
	}
	if c.host != "" {
		out.Host = c.host
	}
	return out, body
}

func TestSDKSignedDirect(t *testing.T) {
	at := time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)
	for _, c := range sdkCases() {
		t.Run(c.name, func(t *testing.T) {
			req, body := c.sign(t, "https://"+c.service+".amazonaws.com", at)
			s, err := Parse(req, body, at.Add(30*time.Second))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if s.Presigned != c.presign || s.Region != c.region || s.Service != c.service || s.AccessKeyID != sdkCreds.AccessKeyID || s.SecurityToken != c.token {
				t.Fatalf("Parse = %+v", s)
			}
			if err := s.Verify(sdkCreds.SecretAccessKey, nil); err != nil {
				var e *Error
				errors.As(err, &e)
				creq, _ := e.Debug()
				t.Fatalf("Verify: %v\ncanonical request:\n%s", err, creq)
			}
			if err := s.Verify("wrong"+sdkCreds.SecretAccessKey, nil); !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("Verify with a wrong secret = %v", err)
			}
		})
	}
}

// verifyHandler answers 200 when the request verifies against sdkCreds at
// the clock's time, else the error's status and message.
func verifyHandler(t *testing.T, clock func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s, err := Parse(r, body, clock())
		if err == nil {
			err = s.Verify(sdkCreds.SecretAccessKey, sharedCache)
		}
		var e *Error
		switch {
		case err == nil:
			io.WriteString(w, "ok "+s.Service+" "+s.Region)
		case errors.As(err, &e):
			creq, _ := e.Debug()
			http.Error(w, e.Kind.Code()+": "+e.Message+"\n"+creq, e.Kind.HTTPStatus())
		default:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
}

var sharedCache = NewSigningKeyCache(64)

func TestSDKSignedThroughServer(t *testing.T) {
	srv := httptest.NewServer(verifyHandler(t, time.Now))
	t.Cleanup(srv.Close)
	for _, c := range sdkCases() {
		t.Run(c.name, func(t *testing.T) {
			req, _ := c.sign(t, srv.URL, time.Now())
			status, answer := send(t, srv.Client(), req)
			if status != http.StatusOK || answer != "ok "+c.service+" "+c.region {
				t.Fatalf("%d %s", status, answer)
			}
		})
	}
	t.Run("tampered body", func(t *testing.T) {
		c := sdkCases()[0]
		req, body := c.sign(t, srv.URL, time.Now())
		body = bytes.Replace(body, []byte("ListUsers"), []byte("ListRoles"), 1)
		req.Body = io.NopCloser(bytes.NewReader(body))
		if status, answer := send(t, srv.Client(), req); status != http.StatusForbidden || !strings.HasPrefix(answer, "SignatureDoesNotMatch: "+MismatchMessage) {
			t.Fatalf("%d %s", status, answer)
		}
	})
	t.Run("tampered presigned query", func(t *testing.T) {
		c := sdkCases()[10]
		req, _ := c.sign(t, srv.URL, time.Now())
		req.URL.RawQuery = strings.Replace(req.URL.RawQuery, "GetCallerIdentity", "GetSessionToken", 1)
		if status, answer := send(t, srv.Client(), req); status != http.StatusForbidden || !strings.HasPrefix(answer, "SignatureDoesNotMatch: ") {
			t.Fatalf("%d %s", status, answer)
		}
	})
	t.Run("expired presigned", func(t *testing.T) {
		c := sdkCases()[11] // X-Amz-Expires=60
		req, _ := c.sign(t, srv.URL, time.Now().Add(-2*time.Minute))
		if status, answer := send(t, srv.Client(), req); status != http.StatusForbidden || !strings.HasPrefix(answer, "SignatureDoesNotMatch: Signature expired: ") {
			t.Fatalf("%d %s", status, answer)
		}
	})
}

func send(t *testing.T, c *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// TestSDKPresignedIsURLOnly checks that a presigned URL alone (no header
// besides what any HTTP client sends) verifies: what a browser or curl
// would do with it.
func TestSDKPresignedIsURLOnly(t *testing.T) {
	srv := httptest.NewServer(verifyHandler(t, time.Now))
	t.Cleanup(srv.Close)
	c := sdkCases()[10]
	req, _ := c.sign(t, srv.URL, time.Now())
	u, err := url.Parse(req.URL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}
