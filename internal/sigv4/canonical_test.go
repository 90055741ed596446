package sigv4

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCanonicalPath(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", "/"},
		{"root", "/", "/"},
		{"double slash", "//", "/"},
		{"dot segments", "/a/./b/../c", "/a/c"},
		{"dot-dot to root", "/a/b/../..", "/"},
		{"dot-dot above root", "/../../a", "/a"},
		{"trailing slash kept", "/a//b//", "/a/b/"},
		{"trailing dot-dot drops the slash (botocore)", "/a/b/..", "/a"},
		{"trailing dot (botocore)", "/a/.", "/a"},
		{"escaped on the wire is encoded again", "/a%20b/%2F", "/a%2520b/%252F"},
		{"raw bytes are encoded once", "/ሴ/a b", "/%E1%88%B4/a%20b"},
		{"unreserved kept", "/-._~AZaz09", "/-._~AZaz09"},
		{"reserved encoded", "/a:b@c!$&'()*+,;=", "/a%3Ab%40c%21%24%26%27%28%29%2A%2B%2C%3B%3D"},
		{"encoded dots are not dot segments", "/a/%2E%2E/b", "/a/%252E%252E/b"},
		{"no leading slash", "a/b", "/a/b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := canonicalPath(c.in); got != c.want {
				t.Fatalf("canonicalPath(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct {
		name, in  string
		presigned bool
		want      string
	}{
		{name: "empty", in: "", want: ""},
		{name: "name without equal sign", in: "a", want: "a="},
		{name: "empty value", in: "a=", want: "a="},
		{name: "empty name", in: "=b", want: "=b"},
		{name: "sorted by name", in: "b=1&a=2", want: "a=2&b=1"},
		{name: "repeated name sorted by value", in: "a=1&a=0", want: "a=0&a=1"},
		{name: "plus is a space", in: "a+b=c+d", want: "a%20b=c%20d"},
		{name: "escapes re-encoded upper case", in: "a%2fb=%7e%2a", want: "a%2Fb=~%2A"},
		{name: "sorted after encoding", in: "v=a-b&v=a/b", want: "v=a%2Fb&v=a-b"},
		{name: "value with equal sign", in: "a=b=c", want: "a=b%3Dc"},
		{name: "empty pairs skipped", in: "&&a=1&", want: "a=1"},
		{name: "invalid escape kept literally", in: "%zz=%4", want: "%25zz=%254"},
		{name: "raw utf-8", in: "ሴ=bar", want: "%E1%88%B4=bar"},
		{name: "semicolon is not a separator", in: "a=1;b=2", want: "a=1%3Bb%3D2"},
		{name: "signature kept in header form", in: "X-Amz-Signature=ab&a=1", want: "X-Amz-Signature=ab&a=1"},
		{name: "signature dropped when presigned", in: "X-Amz-Signature=ab&a=1&X-Amz-Signature=cd", presigned: true, want: "a=1"},
		{name: "escaped signature name dropped when presigned", in: "X-Amz-%53ignature=ab&a=1", presigned: true, want: "a=1"},
		{name: "many pairs", in: "p9=9&p8=8&p7=7&p6=6&p5=5&p4=4&p3=3&p2=2&p1=1&p0=0&q9=9&q8=8&q7=7&q6=6&q5=5&q4=4&q3=3&q2=2&q1=1&q0=0",
			want: "p0=0&p1=1&p2=2&p3=3&p4=4&p5=5&p6=6&p7=7&p8=8&p9=9&q0=0&q1=1&q2=2&q3=3&q4=4&q5=5&q6=6&q7=7&q8=8&q9=9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := canonicalQuery(c.in, c.presigned); got != c.want {
				t.Fatalf("canonicalQuery(%q, %v) = %q, want %q", c.in, c.presigned, got, c.want)
			}
		})
	}
}

func TestCanonicalHeaderValues(t *testing.T) {
	cases := []struct {
		name   string
		header http.Header
		signed string
		want   string // the canonical header line's value
	}{
		{name: "trimmed", header: http.Header{"My-Header": {"  a  "}}, signed: "my-header", want: "a"},
		{name: "tabs trimmed at the ends", header: http.Header{"My-Header": {"\ta\t"}}, signed: "my-header", want: "a"},
		{name: "inner spaces collapsed, quotes too", header: http.Header{"My-Header": {`"a   b"  c`}}, signed: "my-header", want: `"a b" c`},
		{name: "inner tab kept", header: http.Header{"My-Header": {"a\tb"}}, signed: "my-header", want: "a\tb"},
		{name: "values joined in order", header: http.Header{"My-Header": {"z", " y ", "x"}}, signed: "my-header", want: "z,y,x"},
		{name: "hand-built lower-case key", header: http.Header{"my-header": {"v"}}, signed: "my-header", want: "v"},
		{name: "hand-built odd-case key", header: http.Header{"mY-hEADER": {"v"}}, signed: "my-header", want: "v"},
		{name: "signed name in upper case", header: http.Header{"My-Header": {"v"}}, signed: "MY-HEADER", want: "v"},
		{name: "absent header is empty", header: http.Header{}, signed: "my-header", want: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.header.Set("Host", "h")
			got := CanonicalRequest("GET", "/", "", c.header, []string{"host", c.signed}, EmptyPayloadHash)
			want := "GET\n/\n\nhost:h\n" + c.signed + ":" + c.want + "\n\nhost;" + c.signed + "\n" + EmptyPayloadHash
			if got != want {
				t.Fatalf("CanonicalRequest =\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// TestServerMovedHeaders signs host, content-length and transfer-encoding,
// which Go's server takes out of r.Header (Host, Transfer-Encoding) or
// keeps (Content-Length), then verifies the request as the server parsed it.
func TestServerMovedHeaders(t *testing.T) {
	cases := []struct {
		name    string
		headers [][2]string // as sent, in order
		signed  []string
		body    string // as read by the caller
		wire    string // body on the wire
	}{
		{name: "host and content-length", headers: [][2]string{{"Host", "sts.amazonaws.com"}, {"Content-Length", "11"}}, signed: []string{"content-length", "host", "x-amz-date"}, body: "Action=Test", wire: "Action=Test"},
		{name: "host with port", headers: [][2]string{{"Host", "localhost:8443"}}, signed: []string{"host", "x-amz-date"}},
		{name: "transfer-encoding", headers: [][2]string{{"Host", "iam.amazonaws.com"}, {"Transfer-Encoding", "chunked"}}, signed: []string{"host", "transfer-encoding", "x-amz-date"}, body: "Action=Test", wire: "b\r\nAction=Test\r\n0\r\n\r\n"},
		{name: "repeated header across case variants", headers: [][2]string{{"Host", "iam.amazonaws.com"}, {"X-Thing", "a"}, {"x-thing", "b"}}, signed: []string{"host", "x-amz-date", "x-thing"}},
	}
	at := time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			for _, kv := range c.headers {
				h.Add(kv[0], kv[1])
			}
			h.Set("X-Amz-Date", at.Format(TimeFormat))
			creq := CanonicalRequest("POST", "/", "", h, c.signed, PayloadHash([]byte(c.body)))
			const scope = "20261123/us-east-1/sts/aws4_request"
			sig := Signature(DeriveSigningKey(testSecret, "20261123", "us-east-1", "sts"), StringToSign(at, scope, creq))
			var raw strings.Builder
			raw.WriteString("POST / HTTP/1.1\r\n")
			for _, kv := range c.headers {
				raw.WriteString(kv[0] + ": " + kv[1] + "\r\n")
			}
			raw.WriteString("X-Amz-Date: " + at.Format(TimeFormat) + "\r\n")
			raw.WriteString("Authorization: " + authz(testKeyID+"/"+scope, strings.Join(c.signed, ";"), sig) + "\r\n\r\n")
			raw.WriteString(c.wire)
			r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw.String())))
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(r, []byte(c.body), at)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := s.Verify(testSecret, nil); err != nil {
				t.Fatalf("Verify: %v\nserver canonical request:\n%s\nclient canonical request:\n%s", err, s.CanonicalRequest(), creq)
			}
		})
	}
}

func TestSigningKeyCache(t *testing.T) {
	t.Run("keys are the derived ones", func(t *testing.T) {
		c := NewSigningKeyCache(16)
		for i := range 40 {
			region := "region-" + strconv.Itoa(i%7)
			for range 2 {
				got := c.get("AKID", "secret", "20261123", region, "iam")
				if want := DeriveSigningKey("secret", "20261123", region, "iam"); string(got[:]) != string(want) {
					t.Fatalf("cached key for %s differs from the derived one", region)
				}
			}
		}
	})
	t.Run("bounded", func(t *testing.T) {
		c := NewSigningKeyCache(10)
		for i := range 1000 {
			c.get("AKID"+strconv.Itoa(i), "secret", "20261123", "us-east-1", "iam")
			if n := c.Len(); n > 10 {
				t.Fatalf("after %d keys the cache holds %d, more than 10", i+1, n)
			}
		}
	})
	t.Run("tiny", func(t *testing.T) {
		c := NewSigningKeyCache(0)
		for i := range 5 {
			c.get("AKID"+strconv.Itoa(i), "secret", "20261123", "us-east-1", "iam")
		}
		if n := c.Len(); n > 2 {
			t.Fatalf("NewSigningKeyCache(0) holds %d keys", n)
		}
	})
	t.Run("recently used keys survive", func(t *testing.T) {
		c := NewSigningKeyCache(4) // two generations of two
		hot := signingKeyID{accessKeyID: "HOT", date: "20261123", region: "us-east-1", service: "iam"}
		for i := range 50 {
			c.get("HOT", "secret", hot.date, hot.region, hot.service)
			c.get("COLD"+strconv.Itoa(i), "secret", "20261123", "us-east-1", "iam")
			c.mu.Lock()
			_, inCur := c.cur[signingKeyID{accessKeyID: "HOT", date: hot.date, region: hot.region, service: hot.service, secret: sha256.Sum256([]byte("secret"))}]
			_, inOld := c.old[signingKeyID{accessKeyID: "HOT", date: hot.date, region: hot.region, service: hot.service, secret: sha256.Sum256([]byte("secret"))}]
			c.mu.Unlock()
			if !inCur && !inOld {
				t.Fatalf("round %d: the key used every round was evicted", i)
			}
		}
	})
	t.Run("a changed secret never reuses a stale key", func(t *testing.T) {
		c := NewSigningKeyCache(16)
		at := time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)
		parse := func(secret string) *SignedRequest {
			t.Helper()
			r := newTestRequest(t, http.MethodPost, "/", nil)
			signTest(t, r, nil, secret, at, "us-east-1", "iam")
			s, err := Parse(r, nil, at)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		old, rotated := parse("old-secret"), parse("new-secret")
		if err := old.Verify("old-secret", c); err != nil {
			t.Fatalf("old secret: %v", err)
		}
		if err := old.Verify("new-secret", c); err == nil {
			t.Fatal("a request signed with the old secret verified against the new one")
		}
		if err := rotated.Verify("new-secret", c); err != nil {
			t.Fatalf("new secret after the old one was cached: %v", err)
		}
		if err := rotated.Verify("old-secret", c); err == nil {
			t.Fatal("a request signed with the new secret verified against the old one")
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		c := NewSigningKeyCache(8)
		at := time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)
		var reqs []*SignedRequest
		for i := range 12 {
			r := newTestRequest(t, http.MethodPost, "/", nil)
			signTest(t, r, nil, testSecret, at, fmt.Sprintf("region-%d", i), "sts")
			s, err := Parse(r, nil, at)
			if err != nil {
				t.Fatal(err)
			}
			reqs = append(reqs, s)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Go(func() {
				for i := range 300 {
					s := reqs[(g+i)%len(reqs)]
					secret := testSecret
					if i%5 == 0 {
						secret = "wrong"
					}
					err := s.Verify(secret, c)
					if (err == nil) != (secret == testSecret) {
						errs <- fmt.Errorf("goroutine %d, round %d, region %s: %v", g, i, s.Region, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := c.Len(); n > 8 {
			t.Fatalf("the cache holds %d keys, more than 8", n)
		}
	})
}

// TestImportsOnlyStandardLibrary keeps the verifier a leaf: no store, no
// server, no database, no third-party module (tests may use the SDK).
func TestImportsOnlyStandardLibrary(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var checked int
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s: package sigv4 may import only the standard library", f, p)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no imports found: is the test running in the package directory?")
	}
}
