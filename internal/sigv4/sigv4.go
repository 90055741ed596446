// Package sigv4 verifies AWS Signature Version 4 on the server side: parse
// the authentication (Authorization header or presigned query), check the
// clock, then — given the secret the caller looks up — rebuild the
// canonical request and string to sign and compare signatures in constant
// time. It is pure: no store, no globals; the clock is passed in.
//
// The stages (CanonicalRequest, StringToSign, DeriveSigningKey, Signature)
// are exported and tested one by one against AWS's test vectors.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxSkew is how far a request's date may be from the server's clock.
const MaxSkew = 15 * time.Minute

// MaxPresignExpiry is the longest X-Amz-Expires AWS accepts (7 days).
const MaxPresignExpiry = 604800

// SignedRequest is a request whose SigV4 authentication has been parsed and
// whose timing was checked, but whose signature is not verified yet.
type SignedRequest struct {
	AccessKeyID   string
	Date          string // yyyymmdd of the credential scope
	Region        string // as sent; any region is accepted
	Service       string // as sent
	Time          time.Time
	SignedHeaders []string
	Signature     string
	Presigned     bool

	method, path, rawQuery string
	headers                map[string][]string
	payloadHash            string
	amzDate                string
}

// Scope is the credential scope: date/region/service/aws4_request.
func (s *SignedRequest) Scope() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/aws4_request"
}

// Parse extracts and checks the SigV4 authentication of r. body is the
// complete request body. now is the server's clock.
func Parse(r *http.Request, body []byte, now time.Time) (*SignedRequest, error) {
	authz := r.Header.Get("Authorization")
	q := r.URL.Query()
	switch {
	case authz != "":
		return parseHeader(r, authz, body, now)
	case q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential"):
		return parsePresigned(r, q, body, now)
	}
	return nil, &Error{Kind: MissingAuth, Message: "Request is missing Authentication Token"}
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".
func parseAuthorization(authz string) (credential, signedHeaders, signature string, err *Error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(authz), " ")
	if alg != Algorithm {
		return "", "", "", incomplete(fmt.Sprintf("Unsupported AWS 'algorithm': '%s'", truncate(alg)))
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			signedHeaders = v
		case "Signature":
			signature = v
		}
	}
	var missing []string
	if credential == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if signedHeaders == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if len(missing) > 0 {
		return "", "", "", incomplete(strings.Join(missing, " ") + " Authorization=" + truncate(authz))
	}
	return credential, signedHeaders, signature, nil
}

func parseHeader(r *http.Request, authz string, body []byte, now time.Time) (*SignedRequest, error) {
	cred, signed, sig, perr := parseAuthorization(authz)
	if perr != nil {
		return nil, perr
	}
	amzDate := r.Header.Get("X-Amz-Date")
	var t time.Time
	var err error
	switch {
	case amzDate != "":
		t, err = time.Parse(TimeFormat, amzDate)
	case r.Header.Get("Date") != "":
		t, err = http.ParseTime(r.Header.Get("Date"))
		amzDate = t.UTC().Format(TimeFormat)
	default:
		return nil, incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + truncate(authz))
	}
	if err != nil {
		return nil, incomplete("Date must be in ISO-8601 'basic format'. Got '" + truncate(amzDate) + "'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	s, perr := newSigned(r, cred, signed, sig, t, amzDate)
	if perr != nil {
		return nil, perr
	}
	if perr := checkSkew(t, now); perr != nil {
		return s, perr
	}
	s.payloadHash = PayloadHash(body)
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != s.payloadHash {
		// The signature covers a hash that is not the body's.
		return s, &Error{Kind: SignatureMismatch, Message: MismatchMessage}
	}
	return s, nil
}

func parsePresigned(r *http.Request, q map[string][]string, body []byte, now time.Time) (*SignedRequest, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var missing []string
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if get(k) == "" {
			missing = append(missing, "'"+k+"'")
		}
	}
	if len(missing) > 0 {
		return nil, incomplete("AWS query-string parameters must include " + strings.Join(missing, ", ") + ". Re-examine the query-string parameters.")
	}
	if alg := get("X-Amz-Algorithm"); alg != Algorithm {
		return nil, incomplete(fmt.Sprintf("Unsupported AWS 'algorithm': '%s'", truncate(alg)))
	}
	amzDate := get("X-Amz-Date")
	t, err := time.Parse(TimeFormat, amzDate)
	if err != nil {
		return nil, incomplete("Date must be in ISO-8601 'basic format'. Got '" + truncate(amzDate) + "'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	s, perr := newSigned(r, get("X-Amz-Credential"), get("X-Amz-SignedHeaders"), get("X-Amz-Signature"), t, amzDate)
	if perr != nil {
		return nil, perr
	}
	s.Presigned = true
	expires := int64(MaxSkew / time.Second)
	if e := get("X-Amz-Expires"); e != "" {
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil || n < 1 || n > MaxPresignExpiry {
			return s, incomplete("X-Amz-Expires must be a number of seconds from 1 to 604800. Got '" + truncate(e) + "'.")
		}
		expires = n
	}
	// Presigned URLs: AWS reports an expired one the way it reports a
	// stale header date.
	if t.After(now.Add(MaxSkew)) {
		return s, notYetCurrent(t, now)
	}
	if end := t.Add(time.Duration(expires) * time.Second); now.After(end) {
		return s, &Error{Kind: Expired, Message: fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d sec.)",
			end.UTC().Format(TimeFormat), now.UTC().Format(TimeFormat), now.UTC().Format(TimeFormat), 0)}
	}
	s.payloadHash = PayloadHash(body)
	return s, nil
}

// newSigned checks the credential scope and the signed headers.
func newSigned(r *http.Request, credential, signedHeaders, signature string, t time.Time, amzDate string) (*SignedRequest, *Error) {
	parts := strings.Split(credential, "/")
	if len(parts) != 5 {
		return nil, incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + truncate(credential) + "'")
	}
	s := &SignedRequest{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3], Time: t, Signature: signature,
		method: r.Method, path: r.URL.Path, rawQuery: r.URL.RawQuery, amzDate: amzDate}
	switch {
	case s.AccessKeyID == "":
		return nil, incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + truncate(credential) + "'")
	case parts[4] != "aws4_request":
		return s, &Error{Kind: SignatureMismatch, Message: "Credential should be scoped with a valid terminator: 'aws4_request', not '" + truncate(parts[4]) + "'. "}
	case s.Date != t.UTC().Format("20060102"):
		return s, &Error{Kind: SignatureMismatch, Message: fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", truncate(s.Date), t.UTC().Format("20060102"), amzDate)}
	case s.Region == "":
		return s, &Error{Kind: SignatureMismatch, Message: "Credential should be scoped to a valid region. "}
	}
	s.SignedHeaders = strings.Split(signedHeaders, ";")
	hasHost := false
	for _, h := range s.SignedHeaders {
		if h == "host" {
			hasHost = true
		}
		if h == "" || h != strings.ToLower(h) {
			return s, incomplete("SignedHeaders must be a semicolon-separated list of lower-case header names. Got '" + truncate(signedHeaders) + "'.")
		}
	}
	if !hasHost {
		return s, &Error{Kind: SignatureMismatch, Message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}
	}
	s.headers = requestHeaders(r, s.SignedHeaders)
	return s, nil
}

// checkSkew refuses a request dated more than MaxSkew from now, with AWS's
// messages.
func checkSkew(t, now time.Time) *Error {
	if t.Before(now.Add(-MaxSkew)) {
		return &Error{Kind: Expired, Message: fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			t.UTC().Format(TimeFormat), now.Add(-MaxSkew).UTC().Format(TimeFormat), now.UTC().Format(TimeFormat))}
	}
	if t.After(now.Add(MaxSkew)) {
		return notYetCurrent(t, now)
	}
	return nil
}

func notYetCurrent(t, now time.Time) *Error {
	return &Error{Kind: Expired, Message: fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
		t.UTC().Format(TimeFormat), now.Add(MaxSkew).UTC().Format(TimeFormat), now.UTC().Format(TimeFormat))}
}

// CanonicalRequest returns the request's canonical request.
func (s *SignedRequest) CanonicalRequest() string {
	skip := ""
	if s.Presigned {
		skip = "X-Amz-Signature"
	}
	return CanonicalRequest(s.method, s.path, s.rawQuery, s.headers, s.SignedHeaders, s.payloadHash, skip)
}

// StringToSign returns the request's string to sign.
func (s *SignedRequest) StringToSign() string {
	return Algorithm + "\n" + s.amzDate + "\n" + s.Scope() + "\n" + hashHex(s.CanonicalRequest())
}

func hashHex(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// Verify checks the signature against secret, in constant time. cache may
// be nil.
func (s *SignedRequest) Verify(secret string, cache *SigningKeyCache) error {
	var key []byte
	if cache != nil {
		key = cache.Get(s.AccessKeyID, secret, s.Date, s.Region, s.Service)
	} else {
		key = DeriveSigningKey(secret, s.Date, s.Region, s.Service)
	}
	sts := s.StringToSign()
	want := hmacSHA256(key, sts)
	got, err := hex.DecodeString(s.Signature)
	if err != nil || !hmac.Equal(want, got) {
		return &Error{Kind: SignatureMismatch, Message: MismatchMessage, creq: s.CanonicalRequest(), sts: sts}
	}
	return nil
}

// SigningKeyCache caches derived signing keys per access key, secret,
// date, region and service. Safe for concurrent use; bounded.
type SigningKeyCache struct {
	mu   sync.RWMutex
	max  int
	keys map[signingKeyID][]byte
}

type signingKeyID struct {
	accessKeyID, date, region, service string
	secret                             [sha256.Size]byte // a changed secret never reuses a key
}

// NewSigningKeyCache returns a cache of at most max keys.
func NewSigningKeyCache(max int) *SigningKeyCache {
	return &SigningKeyCache{max: max, keys: make(map[signingKeyID][]byte)}
}

// Get returns the signing key, deriving and caching it when absent.
func (c *SigningKeyCache) Get(accessKeyID, secret, date, region, service string) []byte {
	id := signingKeyID{accessKeyID: accessKeyID, date: date, region: region, service: service, secret: sha256.Sum256([]byte(secret))}
	c.mu.RLock()
	k, ok := c.keys[id]
	c.mu.RUnlock()
	if ok {
		return k
	}
	k = DeriveSigningKey(secret, date, region, service)
	c.mu.Lock()
	if len(c.keys) >= c.max {
		clear(c.keys) // keys are cheap to derive again; keep the bound simple
	}
	c.keys[id] = k
	c.mu.Unlock()
	return k
}

// truncate bounds client-supplied text echoed in messages.
func truncate(s string) string {
	if len(s) > 256 {
		return s[:256] + "..."
	}
	return s
}
