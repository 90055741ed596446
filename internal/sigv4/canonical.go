package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The named stages of SigV4, each a pure function of its inputs.

// Algorithm is the only signing algorithm Latchkey accepts.
const Algorithm = "AWS4-HMAC-SHA256"

// TimeFormat is the X-Amz-Date format.
const TimeFormat = "20060102T150405Z"

// EmptyPayloadHash is the SHA-256 of an empty body.
const EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// CanonicalRequest builds the canonical request:
//
//	Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
//
// path is the decoded request path; it is normalized (dot segments removed,
// repeated slashes collapsed) and encoded, as IAM and STS require. headers
// maps each signed header name (lower case) to its values in the order
// received.
func CanonicalRequest(method, path, rawQuery string, headers map[string][]string, signedHeaders []string, payloadHash string, skipQueryKey string) string {
	var b strings.Builder
	b.Grow(256 + len(rawQuery))
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(CanonicalURI(path))
	b.WriteByte('\n')
	b.WriteString(CanonicalQuery(rawQuery, skipQueryKey))
	b.WriteByte('\n')
	for _, h := range signedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		for i, v := range headers[h] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(trimAll(v))
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// CanonicalURI normalizes and encodes a decoded path.
func CanonicalURI(path string) string {
	if path == "" {
		return "/"
	}
	segs := strings.Split(path, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, uriEncode(s, false))
		}
	}
	res := "/" + strings.Join(out, "/")
	if len(out) > 0 && (strings.HasSuffix(path, "/") || strings.HasSuffix(path, "/.") || strings.HasSuffix(path, "/..")) {
		res += "/"
	}
	return res
}

// CanonicalQuery decodes the raw query and re-encodes it as SigV4 requires:
// each name and value encoded, pairs sorted by name then value. skipKey (the
// presigned X-Amz-Signature) is left out.
func CanonicalQuery(rawQuery, skipKey string) string {
	if rawQuery == "" {
		return ""
	}
	type pair struct{ k, v string }
	parts := strings.Split(rawQuery, "&")
	pairs := make([]pair, 0, len(parts))
	for _, p := range parts {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		k, v = unescape(k), unescape(v)
		if k == skipKey && skipKey != "" {
			continue
		}
		pairs = append(pairs, pair{uriEncode(k, true), uriEncode(v, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	b.Grow(len(rawQuery) + 16)
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// StringToSign builds AWS4-HMAC-SHA256 \n time \n scope \n hex(sha256(creq)).
func StringToSign(t time.Time, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + t.UTC().Format(TimeFormat) + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// DeriveSigningKey derives the signing key from the secret and the scope.
func DeriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// Signature is hex(HMAC-SHA256(signingKey, stringToSign)).
func Signature(signingKey []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(signingKey, stringToSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// PayloadHash is hex(sha256(body)).
func PayloadHash(body []byte) string {
	if len(body) == 0 {
		return EmptyPayloadHash
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// trimAll trims a header value and collapses runs of spaces to one.
func trimAll(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") && !strings.ContainsAny(v, "\t\n\r") {
		return v
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

// uriEncode percent-encodes every byte but RFC 3986's unreserved characters
// (and '/' unless encodeSlash), with upper-case hex, as SigV4 specifies.
func uriEncode(s string, encodeSlash bool) string {
	const hexd = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && (encodeSlash || s[i] != '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (!encodeSlash && c == '/') {
			b = append(b, c)
		} else {
			b = append(b, '%', hexd[c>>4], hexd[c&15])
		}
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// unescape percent-decodes s, treating '+' as a space as form encoding
// does; an invalid escape is kept literally (the signature then decides).
func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(v))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// requestHeaders collects the values of the signed headers from r, putting
// back what Go's server moved out of r.Header (Host, Content-Length).
func requestHeaders(r *http.Request, signed []string) map[string][]string {
	out := make(map[string][]string, len(signed))
	for _, h := range signed {
		switch h {
		case "host":
			out[h] = []string{r.Host}
		case "content-length":
			if v := r.Header.Values("Content-Length"); len(v) > 0 {
				out[h] = v
			} else if r.ContentLength >= 0 {
				out[h] = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		default:
			out[h] = r.Header.Values(h)
		}
	}
	return out
}
