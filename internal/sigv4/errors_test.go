package sigv4

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const (
	testKeyID  = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testSig    = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
)

// errNow is the server clock of the error cases: 2026-11-23 14:30:00 UTC.
var errNow = time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)

func authz(cred, signed, sig string) string {
	return "AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=" + signed + ", Signature=" + sig
}

func newTestRequest(t *testing.T, method, target string, header map[string]string) *http.Request {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), method, target, nil)
	r.Host = "iam.amazonaws.com"
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

// signTest signs r in place (header form) with the package's own stages,
// for cases that need a valid signature; the vectors and the SDK tests
// anchor those stages.
func signTest(t *testing.T, r *http.Request, body []byte, secret string, at time.Time, region, service string) {
	t.Helper()
	signWith(t, r, PayloadHash(body), []string{"host", "x-amz-date"}, secret, at, region, service)
}

// signWith signs r with an explicit payload hash and signed headers.
func signWith(t *testing.T, r *http.Request, payloadHash string, signed []string, secret string, at time.Time, region, service string) {
	t.Helper()
	r.Header.Set("X-Amz-Date", at.UTC().Format(TimeFormat))
	h := r.Header.Clone()
	h.Set("Host", r.Host)
	creq := CanonicalRequest(r.Method, requestPath(r), r.URL.RawQuery, h, signed, payloadHash)
	scope := at.UTC().Format(dateFormat) + "/" + region + "/" + service + "/aws4_request"
	sig := Signature(DeriveSigningKey(secret, at.UTC().Format(dateFormat), region, service), StringToSign(at, scope, creq))
	r.Header.Set("Authorization", authz(testKeyID+"/"+scope, strings.Join(signed, ";"), sig))
}

func TestParseErrors(t *testing.T) {
	const (
		date  = "20261123T143000Z"
		cred  = testKeyID + "/20261123/us-east-1/iam/aws4_request"
		sh    = "host;x-amz-date"
		query = "Action=GetCallerIdentity&Version=2011-06-15"
	)
	good := authz(cred, sh, testSig)
	presign := func(extra string) string {
		return "/?" + query + "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + strings.ReplaceAll(cred, "/", "%2F") +
			"&X-Amz-SignedHeaders=host&X-Amz-Signature=" + testSig + extra
	}
	cases := []struct {
		name     string
		target   string
		header   map[string]string
		kind     Kind   // 0: accepted by Parse
		message  string // exact
		returned bool   // a *SignedRequest comes back with the error
	}{
		{name: "no authentication", target: "/", kind: MissingAuth, message: "Request is missing Authentication Token"},
		{name: "no authentication, query has other X-Amz params", target: "/?X-Amz-Date=" + date + "&X-Amz-Expires=60", kind: MissingAuth, message: "Request is missing Authentication Token"},
		{name: "empty Authorization", target: "/", header: map[string]string{"Authorization": "  "}, kind: MissingAuth, message: "Request is missing Authentication Token"},
		{name: "valid header form", target: "/", header: map[string]string{"Authorization": good, "X-Amz-Date": date}},
		{name: "Date header instead of X-Amz-Date", target: "/", header: map[string]string{"Authorization": authz(cred, "date;host", testSig), "Date": "Mon, 23 Nov 2026 14:30:00 GMT"}},
		{
			name: "algorithm only", target: "/", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256", "X-Amz-Date": date}, kind: Incomplete,
			message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256",
		},
		{
			name: "everything missing", target: "/", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 "}, kind: Incomplete,
			message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256",
		},
		{
			name: "missing Credential", target: "/", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=" + testSig, "X-Amz-Date": date}, kind: Incomplete,
			message: "Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=" + testSig,
		},
		{
			name: "missing Signature", target: "/", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host;x-amz-date", "X-Amz-Date": date}, kind: Incomplete,
			message: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host;x-amz-date",
		},
		{
			name: "missing SignedHeaders", target: "/", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=" + cred + ", Signature=" + testSig, "X-Amz-Date": date}, kind: Incomplete,
			message: "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + cred + ", Signature=" + testSig,
		},
		{
			name: "empty Signature value", target: "/", header: map[string]string{"Authorization": authz(cred, sh, ""), "X-Amz-Date": date}, kind: Incomplete,
			message: "Authorization header requires 'Signature' parameter. Authorization=" + authz(cred, sh, ""),
		},
		{
			name: "missing date", target: "/", header: map[string]string{"Authorization": good}, kind: Incomplete,
			message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + good,
		},
		{
			name: "part without equal sign", target: "/", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential", "X-Amz-Date": date}, kind: Incomplete,
			message: "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential'.",
		},
		{name: "unsupported algorithm", target: "/", header: map[string]string{"Authorization": "AWS4-HMAC-SHA512 Credential=" + cred, "X-Amz-Date": date}, kind: Incomplete, message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"},
		{name: "SigV2 header", target: "/", header: map[string]string{"Authorization": "AWS AKIDEXAMPLE:c2lnbmF0dXJl", "X-Amz-Date": date}, kind: Incomplete, message: "Unsupported AWS 'algorithm': 'AWS'"},
		{name: "SigV4a", target: "/", header: map[string]string{"Authorization": "AWS4-ECDSA-P256-SHA256 Credential=" + cred, "X-Amz-Date": date}, kind: Incomplete, message: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'"},
		{
			name: "malformed X-Amz-Date", target: "/", header: map[string]string{"Authorization": good, "X-Amz-Date": "2026-11-23T14:30:00Z"}, kind: Incomplete,
			message: "Date must be in ISO-8601 'basic format'. Got '2026-11-23T14:30:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name: "credential with four parts", target: "/", header: map[string]string{"Authorization": authz(testKeyID+"/20261123/us-east-1/iam", sh, testSig), "X-Amz-Date": date}, kind: Incomplete,
			message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + testKeyID + "/20261123/us-east-1/iam'",
		},
		{
			name: "credential without key id", target: "/", header: map[string]string{"Authorization": authz("/20261123/us-east-1/iam/aws4_request", sh, testSig), "X-Amz-Date": date}, kind: Incomplete,
			message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '/20261123/us-east-1/iam/aws4_request'",
		},
		{
			name: "scope date differs", target: "/", header: map[string]string{"Authorization": authz(testKeyID+"/20261122/us-east-1/iam/aws4_request", sh, testSig), "X-Amz-Date": date}, kind: SignatureMismatch, returned: true,
			message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261122' != '20261123', from '20261123T143000Z'.",
		},
		{name: "empty region", target: "/", header: map[string]string{"Authorization": authz(testKeyID+"/20261123//iam/aws4_request", sh, testSig), "X-Amz-Date": date}, kind: SignatureMismatch, returned: true, message: "Credential should be scoped to a valid region. "},
		{name: "any region", target: "/", header: map[string]string{"Authorization": authz(testKeyID+"/20261123/mars-north-7/sts/aws4_request", sh, testSig), "X-Amz-Date": date}},
		{
			name: "bad terminator", target: "/", header: map[string]string{"Authorization": authz(testKeyID+"/20261123/us-east-1/iam/aws5_request", sh, testSig), "X-Amz-Date": date}, kind: SignatureMismatch, returned: true,
			message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
		},
		{name: "host not signed", target: "/", header: map[string]string{"Authorization": authz(cred, "x-amz-date", testSig), "X-Amz-Date": date}, kind: SignatureMismatch, returned: true, message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{
			name: "skew: 2h30 old", target: "/", header: map[string]string{"Authorization": good, "X-Amz-Date": "20261123T120000Z"}, kind: Expired, returned: true,
			message: "Signature expired: 20261123T120000Z is now earlier than 20261123T141500Z (20261123T143000Z - 15 min.)",
		},
		{
			name: "skew: 30 min ahead", target: "/", header: map[string]string{"Authorization": good, "X-Amz-Date": "20261123T150000Z"}, kind: Expired, returned: true,
			message: "Signature not yet current: 20261123T150000Z is still later than 20261123T144500Z (20261123T143000Z + 15 min.)",
		},
		{name: "skew: exactly 15 min old", target: "/", header: map[string]string{"Authorization": good, "X-Amz-Date": "20261123T141500Z"}},
		{name: "skew: exactly 15 min ahead", target: "/", header: map[string]string{"Authorization": good, "X-Amz-Date": "20261123T144500Z"}},
		{
			name: "skew: 15 min 1 s old", target: "/", header: map[string]string{"Authorization": good, "X-Amz-Date": "20261123T141459Z"}, kind: Expired, returned: true,
			message: "Signature expired: 20261123T141459Z is now earlier than 20261123T141500Z (20261123T143000Z - 15 min.)",
		},

		// Presigned.
		{name: "presigned valid", target: presign("&X-Amz-Date=" + date + "&X-Amz-Expires=60")},
		{name: "presigned without expiry, within skew", target: presign("&X-Amz-Date=20261123T142000Z")},
		{
			name: "presigned without expiry, past skew", target: presign("&X-Amz-Date=20261123T140000Z"), kind: Expired, returned: true,
			message: "Signature expired: 20261123T140000Z is now earlier than 20261123T141500Z (20261123T143000Z - 15 min.)",
		},
		{
			name: "presigned missing all but algorithm", target: "/?X-Amz-Algorithm=AWS4-HMAC-SHA256", kind: Incomplete,
			message: "AWS query-string parameters must include 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'. Re-examine the query-string parameters.",
		},
		{
			name: "presigned missing algorithm and date", target: "/?X-Amz-Credential=" + cred + "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + testSig, kind: Incomplete,
			message: "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Date'. Re-examine the query-string parameters.",
		},
		{name: "presigned bad algorithm", target: "/?X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=" + cred + "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + testSig + "&X-Amz-Date=" + date, kind: Incomplete, message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'"},
		{
			name: "presigned bad date", target: presign("&X-Amz-Date=20261323T143000Z"), kind: Incomplete,
			message: "Date must be in ISO-8601 'basic format'. Got '20261323T143000Z'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name: "presigned expired", target: presign("&X-Amz-Date=20261123T142800Z&X-Amz-Expires=60"), kind: Expired, returned: true,
			message: "Signature expired: 20261123T142900Z is now earlier than 20261123T143000Z (20261123T143000Z - 0 min.)",
		},
		{name: "presigned last valid second", target: presign("&X-Amz-Date=20261123T142900Z&X-Amz-Expires=60")},
		{name: "presigned a week old, max expiry", target: strings.Replace(presign("&X-Amz-Date=20261116T143000Z&X-Amz-Expires=604800"), "%2F20261123%2F", "%2F20261116%2F", 1)},
		{
			name: "presigned not yet current", target: presign("&X-Amz-Date=20261123T150000Z&X-Amz-Expires=60"), kind: Expired, returned: true,
			message: "Signature not yet current: 20261123T150000Z is still later than 20261123T144500Z (20261123T143000Z + 15 min.)",
		},
		{name: "presigned expires 0", target: presign("&X-Amz-Date=" + date + "&X-Amz-Expires=0"), kind: Incomplete, returned: true, message: "X-Amz-Expires must be greater than 0"},
		{name: "presigned expires negative", target: presign("&X-Amz-Date=" + date + "&X-Amz-Expires=-1"), kind: Incomplete, returned: true, message: "X-Amz-Expires must be non-negative"},
		{name: "presigned expires over a week", target: presign("&X-Amz-Date=" + date + "&X-Amz-Expires=604801"), kind: Incomplete, returned: true, message: "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{name: "presigned expires not a number", target: presign("&X-Amz-Date=" + date + "&X-Amz-Expires=1h"), kind: Incomplete, returned: true, message: "X-Amz-Expires should be a number"},
		{name: "presigned host not signed", target: strings.Replace(presign("&X-Amz-Date="+date), "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date", 1), kind: SignatureMismatch, returned: true, message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newTestRequest(t, http.MethodGet, c.target, c.header)
			s, err := Parse(r, nil, errNow)
			if c.kind == 0 {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if s == nil || s.AccessKeyID != testKeyID {
					t.Fatalf("Parse = %+v", s)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse error = %v (%T), want an *Error", err, err)
			}
			if e.Kind != c.kind || e.Message != c.message {
				t.Fatalf("Parse error = %v: %q\nwant %v: %q", e.Kind, e.Message, c.kind, c.message)
			}
			sentinel := map[Kind]error{MissingAuth: ErrMissingAuth, Incomplete: ErrIncomplete, Expired: ErrExpired, SignatureMismatch: ErrSignatureMismatch}[c.kind]
			if !errors.Is(err, sentinel) {
				t.Fatalf("errors.Is(%v, %v) = false", err, sentinel)
			}
			for _, other := range []error{ErrMissingAuth, ErrIncomplete, ErrExpired, ErrSignatureMismatch} {
				if other != sentinel && errors.Is(err, other) {
					t.Fatalf("errors.Is(%v, %v) = true", err, other)
				}
			}
			if (s != nil) != c.returned {
				t.Fatalf("Parse returned %+v with the error, want returned=%v", s, c.returned)
			}
			if s != nil && s.AccessKeyID != testKeyID {
				t.Fatalf("the returned request has access key id %q", s.AccessKeyID)
			}
		})
	}
}

func TestKindCodes(t *testing.T) {
	cases := []struct {
		kind   Kind
		code   string
		status int
	}{
		{MissingAuth, "MissingAuthenticationToken", 403},
		{Incomplete, "IncompleteSignature", 400},
		{Expired, "SignatureDoesNotMatch", 403},
		{SignatureMismatch, "SignatureDoesNotMatch", 403},
	}
	for _, c := range cases {
		t.Run(c.kind.String(), func(t *testing.T) {
			if c.kind.Code() != c.code || c.kind.HTTPStatus() != c.status {
				t.Fatalf("%v: %s %d, want %s %d", c.kind, c.kind.Code(), c.kind.HTTPStatus(), c.code, c.status)
			}
		})
	}
}

func TestVerifyErrors(t *testing.T) {
	body := []byte("Action=ListUsers&Version=2010-05-08")
	cases := []struct {
		name   string
		secret string                              // Verify's secret
		change func(t *testing.T, r *http.Request) // after signing
		body   func(b []byte) []byte               // body handed to Parse
		want   error                               // nil: accepted
		check  func(t *testing.T, e *Error)        // extra checks on the error
	}{
		{name: "right secret", secret: testSecret},
		{name: "wrong secret", secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz", want: ErrSignatureMismatch},
		{name: "empty secret", secret: "", want: ErrSignatureMismatch},
		{name: "body changed", secret: testSecret, body: func(b []byte) []byte { return append(b, '&') }, want: ErrSignatureMismatch},
		{name: "signature upper-cased", secret: testSecret, change: func(t *testing.T, r *http.Request) {
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
		}, want: ErrSignatureMismatch},
		{name: "signature truncated", secret: testSecret, change: func(t *testing.T, r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-2])
		}, want: ErrSignatureMismatch},
		{name: "x-amz-content-sha256 equal to the body hash", secret: testSecret, change: func(t *testing.T, r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", PayloadHash(body))
			signWith(t, r, PayloadHash(body), []string{"host", "x-amz-content-sha256", "x-amz-date"}, testSecret, errNow, "us-east-1", "iam")
		}},
		{name: "x-amz-content-sha256 UNSIGNED-PAYLOAD refused", secret: testSecret, change: func(t *testing.T, r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			signWith(t, r, "UNSIGNED-PAYLOAD", []string{"host", "x-amz-content-sha256", "x-amz-date"}, testSecret, errNow, "us-east-1", "iam")
		}, want: ErrSignatureMismatch},
		{name: "x-amz-content-sha256 of another body refused", secret: testSecret, change: func(t *testing.T, r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", PayloadHash([]byte("Action=DeleteUser")))
			signWith(t, r, PayloadHash([]byte("Action=DeleteUser")), []string{"host", "x-amz-content-sha256", "x-amz-date"}, testSecret, errNow, "us-east-1", "iam")
		}, want: ErrSignatureMismatch},
		{name: "mismatch never reveals the canonical request", secret: "wrong", want: ErrSignatureMismatch, check: func(t *testing.T, e *Error) {
			creq, sts := e.Debug()
			if !strings.HasPrefix(creq, "POST\n/\n\n") || !strings.HasPrefix(sts, Algorithm+"\n20261123T143000Z\n20261123/us-east-1/iam/aws4_request\n") {
				t.Fatalf("Debug() = %q, %q", creq, sts)
			}
			if e.Message != MismatchMessage || strings.Contains(e.Error(), "POST") {
				t.Fatalf("the error %q reveals more than AWS's message", e.Error())
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newTestRequest(t, http.MethodPost, "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			signTest(t, r, body, testSecret, errNow, "us-east-1", "iam")
			if c.change != nil {
				c.change(t, r)
			}
			b := body
			if c.body != nil {
				b = c.body(append([]byte(nil), body...))
			}
			s, err := Parse(r, b, errNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			for _, cache := range []*SigningKeyCache{nil, NewSigningKeyCache(4)} {
				err := s.Verify(c.secret, cache)
				if c.want == nil {
					if err != nil {
						t.Fatalf("Verify: %v", err)
					}
					continue
				}
				var e *Error
				if !errors.Is(err, c.want) || !errors.As(err, &e) {
					t.Fatalf("Verify = %v, want %v", err, c.want)
				}
				if e.Message != MismatchMessage || e.Error() != "SignatureDoesNotMatch: "+MismatchMessage {
					t.Fatalf("Verify message = %q", e.Error())
				}
				if c.check != nil {
					c.check(t, e)
				}
			}
		})
	}
}
