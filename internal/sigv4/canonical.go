package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The named stages of SigV4, each a pure function of its inputs:
//
//	CanonicalRequest → StringToSign → Signature(DeriveSigningKey(...), ·)
//
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)

// Algorithm is the only signing algorithm Latchkey accepts (SigV4a's
// AWS4-ECDSA-P256-SHA256 is not).
const Algorithm = "AWS4-HMAC-SHA256"

// TimeFormat is the ISO 8601 basic format of X-Amz-Date and of the time in
// the string to sign.
const TimeFormat = "20060102T150405Z"

// dateFormat is the credential scope's date.
const dateFormat = "20060102"

// EmptyPayloadHash is the hex SHA-256 of an empty body.
const EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// CanonicalRequest builds the canonical request
//
//	Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
//
// as IAM and STS rebuild it:
//
//   - path is the request path as sent on the wire (still percent-encoded,
//     r.RequestURI's path). Its dot segments are removed and empty segments
//     collapsed, then every byte outside RFC 3986's unreserved set and '/'
//     is percent-encoded again. For services other than S3 the SDKs encode
//     the already-escaped path once more (aws-sdk-go-v2 EscapePath of
//     URL.EscapedPath, botocore quote of the URL's path), so "%20" on the
//     wire signs as "%2520"; raw bytes on the wire (AWS's vectors) sign
//     encoded once. Normalization follows botocore's remove_dot_segments.
//   - rawQuery is the query as sent. Each name and value is decoded ('+' is
//     a space, as in form encoding) and re-encoded (unreserved kept, all
//     else %XX upper case, space %20), then pairs are sorted by encoded name
//     then encoded value. A name without '=' signs as "name=".
//   - header supplies each signed header's values: names matched without
//     regard to case, each value trimmed of surrounding spaces and tabs
//     with runs of spaces collapsed to one, the values of a repeated header
//     joined by ',' in the order received. header must hold "Host" here
//     (Parse takes it from r.Host, where Go's server moves it).
//   - signedHeaders are used in the order given, as given.
//
// A presigned request's X-Amz-Signature is not part of its canonical
// request: strip it from rawQuery before calling (SignedRequest does).
func CanonicalRequest(method, path, rawQuery string, header http.Header, signedHeaders []string, payloadHash string) string {
	in := canonicalInput{method: method, path: path, rawQuery: rawQuery, header: header, contentLength: -1, signedHeaders: signedHeaders}
	return string(in.appendTo(nil, payloadHash))
}

// StringToSign builds
//
//	AWS4-HMAC-SHA256 \n <t as 20060102T150405Z, UTC> \n scope \n hex(sha256(canonicalRequest))
//
// where scope is date/region/service/aws4_request.
func StringToSign(t time.Time, scope string, canonicalRequest string) string {
	return string(appendStringToSign(nil, t, scope, "", "", "", sha256.Sum256([]byte(canonicalRequest))))
}

// appendStringToSign appends the string to sign to dst. The scope is scope
// when not empty, else date/region/service/aws4_request.
func appendStringToSign(dst []byte, t time.Time, scope, date, region, service string, creqHash [sha256.Size]byte) []byte {
	dst = append(dst, Algorithm...)
	dst = append(dst, '\n')
	dst = t.UTC().AppendFormat(dst, TimeFormat)
	dst = append(dst, '\n')
	if scope != "" {
		dst = append(dst, scope...)
	} else {
		dst = appendScope(dst, date, region, service)
	}
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, creqHash[:])
}

func appendScope(dst []byte, date, region, service string) []byte {
	dst = append(dst, date...)
	dst = append(dst, '/')
	dst = append(dst, region...)
	dst = append(dst, '/')
	dst = append(dst, service...)
	return append(dst, "/aws4_request"...)
}

// DeriveSigningKey derives the signing key
//
//	HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")
//
// date is the scope's yyyymmdd.
func DeriveSigningKey(secret, date, region, service string) []byte {
	k := deriveSigningKey(secret, date, region, service)
	return k[:]
}

func deriveSigningKey(secret, date, region, service string) [sha256.Size]byte {
	var buf [128]byte
	k := hmacSHA256(append(append(buf[:0], "AWS4"...), secret...), []byte(date))
	clear(buf[:])
	k = hmacSHA256(k[:], []byte(region))
	k = hmacSHA256(k[:], []byte(service))
	return hmacSHA256(k[:], []byte("aws4_request"))
}

// Signature is hex(HMAC-SHA256(signingKey, stringToSign)), lower case.
func Signature(signingKey []byte, stringToSign string) string {
	mac := hmacSHA256(signingKey, []byte(stringToSign))
	return hex.EncodeToString(mac[:])
}

// hmacSHA256 is crypto/hmac's HMAC-SHA256 of data under key.
func hmacSHA256(key, data []byte) [sha256.Size]byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	var out [sha256.Size]byte
	m.Sum(out[:0])
	return out
}

// PayloadHash is hex(sha256(body)), the payload hash IAM and STS sign.
func PayloadHash(body []byte) string {
	if len(body) == 0 {
		return EmptyPayloadHash
	}
	h := payloadHash(body)
	return string(h[:])
}

func payloadHash(body []byte) [2 * sha256.Size]byte {
	var out [2 * sha256.Size]byte
	sum := sha256.Sum256(body)
	hex.Encode(out[:], sum[:])
	return out
}

// canonicalInput is what a canonical request is built from. Beyond an
// http.Header it carries what Go's server moves out of r.Header.
type canonicalInput struct {
	method, path, rawQuery string
	presigned              bool // leave X-Amz-Signature out of the query
	header                 http.Header
	host                   string // used when hasHost (r.Host)
	hasHost                bool
	contentLength          int64    // r.ContentLength, used when no Content-Length header; -1 unknown
	transferEncoding       []string // r.TransferEncoding, used when no Transfer-Encoding header
	signedHeaders          []string
	// s3: the path is the canonical URI as sent, neither normalized nor
	// encoded again (S3's exception to SigV4's rule: its clients sign the
	// object key URI-encoded once).
	s3 bool
}

// appendTo appends the canonical request to dst.
func (in *canonicalInput) appendTo(dst []byte, payloadHash string) []byte {
	dst = append(dst, in.method...)
	dst = append(dst, '\n')
	switch {
	case in.s3 && in.path != "":
		dst = append(dst, in.path...)
	case in.s3:
		dst = append(dst, '/')
	default:
		dst = appendCanonicalPath(dst, in.path)
	}
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, in.rawQuery, in.presigned)
	dst = append(dst, '\n')
	for _, h := range in.signedHeaders {
		dst = append(dst, h...)
		dst = append(dst, ':')
		dst = in.appendHeaderValue(dst, h)
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	for i, h := range in.signedHeaders {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, h...)
	}
	dst = append(dst, '\n')
	return append(dst, payloadHash...)
}

func (in *canonicalInput) appendHeaderValue(dst []byte, name string) []byte {
	if in.hasHost && strings.EqualFold(name, "host") {
		return appendTrimmed(dst, in.host)
	}
	vals := lookupHeader(in.header, name)
	if len(vals) == 0 {
		switch {
		case strings.EqualFold(name, "content-length") && in.contentLength >= 0:
			return strconv.AppendInt(dst, in.contentLength, 10)
		case strings.EqualFold(name, "transfer-encoding"):
			vals = in.transferEncoding
		}
	}
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTrimmed(dst, v)
	}
	return dst
}

// lookupHeader returns the values of header name, matched without regard
// to case: first the key as given, then its canonical MIME form (how Go's
// server stores every key), then any key equal under case folding (header
// maps built by hand).
func lookupHeader(h http.Header, name string) []string {
	if v, ok := h[name]; ok {
		return v
	}
	var buf [64]byte
	if key, ok := canonicalKey(buf[:0], name); ok {
		if v, found := h[string(key)]; found {
			return v
		}
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// canonicalKey appends to dst the canonical MIME form of name (as
// textproto.CanonicalMIMEHeaderKey, without allocating); false when name
// is not a plain token, which textproto leaves unchanged.
func canonicalKey(dst []byte, name string) ([]byte, bool) {
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !tokenByte(c) {
			return nil, false
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst, true
}

func tokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// appendTrimmed appends v trimmed of leading and trailing spaces and tabs,
// with every run of spaces collapsed to one ("Trimall" in AWS's docs; the
// Go SDK's StripExcessSpaces). Spaces inside quotes collapse too.
func appendTrimmed(dst []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	if !strings.Contains(v, "  ") {
		return append(dst, v...)
	}
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		dst = append(dst, v[i])
	}
	return dst
}

// appendCanonicalPath appends the normalized, encoded path. Normalization is
// botocore's remove_dot_segments (AWS requires it of every service but S3):
// empty and "." segments dropped, ".." removes the previous segment, a
// trailing '/' kept when the path ends in '/' and anything is left. The
// result always starts with '/'.
func appendCanonicalPath(dst []byte, path string) []byte {
	if path == "" || path == "/" {
		return append(dst, '/')
	}
	var stack [32]string
	segs := stack[:0]
	for rest := path; ; {
		seg, tail, more := strings.Cut(rest, "/")
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
		if !more {
			break
		}
		rest = tail
	}
	dst = append(dst, '/')
	for i, s := range segs {
		if i > 0 {
			dst = append(dst, '/')
		}
		dst = appendEncoded(dst, s)
	}
	if len(segs) > 0 && path[len(path)-1] == '/' {
		dst = append(dst, '/')
	}
	return dst
}

// canonicalPath returns appendCanonicalPath's output.
func canonicalPath(path string) string { return string(appendCanonicalPath(nil, path)) }

type queryPair struct{ k, v string }

// appendCanonicalQuery appends the canonical query string of rawQuery (see
// CanonicalRequest); with presigned, X-Amz-Signature is left out.
func appendCanonicalQuery(dst []byte, rawQuery string, presigned bool) []byte {
	if rawQuery == "" {
		return dst
	}
	var stack [16]queryPair
	pairs := stack[:0]
	for rest := rawQuery; rest != ""; {
		var p string
		p, rest, _ = strings.Cut(rest, "&")
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		k = unescape(k)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, queryPair{encode(k), encode(unescape(v))})
	}
	// AWS: "the sorting occurs after encoding".
	slices.SortFunc(pairs, func(a, b queryPair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.k...)
		dst = append(dst, '=')
		dst = append(dst, p.v...)
	}
	return dst
}

// canonicalQuery returns appendCanonicalQuery's output.
func canonicalQuery(rawQuery string, presigned bool) string {
	return string(appendCanonicalQuery(nil, rawQuery, presigned))
}

const upperHex = "0123456789ABCDEF"

// unreserved reports RFC 3986's unreserved characters, the only ones SigV4
// leaves unencoded.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// appendEncoded appends s with every byte but the unreserved ones as %XX.
func appendEncoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

// encode is appendEncoded returning a string; s itself when nothing needs
// encoding.
func encode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	return string(appendEncoded(make([]byte, 0, len(s)+2*n), s))
}

// unescape percent-decodes s and turns '+' into a space, as form decoding
// does. An invalid escape is kept literally (then encoded as %25…): the
// signature decides whether the client meant it.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
