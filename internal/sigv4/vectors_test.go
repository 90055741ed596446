package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The vectors are AWS's SigV4 test suite. The package keeps its own copy in
// testdata/vectors so the tests never skip; TestVectorCopyMatchesShared
// checks it against the repository's shared copy when that is present, and
// always against the checksums committed with it (testdata/vectors/SHA256SUMS,
// sha256sum's format: regenerate with
// `find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS`
// in that directory, only after comparing with the shared copy).
const vectorDir = "testdata/vectors"

type vectorConfig struct {
	Config struct {
		Service         string `json:"service"`
		Region          string `json:"region"`
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
	} `json:"config"`
}

// vector is one case: the signed request and the expected stages.
type vector struct {
	name                   string
	sreq, creq, sts, authz string
}

// vectorTime is the date every vector is signed at.
var vectorTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

func loadVectors(t *testing.T) (vectorConfig, []vector) {
	t.Helper()
	var cfg vectorConfig
	b, err := os.ReadFile(filepath.Join(vectorDir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Config.SecretAccessKey == "" {
		t.Fatal("config.json has no secretAccessKey")
	}
	entries, err := os.ReadDir(vectorDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []vector
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		read := func(ext string) string {
			t.Helper()
			b, err := os.ReadFile(filepath.Join(vectorDir, e.Name(), e.Name()+ext))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		out = append(out, vector{name: e.Name(), sreq: read(".sreq"), creq: read(".creq"), sts: read(".sts"), authz: read(".authz")})
	}
	if len(out) != 28 {
		t.Fatalf("found %d vectors in %s, want the suite's 28", len(out), vectorDir)
	}
	return cfg, out
}

// TestVectorCopyMatchesShared checks testdata/vectors against its committed
// checksums, always, and compares it with the shared copy
// (shared/testdata/sigv4 next to the repository root) when there is one. A
// clean clone has no shared copy: the checksums still prove the copy is the
// one that was compared, so the test never skips.
func TestVectorCopyMatchesShared(t *testing.T) {
	n := checkVectorSums(t, vectorDir)
	shared := findShared(t)
	if shared == "" {
		t.Logf("shared/testdata/sigv4 not found above the package: testdata/vectors checked against SHA256SUMS only (%d files)", n)
		return
	}
	n = 0
	err := filepath.WalkDir(shared, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(shared, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(vectorDir, rel))
		if err != nil {
			t.Errorf("%s: missing from the copy: %v", rel, err)
			return nil
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the copy differs from %s", rel, p)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files match %s", n, shared)
}

// checkVectorSums verifies every file under dir against dir/SHA256SUMS:
// each listed file present with its checksum, and no file unlisted. It
// returns the number of files checked.
func checkVectorSums(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || name == "" {
			t.Fatalf("SHA256SUMS line %d: %q is not sha256sum's \"HASH  FILE\"", i+1, line)
		}
		want[name] = sum
	}
	seen := 0
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "SHA256SUMS" {
			return nil
		}
		sum, ok := want[rel]
		if !ok {
			t.Errorf("%s: not in SHA256SUMS", rel)
			return nil
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if got := sha256.Sum256(content); hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: sha256 %x, SHA256SUMS says %s", rel, got, sum)
		}
		seen++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(want) {
		t.Errorf("SHA256SUMS lists %d files, %d are present", len(want), seen)
	}
	return seen
}

func findShared(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		for _, cand := range []string{filepath.Join(dir, "shared", "testdata", "sigv4"), filepath.Join(dir, "..", "shared", "testdata", "sigv4")} {
			if fi, err := os.Stat(cand); err == nil && fi.IsDir() {
				return filepath.Clean(cand)
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// rawRequest is a vector's request as written in the file, kept apart so a
// test can change one byte and send it again.
type rawRequest struct {
	method, target string
	headers        []rawHeader
	body           string
}

type rawHeader struct{ name, value string }

// parseRawRequest splits a .sreq file (LF line ends, no final newline).
func parseRawRequest(t *testing.T, text string) rawRequest {
	t.Helper()
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(head, "\n")
	first := lines[0]
	sp1, sp2 := strings.IndexByte(first, ' '), strings.LastIndexByte(first, ' ')
	if sp1 < 0 || sp2 <= sp1 {
		t.Fatalf("bad request line %q", first)
	}
	rr := rawRequest{method: first[:sp1], target: first[sp1+1 : sp2], body: body}
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("bad header line %q", l)
		}
		rr.headers = append(rr.headers, rawHeader{name, value})
	}
	return rr
}

func (rr rawRequest) clone() rawRequest {
	c := rr
	c.headers = append([]rawHeader(nil), rr.headers...)
	return c
}

// request builds the *http.Request Go's server would: the head goes through
// http.ReadRequest (Host moved to r.Host, RequestURI as sent); the body is
// handed over as the server's caller reads it.
func (rr rawRequest) request(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	var b strings.Builder
	b.WriteString(rr.method + " " + rr.target + " HTTP/1.1\r\n")
	for _, h := range rr.headers {
		b.WriteString(h.name + ":" + h.value + "\r\n")
	}
	b.WriteString("\r\n")
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(b.String())))
	if err != nil {
		t.Fatalf("ReadRequest(%q): %v", b.String(), err)
	}
	return r, []byte(rr.body)
}

func (rr rawRequest) header(name string) string {
	for _, h := range rr.headers {
		if strings.EqualFold(h.name, name) {
			return strings.TrimSpace(h.value)
		}
	}
	return ""
}

// TestVectors rebuilds every vector stage by stage from its signed request,
// then verifies it.
func TestVectors(t *testing.T) {
	cfg, vectors := loadVectors(t)
	secret := cfg.Config.SecretAccessKey
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			rr := parseRawRequest(t, v.sreq)
			a, perr := parseAuthorization(rr.header("Authorization"))
			if perr != nil {
				t.Fatalf("parseAuthorization: %v", perr)
			}
			checkAuthzFile(t, v, a)
			r, body := rr.request(t)
			signed := strings.Split(a.signedHeaders, ";")

			// Stage 1: the canonical request, from the request's parts.
			header := r.Header.Clone()
			header.Set("Host", r.Host)
			rawPath, rawQuery, _ := strings.Cut(rr.target, "?")
			creq := CanonicalRequest(r.Method, rawPath, rawQuery, header, signed, PayloadHash(body))
			if creq != v.creq {
				t.Fatalf("CanonicalRequest:\n%s\nwant:\n%s", creq, v.creq)
			}
			// Stage 2: the string to sign.
			scope := "20150830/" + cfg.Config.Region + "/" + cfg.Config.Service + "/aws4_request"
			sts := StringToSign(vectorTime, scope, v.creq)
			if sts != v.sts {
				t.Fatalf("StringToSign:\n%s\nwant:\n%s", sts, v.sts)
			}
			// Stages 3 and 4: the key and the signature.
			key := DeriveSigningKey(secret, "20150830", cfg.Config.Region, cfg.Config.Service)
			if sig := Signature(key, v.sts); sig != a.signature {
				t.Fatalf("Signature = %s, want %s", sig, a.signature)
			}

			// Parse then Verify.
			s, err := Parse(r, body, vectorTime)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if s.AccessKeyID != cfg.Config.AccessKeyID || s.Region != cfg.Config.Region || s.Service != cfg.Config.Service ||
				s.Date != "20150830" || !s.Time.Equal(vectorTime) || s.Signature != a.signature || s.Presigned {
				t.Fatalf("Parse = %+v", s)
			}
			if got := s.CanonicalRequest(); got != v.creq {
				t.Fatalf("SignedRequest.CanonicalRequest:\n%s\nwant:\n%s", got, v.creq)
			}
			if got := s.StringToSign(); got != v.sts {
				t.Fatalf("SignedRequest.StringToSign:\n%s\nwant:\n%s", got, v.sts)
			}
			if err := s.Verify(secret, nil); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			cache := NewSigningKeyCache(8)
			for range 2 { // derive, then hit
				if err := s.Verify(secret, cache); err != nil {
					t.Fatalf("Verify with a cache: %v", err)
				}
			}
			err = s.Verify(secret+"x", cache)
			if !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("Verify with a wrong secret = %v, want a signature mismatch", err)
			}
			var e *Error
			errors.As(err, &e)
			if gotC, gotS := e.Debug(); gotC != v.creq || gotS != v.sts {
				t.Fatalf("Debug() = %q, %q; want the vector's canonical request and string to sign", gotC, gotS)
			}
			if e.Message != MismatchMessage || strings.Contains(err.Error(), "x-amz-date:") {
				t.Fatalf("mismatch error %q must carry AWS's message only", err)
			}
		})
	}
}

// authzDiscrepancies are the vectors whose .authz file disagrees with its
// .sreq and .creq, and why. The signature in .authz is still checked.
var authzDiscrepancies = map[string]string{
	// The .sreq, the .creq and the signature sign content-type;host;x-amz-date;
	// the .authz kept the content-length of the copy the suite was repaired
	// from (see the README): its SignedHeaders is the one stale part.
	"post-x-www-form-urlencoded-parameters": "SignedHeaders=content-length;content-type;host;x-amz-date",
}

// checkAuthzFile compares the .authz file with the Authorization header of
// the signed request: equal, or different only in the known way.
func checkAuthzFile(t *testing.T, v vector, fromSreq authorization) {
	t.Helper()
	fromFile, perr := parseAuthorization(v.authz)
	if perr != nil {
		t.Fatalf(".authz: %v", perr)
	}
	if fromFile.credential != fromSreq.credential || fromFile.signature != fromSreq.signature {
		t.Fatalf(".authz %+v and the .sreq's Authorization %+v differ", fromFile, fromSreq)
	}
	creqLines := strings.Split(v.creq, "\n")
	creqSigned := creqLines[len(creqLines)-2]
	if fromSreq.signedHeaders != creqSigned {
		t.Fatalf("the .sreq signs %q, the .creq %q", fromSreq.signedHeaders, creqSigned)
	}
	if fromFile.signedHeaders != fromSreq.signedHeaders {
		known, ok := authzDiscrepancies[v.name]
		if !ok || known != "SignedHeaders="+fromFile.signedHeaders {
			t.Fatalf(".authz signs %q, the .sreq and .creq %q", fromFile.signedHeaders, fromSreq.signedHeaders)
		}
		t.Logf("known discrepancy: .authz has %s; the .sreq, .creq and signature agree on %q", known, fromSreq.signedHeaders)
	}
}

// TestVectorsRefuseFlips changes one byte of every signed part of every
// vector (method, path, each query byte, each signed header value byte, the
// body, the signature) and expects a refusal; a change to an unsigned header
// is accepted.
func TestVectorsRefuseFlips(t *testing.T) {
	cfg, vectors := loadVectors(t)
	secret := cfg.Config.SecretAccessKey
	check := func(t *testing.T, rr rawRequest, what string, want Kind) {
		t.Helper()
		r, body := rr.request(t)
		s, err := Parse(r, body, vectorTime)
		if err == nil {
			err = s.Verify(secret, nil)
		}
		var e *Error
		switch {
		case err == nil:
			t.Errorf("%s: accepted %q %q %v %q", what, rr.method, rr.target, rr.headers, rr.body)
		case !errors.As(err, &e):
			t.Errorf("%s: error %v is not an *Error", what, err)
		case want != 0 && e.Kind != want:
			t.Errorf("%s: %v, want kind %v", what, err, want)
		}
	}
	var total int
	for _, v := range vectors {
		orig := parseRawRequest(t, v.sreq)
		a, _ := parseAuthorization(orig.header("Authorization"))
		signed := map[string]bool{}
		for _, h := range strings.Split(a.signedHeaders, ";") {
			signed[h] = true
		}
		t.Run(v.name+"/method", func(t *testing.T) {
			rr := orig.clone()
			rr.method = rr.method[:len(rr.method)-1] + string(flip(rr.method[len(rr.method)-1]))
			check(t, rr, "method "+rr.method, SignatureMismatch)
			total++
		})
		t.Run(v.name+"/path", func(t *testing.T) {
			p, q, hasQ := strings.Cut(orig.target, "?")
			withQuery := func(np string) string {
				if hasQ {
					return np + "?" + q
				}
				return np
			}
			rr := orig.clone()
			rr.target = withQuery(p + "x")
			check(t, rr, "path "+rr.target, SignatureMismatch)
			total++
			for i := 0; i < len(p); i++ {
				np := p[:i] + string(flip(p[i])) + p[i+1:]
				if p[i] == '/' || p[i] == '.' || path.Clean(np) == path.Clean(p) {
					continue // normalization legitimately absorbs it (path.Clean is the independent judge)
				}
				rr := orig.clone()
				rr.target = withQuery(np)
				check(t, rr, "path "+rr.target, SignatureMismatch)
				total++
			}
		})
		if p, q, ok := strings.Cut(orig.target, "?"); ok {
			t.Run(v.name+"/query", func(t *testing.T) {
				for i := 0; i < len(q); i++ {
					if q[i] == '&' || q[i] == '=' {
						continue
					}
					rr := orig.clone()
					rr.target = p + "?" + q[:i] + string(flip(q[i])) + q[i+1:]
					check(t, rr, "query "+rr.target, SignatureMismatch)
					total++
				}
			})
		}
		for hi, h := range orig.headers {
			name := strings.ToLower(strings.TrimSpace(h.name))
			if name == "authorization" {
				t.Run(v.name+"/signature", func(t *testing.T) {
					rr := orig.clone()
					val := rr.headers[hi].value
					rr.headers[hi].value = val[:len(val)-1] + string(flip(val[len(val)-1]))
					check(t, rr, "signature", SignatureMismatch)
					total++
				})
				continue
			}
			t.Run(v.name+"/header "+name, func(t *testing.T) {
				for i := 0; i < len(h.value); i++ {
					if h.value[i] == ' ' {
						continue // whitespace is trimmed and collapsed: not signed as such
					}
					rr := orig.clone()
					rr.headers[hi].value = h.value[:i] + string(flip(h.value[i])) + h.value[i+1:]
					total++
					if !signed[name] {
						r, body := rr.request(t)
						s, err := Parse(r, body, vectorTime)
						if err == nil {
							err = s.Verify(secret, nil)
						}
						if err != nil {
							t.Fatalf("a change to the unsigned header %s was refused: %v", name, err)
						}
						continue
					}
					want := SignatureMismatch
					if name == "x-amz-date" {
						want = 0 // a changed date may also be malformed, skewed or out of scope
					}
					check(t, rr, "header "+name+": "+rr.headers[hi].value, want)
				}
			})
		}
		if orig.body != "" {
			t.Run(v.name+"/body", func(t *testing.T) {
				for i := 0; i < len(orig.body); i++ {
					rr := orig.clone()
					rr.body = orig.body[:i] + string(flip(orig.body[i])) + orig.body[i+1:]
					check(t, rr, "body "+rr.body, SignatureMismatch)
					total++
				}
			})
		}
	}
	t.Logf("%d one-byte changes checked", total)
}

// flip returns a different byte that keeps the request parseable: letters
// change case, digits step, anything else becomes 'x'.
func flip(c byte) byte {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		return c ^ 0x20
	case '0' <= c && c <= '8':
		return c + 1
	case c == '9':
		return '0'
	}
	return 'x'
}
