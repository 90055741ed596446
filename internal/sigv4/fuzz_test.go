package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets' seed corpora live in testdata/fuzz/<FuzzName>/, so a
// plain go test replays them; run one with
//
//	go test -run XXX -fuzz FuzzParseAuthorization ./internal/sigv4

var fuzzNow = time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)

// checkParseResult holds every Parse outcome to the package's contracts.
func checkParseResult(t *testing.T, s *SignedRequest, err error) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Parse error %v (%T) is not an *Error", err, err)
		}
		if e.Kind < MissingAuth || e.Kind > SignatureMismatch || e.Message == "" {
			t.Fatalf("Parse error %#v has no kind or message", e)
		}
		if !utf8.ValidString(e.Message) || len(e.Message) > 4*maxEcho {
			t.Fatalf("Parse error message is invalid UTF-8 or unbounded (%d bytes)", len(e.Message))
		}
		if c, st := e.Debug(); c != "" || st != "" {
			t.Fatal("Parse error carries debug output")
		}
		if s == nil {
			return
		}
	}
	if s == nil {
		t.Fatal("Parse returned neither a request nor an error")
	}
	if s.AccessKeyID == "" {
		t.Fatalf("Parse returned a request without an access key id: %+v", s)
	}
	if err == nil {
		hasHost := false
		for _, h := range s.SignedHeaders {
			hasHost = hasHost || strings.EqualFold(h, "host")
		}
		if !hasHost || s.Date != s.Time.UTC().Format(dateFormat) || s.Region == "" {
			t.Fatalf("Parse accepted %+v", s)
		}
		// Verifying a fuzzed request must fail cleanly (the signature is not
		// the secret's), never panic.
		if err := s.Verify("fuzz-secret", fuzzCache); err == nil {
			t.Fatalf("a fuzzed signature verified: %+v", s)
		} else if !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("Verify = %v", err)
		}
	}
}

var fuzzCache = NewSigningKeyCache(16)

func FuzzParseAuthorization(f *testing.F) {
	f.Add(authz("AKIDEXAMPLE/20261123/us-east-1/iam/aws4_request", "host;x-amz-date", testSig), "20261123T143000Z", "")
	f.Fuzz(func(t *testing.T, authorization, amzDate, date string) {
		a, perr := parseAuthorization(authorization)
		if perr != nil && (perr.Kind != Incomplete || perr.Message == "") {
			t.Fatalf("parseAuthorization error %#v", perr)
		}
		if perr == nil && !strings.HasPrefix(authorization, Algorithm) {
			t.Fatalf("parseAuthorization accepted %q as %+v", authorization, a)
		}
		r := &http.Request{Method: "POST", URL: &url.URL{Path: "/"}, Host: "iam.amazonaws.com", Header: http.Header{}}
		r.Header["Authorization"] = []string{authorization}
		if amzDate != "" {
			r.Header["X-Amz-Date"] = []string{amzDate}
		}
		if date != "" {
			r.Header["Date"] = []string{date}
		}
		s, err := Parse(r, []byte("Action=ListUsers"), fuzzNow)
		checkParseResult(t, s, err)
	})
}

func FuzzParsePresigned(f *testing.F) {
	f.Add("Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261123%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20261123T143000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=" + testSig)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/", RawQuery: rawQuery}, Host: "sts.amazonaws.com", Header: http.Header{}, RequestURI: "/?" + rawQuery}
		s, err := Parse(r, nil, fuzzNow)
		checkParseResult(t, s, err)
		if err == nil && !s.Presigned {
			t.Fatalf("a query-only request parsed as header form: %+v", s)
		}
	})
}

func FuzzCanonicalRequest(f *testing.F) {
	f.Add("GET", "/a/./b/../c//", "b=2&a=1&a=0+x", "  v  1  ", "host;my-header")
	f.Fuzz(func(t *testing.T, method, path, rawQuery, value, signedHeaders string) {
		h := http.Header{"Host": {"example.com"}, "My-Header": {value, value}}
		signed := strings.Split(signedHeaders, ";")
		got := CanonicalRequest(method, path, rawQuery, h, signed, EmptyPayloadHash)
		if again := CanonicalRequest(method, path, rawQuery, h, signed, EmptyPayloadHash); again != got {
			t.Fatal("CanonicalRequest is not deterministic")
		}
		if !strings.HasPrefix(got, method+"\n") || !strings.HasSuffix(got, "\n"+strings.Join(signed, ";")+"\n"+EmptyPayloadHash) {
			t.Fatalf("CanonicalRequest = %q", got)
		}

		// The path: starts with '/', only unreserved, '/' and %XX, no empty,
		// "." or ".." segment.
		p := canonicalPath(path)
		if !strings.HasPrefix(got, method+"\n"+p+"\n") || p[0] != '/' {
			t.Fatalf("canonical path %q", p)
		}
		for i, seg := range strings.Split(p[1:], "/") {
			if seg == "." || seg == ".." || seg == "" && i < strings.Count(p[1:], "/") {
				t.Fatalf("canonical path %q of %q keeps segment %q", p, path, seg)
			}
		}
		checkEncoded(t, "path", strings.ReplaceAll(p, "/", ""))

		// The query: encoded pairs, sorted, and canonical already.
		q := canonicalQuery(rawQuery, false)
		if again := canonicalQuery(q, false); again != q {
			t.Fatalf("canonicalQuery is not idempotent: %q -> %q -> %q", rawQuery, q, again)
		}
		if q != "" {
			pairs := strings.Split(q, "&")
			for i, pair := range pairs {
				k, v, ok := strings.Cut(pair, "=")
				if !ok {
					t.Fatalf("canonical query %q has a pair without '='", q)
				}
				checkEncoded(t, "query name", k)
				checkEncoded(t, "query value", v)
				if i > 0 {
					pk, pv, _ := strings.Cut(pairs[i-1], "=")
					if pk > k || pk == k && pv > v {
						t.Fatalf("canonical query %q is not sorted", q)
					}
				}
			}
		}

		// Header values: no leading, trailing or doubled spaces.
		tv := string(appendTrimmed(nil, value))
		if strings.Contains(tv, "  ") || strings.HasPrefix(tv, " ") || strings.HasSuffix(tv, " ") {
			t.Fatalf("trimmed %q to %q", value, tv)
		}
	})
}

func checkEncoded(t *testing.T, what, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case unreserved(c):
		case c == '%' && i+2 < len(s) && strings.IndexByte(upperHex, s[i+1]) >= 0 && strings.IndexByte(upperHex, s[i+2]) >= 0:
			i += 2
		default:
			t.Fatalf("%s %q is not encoded at byte %d", what, s, i)
		}
	}
}
