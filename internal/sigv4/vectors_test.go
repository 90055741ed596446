package sigv4

import (
	"bufio"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// vector is one case of AWS's SigV4 test suite (testdata/vectors, a copy of
// the suite AWS published).
type vector struct {
	name                   string
	sreq, creq, sts, authz string
}

type vectorConfig struct {
	Config struct {
		Service, Region, AccessKeyID, SecretAccessKey string
	} `json:"config"`
}

func loadVectors(t *testing.T) (vectorConfig, []vector) {
	t.Helper()
	dir := filepath.Join("testdata", "vectors")
	var cfg vectorConfig
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []vector
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		read := func(ext string) string {
			b, err := os.ReadFile(filepath.Join(dir, e.Name(), e.Name()+ext))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		out = append(out, vector{name: e.Name(), sreq: read(".sreq"), creq: read(".creq"), sts: read(".sts"), authz: read(".authz")})
	}
	if len(out) < 25 {
		t.Fatalf("found %d vectors, want all of them", len(out))
	}
	return cfg, out
}

// parseRaw parses a raw HTTP/1.1 request by hand: the vectors hold request
// lines (raw UTF-8, repeated header keys) that a strict parser would
// normalize, and the server sees them as Go's http server builds them.
func parseRaw(t *testing.T, raw string) *http.Request {
	t.Helper()
	head, body, _ := strings.Cut(strings.ReplaceAll(raw, "\r\n", "\n"), "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	sc.Scan()
	line := sc.Text()
	method, rest, _ := strings.Cut(line, " ")
	target := rest[:strings.LastIndex(rest, " ")]
	path, rawQuery, _ := strings.Cut(target, "?")
	r := &http.Request{Method: method, Header: http.Header{}, URL: &url.URL{Path: path, RawQuery: rawQuery}, ContentLength: int64(len(body))}
	var lastKey string
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") { // folded continuation
			vals := r.Header[lastKey]
			vals[len(vals)-1] += " " + strings.TrimSpace(l)
			continue
		}
		k, v, _ := strings.Cut(l, ":")
		k = http.CanonicalHeaderKey(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if k == "Host" {
			r.Host = v
			continue
		}
		r.Header.Add(k, v)
		lastKey = k
	}
	r.Body = http.NoBody
	if body != "" {
		r.Body = nil
	}
	return r.WithContext(t.Context())
}

func vectorBody(raw string) []byte {
	_, body, _ := strings.Cut(strings.ReplaceAll(raw, "\r\n", "\n"), "\n\n")
	return []byte(body)
}

func TestVectorsStageByStage(t *testing.T) {
	cfg, vectors := loadVectors(t)
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			r := parseRaw(t, v.sreq)
			body := vectorBody(v.sreq)
			now, _ := time.Parse(TimeFormat, "20150830T123600Z")
			s, err := Parse(r, body, now)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := s.CanonicalRequest(); got != v.creq {
				t.Fatalf("canonical request:\n%s\nwant:\n%s", got, v.creq)
			}
			if got := s.StringToSign(); got != v.sts {
				t.Fatalf("string to sign:\n%s\nwant:\n%s", got, v.sts)
			}
			if got := StringToSign(s.Time, s.Scope(), v.creq); got != v.sts {
				t.Fatalf("StringToSign stage:\n%s\nwant:\n%s", got, v.sts)
			}
			key := DeriveSigningKey(cfg.Config.SecretAccessKey, s.Date, s.Region, s.Service)
			sig := Signature(key, v.sts)
			if !strings.HasSuffix(strings.TrimSpace(v.authz), "Signature="+sig) {
				t.Fatalf("signature %s not in %s", sig, v.authz)
			}
			if err := s.Verify(cfg.Config.SecretAccessKey, nil); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if err := s.Verify(cfg.Config.SecretAccessKey, NewSigningKeyCache(4)); err != nil {
				t.Fatalf("Verify with cache: %v", err)
			}
			if err := s.Verify(cfg.Config.SecretAccessKey+"x", nil); !isKind(err, SignatureMismatch) {
				t.Fatalf("Verify with a wrong secret: %v", err)
			}
		})
	}
}

func isKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// TestVectorsRefuseAnyFlip flips one byte in every signed part of every
// vector's signed request: each must be refused.
func TestVectorsRefuseAnyFlip(t *testing.T) {
	cfg, vectors := loadVectors(t)
	now, _ := time.Parse(TimeFormat, "20150830T123600Z")
	for _, v := range vectors {
		head, body, _ := strings.Cut(v.sreq, "\n\n")
		lines := strings.Split(head, "\n")
		type mutation struct {
			name string
			raw  string
		}
		var muts []mutation
		// Request line: the method, and each byte of the target.
		muts = append(muts, mutation{"method", strings.Replace(v.sreq, lines[0][:3], strings.ToLower(lines[0][:3]), 1)})
		target := strings.Fields(lines[0])[1]
		for i := 0; i < len(target); i++ {
			flipped := []byte(target)
			flipped[i] = flip(flipped[i])
			if string(flipped) == target || strings.Contains(string(flipped), "//") || strings.Contains(target, "..") || strings.Contains(target, "/.") {
				continue // path normalization would legitimately absorb it
			}
			muts = append(muts, mutation{"target[" + string(rune('0'+i%10)) + "]", strings.Replace(v.sreq, lines[0], strings.Replace(lines[0], target, string(flipped), 1), 1)})
		}
		// Every signed header's value.
		_, signedList, _ := strings.Cut(v.authz, "SignedHeaders=")
		signedList, _, _ = strings.Cut(signedList, ",")
		signed := map[string]bool{}
		for _, h := range strings.Split(signedList, ";") {
			signed[h] = true
		}
		for _, l := range lines[1:] {
			k, val, _ := strings.Cut(l, ":")
			if !signed[strings.ToLower(strings.TrimSpace(k))] || strings.TrimSpace(val) == "" {
				continue
			}
			nl := k + ":" + val[:len(val)-1] + string(flip(val[len(val)-1]))
			muts = append(muts, mutation{"header " + k, strings.Replace(v.sreq, l, nl, 1)})
		}
		if body != "" {
			nb := body[:len(body)-1] + string(flip(body[len(body)-1]))
			muts = append(muts, mutation{"body", head + "\n\n" + nb})
		}
		for _, m := range muts {
			t.Run(v.name+"/"+m.name, func(t *testing.T) {
				r := parseRaw(t, m.raw)
				s, err := Parse(r, vectorBody(m.raw), now)
				if err == nil {
					err = s.Verify(cfg.Config.SecretAccessKey, nil)
				}
				if err == nil {
					t.Fatalf("a flipped %s was accepted:\n%s", m.name, m.raw)
				}
			})
		}
	}
}

func flip(c byte) byte {
	if c == 'a' {
		return 'b'
	}
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return c ^ 1
	}
	return 'x'
}
