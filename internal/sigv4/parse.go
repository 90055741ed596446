package sigv4

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxSkew is how far a request's date may be from the server's clock, either
// way (AWS: 15 minutes).
const MaxSkew = 15 * time.Minute

// MaxPresignExpiry is the largest X-Amz-Expires AWS accepts: 7 days, in
// seconds.
const MaxPresignExpiry = 604800

// Parse extracts the SigV4 authentication of r and checks everything that
// needs no secret. body is the complete request body, already read by the
// caller (with its size limit); it is kept, not copied, for Verify. now is
// the server's clock.
//
// The Authorization header form is used when the header is present (its
// first value), else the presigned query form when the query holds any of
// X-Amz-Algorithm, X-Amz-Credential or X-Amz-Signature (AWS's own message
// then names whichever of the five required parameters are missing), else
// the request is unauthenticated (MissingAuth).
//
// Checked, in order: the algorithm is AWS4-HMAC-SHA256; the Credential,
// SignedHeaders and Signature parts and the date are present; the date is
// ISO 8601 basic (a Date header in HTTP format is accepted when there is no
// X-Amz-Date, as AWS does); the credential is keyid/yyyymmdd/region/
// service/aws4_request with the scope's date equal to the request date's;
// "host" is signed; the clock: header form within MaxSkew of now either
// way; presigned form not dated more than MaxSkew in the future and, with
// X-Amz-Expires (1..MaxPresignExpiry seconds), not past date+expires, or
// without it within MaxSkew like the header form. Any region and service
// are accepted here; the caller checks the service against its endpoint.
//
// The error is an *Error. The *SignedRequest is returned, with the error,
// as soon as the credential has been split, so the caller can log the
// access key id of a refused request; it must not be verified then.
func Parse(r *http.Request, body []byte, now time.Time) (*SignedRequest, error) {
	if r == nil || r.URL == nil {
		return nil, newError(MissingAuth, MissingAuthMessage)
	}
	if v := lookupHeader(r.Header, "Authorization"); len(v) > 0 && strings.TrimSpace(v[0]) != "" {
		return parseHeaderForm(r, strings.TrimSpace(v[0]), body, now)
	}
	if p := scanPresigned(r.URL.RawQuery); p.present() {
		return parsePresigned(r, &p, body, now)
	}
	return nil, newError(MissingAuth, MissingAuthMessage)
}

// authorization holds the parts of an Authorization header.
type authorization struct {
	credential, signedHeaders, signature string
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…" into its parts. Parts may come in any order, separated by
// commas with optional spaces; unknown parts are ignored; a part without
// '=' is refused with AWS's message. Missing parts are left empty: the
// caller reports them together with a missing date, as AWS does.
func parseAuthorization(value string) (authorization, *Error) {
	var a authorization
	alg, rest, _ := strings.Cut(value, " ")
	if alg != Algorithm {
		return a, newError(Incomplete, "Unsupported AWS 'algorithm': '"+echo(alg)+"'")
	}
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return a, newError(Incomplete, "'"+echo(part)+"' not a valid key=value pair (missing equal-sign) in Authorization header: '"+echo(value)+"'.")
		}
		switch strings.TrimSpace(k) {
		case "Credential":
			a.credential = strings.TrimSpace(v)
		case "SignedHeaders":
			a.signedHeaders = strings.TrimSpace(v)
		case "Signature":
			a.signature = strings.TrimSpace(v)
		}
	}
	return a, nil
}

func parseHeaderForm(r *http.Request, value string, body []byte, now time.Time) (*SignedRequest, error) {
	a, perr := parseAuthorization(value)
	if perr != nil {
		return nil, perr
	}
	date, httpDate := firstHeader(r.Header, "X-Amz-Date"), false
	if date == "" {
		date, httpDate = firstHeader(r.Header, "Date"), true
	}
	if a.credential == "" || a.signature == "" || a.signedHeaders == "" || date == "" {
		// AWS lists every missing part, then echoes the header.
		var b strings.Builder
		if a.credential == "" {
			b.WriteString("Authorization header requires 'Credential' parameter. ")
		}
		if a.signature == "" {
			b.WriteString("Authorization header requires 'Signature' parameter. ")
		}
		if a.signedHeaders == "" {
			b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
		}
		if date == "" {
			b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
		}
		b.WriteString("Authorization=")
		b.WriteString(echo(value))
		return nil, newError(Incomplete, b.String())
	}
	t, ok := parseTime(date, httpDate)
	if !ok {
		return nil, badDate(date)
	}
	s, perr := newSignedRequest(r, a, t, date, body)
	if perr != nil {
		return s, perr
	}
	s.SecurityToken = firstHeader(r.Header, "X-Amz-Security-Token")
	if perr := checkSkew(t, now); perr != nil {
		return s, perr
	}
	return s, nil
}

// presignedParams are the authentication parameters of a presigned query,
// decoded. The first occurrence of each counts; all occurrences are signed.
type presignedParams struct {
	algorithm, credential, signature, signedHeaders, date, expires, token queryParam
}

type queryParam struct {
	value string
	ok    bool // present, possibly empty
}

func (p *presignedParams) present() bool {
	return p.algorithm.ok || p.credential.ok || p.signature.ok
}

// scanPresigned reads the X-Amz-* parameters out of a raw query without
// building a map.
func scanPresigned(rawQuery string) presignedParams {
	var p presignedParams
	if !strings.Contains(rawQuery, "X-Amz-") && !strings.Contains(rawQuery, "%") {
		return p
	}
	for rest := rawQuery; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		k, v, _ := strings.Cut(pair, "=")
		var dst *queryParam
		switch unescape(k) {
		case "X-Amz-Algorithm":
			dst = &p.algorithm
		case "X-Amz-Credential":
			dst = &p.credential
		case "X-Amz-Signature":
			dst = &p.signature
		case "X-Amz-SignedHeaders":
			dst = &p.signedHeaders
		case "X-Amz-Date":
			dst = &p.date
		case "X-Amz-Expires":
			dst = &p.expires
		case "X-Amz-Security-Token":
			dst = &p.token
		default:
			continue
		}
		if !dst.ok {
			*dst = queryParam{value: unescape(v), ok: true}
		}
	}
	return p
}

func parsePresigned(r *http.Request, p *presignedParams, body []byte, now time.Time) (*SignedRequest, error) {
	var missing []string
	for _, m := range [...]struct {
		name, value string
	}{
		{"X-Amz-Algorithm", p.algorithm.value},
		{"X-Amz-Credential", p.credential.value},
		{"X-Amz-Signature", p.signature.value},
		{"X-Amz-SignedHeaders", p.signedHeaders.value},
		{"X-Amz-Date", p.date.value},
	} {
		if m.value == "" {
			missing = append(missing, "'"+m.name+"'")
		}
	}
	if len(missing) > 0 {
		return nil, newError(Incomplete, "AWS query-string parameters must include "+strings.Join(missing, ", ")+". Re-examine the query-string parameters.")
	}
	if p.algorithm.value != Algorithm {
		return nil, newError(Incomplete, "Unsupported AWS 'algorithm': '"+echo(p.algorithm.value)+"'")
	}
	t, ok := parseTime(p.date.value, false)
	if !ok {
		return nil, badDate(p.date.value)
	}
	a := authorization{credential: p.credential.value, signedHeaders: p.signedHeaders.value, signature: p.signature.value}
	s, perr := newSignedRequest(r, a, t, p.date.value, body)
	if perr != nil {
		return s, perr
	}
	s.Presigned = true
	s.in.presigned = true
	s.SecurityToken = p.token.value
	if !p.expires.ok {
		// Nothing says how long the URL lives: hold it to the header form's
		// window.
		if perr := checkSkew(t, now); perr != nil {
			return s, perr
		}
		return s, nil
	}
	n, err := strconv.ParseInt(p.expires.value, 10, 64)
	switch {
	// S3's words; IAM and STS document none of their own.
	case err != nil:
		return s, newError(Incomplete, "X-Amz-Expires should be a number")
	case n < 0:
		return s, newError(Incomplete, "X-Amz-Expires must be non-negative")
	case n == 0:
		return s, newError(Incomplete, "X-Amz-Expires must be greater than 0")
	case n > MaxPresignExpiry:
		return s, newError(Incomplete, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	if t.After(now.Add(MaxSkew)) {
		return s, notYetCurrent(t, now)
	}
	if end := t.Add(time.Duration(n) * time.Second); now.After(end) {
		// AWS documents no message for an expired presigned URL outside S3
		// (whose "Request has expired" is AccessDenied). Latchkey answers
		// SignatureDoesNotMatch in the shape of AWS's clock-skew message,
		// with the URL's end of life as the date and no tolerance:
		// "Signature expired: <date+expires> is now earlier than <now> (<now> - 0 min.)".
		return s, newError(Expired, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 0 min.)",
			end.UTC().Format(TimeFormat), now.UTC().Format(TimeFormat), now.UTC().Format(TimeFormat)))
	}
	return s, nil
}

// newSignedRequest checks the credential scope and the signed headers and
// builds the SignedRequest. date is the request date as sent, for messages.
func newSignedRequest(r *http.Request, a authorization, t time.Time, date string, body []byte) (*SignedRequest, *Error) {
	var parts [5]string // keyid/date/region/service/terminator
	if strings.Count(a.credential, "/") != len(parts)-1 {
		return nil, badCredential(a.credential)
	}
	rest := a.credential
	for i := range len(parts) - 1 {
		parts[i], rest, _ = strings.Cut(rest, "/")
	}
	parts[len(parts)-1] = rest
	if parts[0] == "" {
		return nil, badCredential(a.credential)
	}
	s := &SignedRequest{
		AccessKeyID: parts[0],
		Date:        parts[1],
		Region:      parts[2],
		Service:     parts[3],
		Time:        t,
		Signature:   a.signature,
		body:        body,
		in: canonicalInput{
			method:        r.Method,
			path:          requestPath(r),
			rawQuery:      r.URL.RawQuery,
			header:        r.Header,
			host:          requestHost(r),
			hasHost:       true,
			contentLength: r.ContentLength,
		},
	}
	s.in.transferEncoding = r.TransferEncoding
	s.in.s3 = s.Service == "s3"
	var db [len(dateFormat)]byte
	if want := t.UTC().AppendFormat(db[:0], dateFormat); s.Date != string(want) {
		return s, newError(SignatureMismatch, fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			echo(s.Date), t.UTC().Format(dateFormat), echo(date)))
	}
	if s.Region == "" {
		return s, newError(SignatureMismatch, "Credential should be scoped to a valid region. ")
	}
	if parts[4] != "aws4_request" {
		return s, newError(SignatureMismatch, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+echo(parts[4])+"'. ")
	}
	s.SignedHeaders = strings.Split(a.signedHeaders, ";")
	s.in.signedHeaders = s.SignedHeaders
	hasHost := false
	for _, h := range s.SignedHeaders {
		if strings.EqualFold(h, "host") {
			hasHost = true
		}
	}
	if !hasHost {
		return s, newError(SignatureMismatch, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return s, nil
}

// requestPath is the path as the client sent it: r.RequestURI's (set by
// Go's server, untouched by routing), else the URL's escaped path (a
// client-side request, as the SDKs sign it).
func requestPath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if o := r.URL.Opaque; o != "" { // as aws-sdk-go-v2's GetURIPath
		o, _, _ = strings.Cut(o, "?")
		o = strings.TrimPrefix(o, "//")
		if i := strings.IndexByte(o, '/'); i >= 0 {
			return o[i:]
		}
		return "/"
	}
	return r.URL.EscapedPath()
}

// requestHost is the Host the client sent: Go's server moves it from the
// header to r.Host; a client-side request may only have it in the URL.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if v := firstHeader(r.Header, "Host"); v != "" {
		return v
	}
	return r.URL.Host
}

func firstHeader(h http.Header, name string) string {
	if v := lookupHeader(h, name); len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// parseTime parses an ISO 8601 basic date (20060102T150405Z) or, when
// httpDate, also an HTTP Date header.
func parseTime(v string, httpDate bool) (time.Time, bool) {
	if len(v) == len(TimeFormat) {
		if t, err := time.Parse(TimeFormat, v); err == nil {
			return t, true
		}
	}
	if httpDate {
		if t, err := http.ParseTime(v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func badDate(v string) *Error {
	return newError(Incomplete, "Date must be in ISO-8601 'basic format'. Got '"+echo(v)+"'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// checkSkew refuses a request dated more than MaxSkew from now, with AWS's
// messages.
func checkSkew(t, now time.Time) *Error {
	if t.Before(now.Add(-MaxSkew)) {
		return newError(Expired, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			t.UTC().Format(TimeFormat), now.Add(-MaxSkew).UTC().Format(TimeFormat), now.UTC().Format(TimeFormat)))
	}
	if t.After(now.Add(MaxSkew)) {
		return notYetCurrent(t, now)
	}
	return nil
}

func notYetCurrent(t, now time.Time) *Error {
	return newError(Expired, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
		t.UTC().Format(TimeFormat), now.Add(MaxSkew).UTC().Format(TimeFormat), now.UTC().Format(TimeFormat)))
}

func badCredential(v string) *Error {
	return newError(Incomplete, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+echo(v)+"'")
}
