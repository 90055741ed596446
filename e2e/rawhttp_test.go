package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// The wire, by hand: requests built and signed with aws-sdk-go-v2's SigV4
// signer on plain net/http requests, answers read as bytes.

// httpReply is one answer to a hand-made request.
type httpReply struct {
	status int
	header http.Header
	body   string
}

// xmlNode is any XML element, to check a document's exact shape.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []xmlNode  `xml:",any"`
}

func (n xmlNode) child(name string) (xmlNode, bool) {
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			return c, true
		}
	}
	return xmlNode{}, false
}

func (n xmlNode) names() []string {
	var s []string
	for _, c := range n.Children {
		s = append(s, c.XMLName.Local)
	}
	return s
}

// queryRequest builds an AWS Query request: a form POST, or a GET with the
// parameters in the query string.
func queryRequest(t *testing.T, s *e2etest.Server, method string, params url.Values) (*http.Request, []byte) {
	t.Helper()
	var body []byte
	u := s.URL + "/"
	if method == http.MethodGet {
		u += "?" + params.Encode()
	} else {
		body = []byte(params.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	return req, body
}

// signAt signs req (whose body is body) with c for service and region, as
// if at time at.
func signAt(t *testing.T, req *http.Request, body []byte, c e2etest.Creds, service, region string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.KeyID, SecretAccessKey: c.Secret},
		req, hex.EncodeToString(sum[:]), service, region, at)
	if err != nil {
		t.Fatal(err)
	}
}

// presignAt returns a presigned GET URL for params, valid for expires from at.
func presignAt(t *testing.T, s *e2etest.Server, params url.Values, c e2etest.Creds, service, region string, at time.Time, expires time.Duration) string {
	t.Helper()
	params.Set("X-Amz-Expires", fmt.Sprint(int(expires.Seconds())))
	req, _ := queryRequest(t, s, http.MethodGet, params)
	emptySum := sha256.Sum256(nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.KeyID, SecretAccessKey: c.Secret},
		req, hex.EncodeToString(emptySum[:]), service, region, at)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// doHTTP sends req and reads the answer; a 5xx fails the test: no request
// here may cause an internal failure.
func doHTTP(t *testing.T, req *http.Request) httpReply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s: HTTP %d (a server failure):\n%s", req.Method, req.URL, resp.StatusCode, b)
	}
	return httpReply{resp.StatusCode, resp.Header, string(b)}
}

// awsError is the content of AWS's Query ErrorResponse.
type awsError struct{ Type, Code, Message, RequestID string }

// wantErrorResponse checks an error answer has AWS's exact shape:
//
//	<ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code>
//	<Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
//
// with the status and code wanted, Content-Type text/xml, and an
// x-amzn-RequestId header equal to the body's RequestId.
func wantErrorResponse(t *testing.T, r httpReply, status int, code string) awsError {
	t.Helper()
	var root xmlNode
	if err := xml.Unmarshal([]byte(r.body), &root); err != nil {
		t.Fatalf("HTTP %d: body is not well-formed XML (%v):\n%s", r.status, err, r.body)
	}
	if root.XMLName.Local != "ErrorResponse" || strings.Join(root.names(), ",") != "Error,RequestId" {
		t.Fatalf("HTTP %d: not an ErrorResponse>{Error,RequestId}:\n%s", r.status, r.body)
	}
	e, _ := root.child("Error")
	if strings.Join(e.names(), ",") != "Type,Code,Message" {
		t.Fatalf("HTTP %d: Error holds %v, want Type,Code,Message:\n%s", r.status, e.names(), r.body)
	}
	get := func(n xmlNode, name string) string { c, _ := n.child(name); return c.Text }
	rid, _ := root.child("RequestId")
	got := awsError{Type: get(e, "Type"), Code: get(e, "Code"), Message: get(e, "Message"), RequestID: rid.Text}
	if r.status != status || got.Code != code {
		t.Fatalf("HTTP %d %s (%s), want %d %s", r.status, got.Code, got.Message, status, code)
	}
	if got.Type != "Sender" {
		t.Fatalf("%s: Type %q, want Sender", code, got.Type)
	}
	if got.Message == "" {
		t.Fatalf("%s without a message", code)
	}
	if got.RequestID == "" || r.header.Get("X-Amzn-Requestid") != got.RequestID {
		t.Fatalf("%s: x-amzn-RequestId header %q, body RequestId %q", code, r.header.Get("X-Amzn-Requestid"), got.RequestID)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		t.Fatalf("%s: Content-Type %q", code, ct)
	}
	return got
}

// wantResult checks a success answer: HTTP 200, <ActionResponse xmlns=ns>
// with ActionResult (when hasResult) and ResponseMetadata/RequestId equal
// to the x-amzn-RequestId header. It returns the result element.
func wantResult(t *testing.T, r httpReply, action, ns string, hasResult bool) xmlNode {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: HTTP %d:\n%s", action, r.status, r.body)
	}
	var root xmlNode
	if err := xml.Unmarshal([]byte(r.body), &root); err != nil {
		t.Fatalf("%s: body is not well-formed XML (%v):\n%s", action, err, r.body)
	}
	want := "ResponseMetadata"
	if hasResult {
		want = action + "Result,ResponseMetadata"
	}
	if root.XMLName.Local != action+"Response" || root.XMLName.Space != ns || strings.Join(root.names(), ",") != want {
		t.Fatalf("%s: root {%s}%s holding %v:\n%s", action, root.XMLName.Space, root.XMLName.Local, root.names(), r.body)
	}
	md, _ := root.child("ResponseMetadata")
	rid, _ := md.child("RequestId")
	if rid.Text == "" || r.header.Get("X-Amzn-Requestid") != rid.Text {
		t.Fatalf("%s: x-amzn-RequestId header %q, body RequestId %q", action, r.header.Get("X-Amzn-Requestid"), rid.Text)
	}
	res, _ := root.child(action + "Result")
	return res
}

const (
	iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"
)

func iamParams(action string, kv ...string) url.Values {
	v := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func stsParams(action string) url.Values {
	return url.Values{"Action": {action}, "Version": {"2011-06-15"}}
}

func TestRawHTTP(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	bob := newUserWithKey(t, s, "Bob")
	now := time.Now().UTC()

	t.Run("Healthz", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/healthz", nil)
		if r := doHTTP(t, req); r.status != http.StatusOK {
			t.Fatalf("/healthz: HTTP %d %s", r.status, r.body)
		}
	})

	t.Run("UnsignedPOST", func(t *testing.T) {
		req, _ := queryRequest(t, s, http.MethodPost, iamParams("ListUsers"))
		e := wantErrorResponse(t, doHTTP(t, req), http.StatusForbidden, "MissingAuthenticationToken")
		wantMessage(t, e.Message, "Request is missing Authentication Token")
	})
	t.Run("UnsignedGET", func(t *testing.T) {
		req, _ := queryRequest(t, s, http.MethodGet, stsParams("GetCallerIdentity"))
		wantErrorResponse(t, doHTTP(t, req), http.StatusForbidden, "MissingAuthenticationToken")
	})

	t.Run("UnknownAction", func(t *testing.T) {
		req, body := queryRequest(t, s, http.MethodPost, iamParams("Frobnicate"))
		signAt(t, req, body, e2etest.Root, "iam", "us-east-1", time.Now())
		e := wantErrorResponse(t, doHTTP(t, req), http.StatusBadRequest, "InvalidAction")
		wantMessage(t, e.Message, "Could not find operation Frobnicate for version 2010-05-08")
	})

	t.Run("SignedPOST", func(t *testing.T) {
		req, body := queryRequest(t, s, http.MethodPost, iamParams("GetUser", "UserName", "Bob"))
		signAt(t, req, body, e2etest.Root, "iam", "us-east-1", time.Now())
		res := wantResult(t, doHTTP(t, req), "GetUser", iamNS, true)
		u, _ := res.child("User")
		if name, _ := u.child("UserName"); name.Text != "Bob" {
			t.Fatalf("GetUser result %+v", res)
		}
	})

	t.Run("SignedGET", func(t *testing.T) {
		req, body := queryRequest(t, s, http.MethodGet, iamParams("GetUser", "UserName", "Bob"))
		signAt(t, req, body, e2etest.Root, "iam", "us-east-1", time.Now())
		res := wantResult(t, doHTTP(t, req), "GetUser", iamNS, true)
		u, _ := res.child("User")
		if arn, _ := u.child("Arn"); arn.Text != "arn:aws:iam::123456789012:user/Bob" {
			t.Fatalf("GetUser by GET: %+v", u)
		}
		req, body = queryRequest(t, s, http.MethodGet, stsParams("GetCallerIdentity"))
		signAt(t, req, body, bob, "sts", "eu-central-1", time.Now())
		res = wantResult(t, doHTTP(t, req), "GetCallerIdentity", stsNS, true)
		if arn, _ := res.child("Arn"); arn.Text != "arn:aws:iam::123456789012:user/Bob" {
			t.Fatalf("GetCallerIdentity by GET: %+v", res)
		}
	})

	t.Run("NoResultElement", func(t *testing.T) {
		// Actions with no output (TagUser) answer with ResponseMetadata only.
		req, body := queryRequest(t, s, http.MethodPost, iamParams("TagUser", "UserName", "Bob", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v"))
		signAt(t, req, body, e2etest.Root, "iam", "us-east-1", time.Now())
		wantResult(t, doHTTP(t, req), "TagUser", iamNS, false)
	})

	t.Run("Presigned", func(t *testing.T) {
		u := presignAt(t, s, stsParams("GetCallerIdentity"), bob, "sts", "us-east-1", time.Now(), 5*time.Minute)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
		res := wantResult(t, doHTTP(t, req), "GetCallerIdentity", stsNS, true)
		if arn, _ := res.child("Arn"); arn.Text != "arn:aws:iam::123456789012:user/Bob" {
			t.Fatalf("presigned GetCallerIdentity: %+v", res)
		}
	})

	t.Run("PresignedExpired", func(t *testing.T) {
		// Signed 10 minutes ago, valid for 60 seconds.
		u := presignAt(t, s, stsParams("GetCallerIdentity"), bob, "sts", "us-east-1", now.Add(-10*time.Minute), time.Minute)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
		r := doHTTP(t, req)
		e := wantErrorResponse(t, r, http.StatusForbidden, "SignatureDoesNotMatch")
		if !strings.HasPrefix(e.Message, "Signature expired: ") {
			t.Fatalf("expired presigned URL: %q", e.Message)
		}
	})

	t.Run("PresignedTampered", func(t *testing.T) {
		u := presignAt(t, s, stsParams("GetCallerIdentity"), bob, "sts", "us-east-1", time.Now(), time.Minute)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, strings.Replace(u, "X-Amz-Expires=60", "X-Amz-Expires=600", 1), nil)
		wantErrorResponse(t, doHTTP(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
	})

	t.Run("DatedTwentyMinutesAgo", func(t *testing.T) {
		at := now.Add(-20 * time.Minute)
		req, body := queryRequest(t, s, http.MethodPost, stsParams("GetCallerIdentity"))
		signAt(t, req, body, bob, "sts", "us-east-1", at)
		e := wantErrorResponse(t, doHTTP(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
		// "Signature expired: 20130524T000000Z is now earlier than
		// 20130524T000500Z (20130524T002000Z - 15 min.)"
		prefix := "Signature expired: " + at.Format("20060102T150405Z") + " is now earlier than "
		if !strings.HasPrefix(e.Message, prefix) || !strings.HasSuffix(e.Message, " - 15 min.)") {
			t.Fatalf("message %q, want %q…(… - 15 min.)", e.Message, prefix)
		}
	})

	t.Run("DatedTwentyMinutesAhead", func(t *testing.T) {
		at := now.Add(20 * time.Minute)
		req, body := queryRequest(t, s, http.MethodPost, iamParams("ListUsers"))
		signAt(t, req, body, e2etest.Root, "iam", "us-east-1", at)
		e := wantErrorResponse(t, doHTTP(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
		prefix := "Signature not yet current: " + at.Format("20060102T150405Z") + " is still later than "
		if !strings.HasPrefix(e.Message, prefix) || !strings.HasSuffix(e.Message, " + 15 min.)") {
			t.Fatalf("message %q, want %q…(… + 15 min.)", e.Message, prefix)
		}
	})

	t.Run("BodyChangedAfterSigning", func(t *testing.T) {
		req, body := queryRequest(t, s, http.MethodPost, iamParams("GetUser", "UserName", "Bob"))
		signAt(t, req, body, e2etest.Root, "iam", "us-east-1", time.Now())
		tampered := strings.Replace(string(body), "Bob", "Eve", 1)
		req.Body = io.NopCloser(strings.NewReader(tampered))
		wantErrorResponse(t, doHTTP(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
	})

	t.Run("UnknownKeyRaw", func(t *testing.T) {
		req, body := queryRequest(t, s, http.MethodPost, stsParams("GetCallerIdentity"))
		signAt(t, req, body, e2etest.Creds{KeyID: "AKIAZZZZZZZZZZZZZZZZ", Secret: "x"}, "sts", "us-east-1", time.Now())
		e := wantErrorResponse(t, doHTTP(t, req), http.StatusForbidden, "InvalidClientTokenId")
		wantMessage(t, e.Message, "The security token included in the request is invalid.")
	})

	t.Run("ErrorBodiesNamespaced", func(t *testing.T) {
		// IAM's and STS's errors carry their own namespaces.
		for _, tc := range []struct {
			service string
			params  url.Values
			ns      string
		}{
			{"iam", iamParams("GetUser", "UserName", "nobody"), iamNS},
			{"sts", url.Values{"Action": {"GetAccessKeyInfo"}, "Version": {"2011-06-15"}, "AccessKeyId": {"x"}}, stsNS},
		} {
			req, body := queryRequest(t, s, http.MethodPost, tc.params)
			signAt(t, req, body, e2etest.Root, tc.service, "us-east-1", time.Now())
			r := doHTTP(t, req)
			var root xmlNode
			if err := xml.Unmarshal([]byte(r.body), &root); err != nil || root.XMLName.Space != tc.ns {
				t.Fatalf("%s error: namespace %q (%v), want %q", tc.service, root.XMLName.Space, err, tc.ns)
			}
		}
	})
}
