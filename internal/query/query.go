// Package query decodes the parameters of an AWS Query protocol request (the
// protocol IAM and STS speak): an application/x-www-form-urlencoded body or
// a URL query string, into a flat set of names and values.
//
// Names stay as the client sent them, in the Query encoding botocore and the
// AWS SDKs produce:
//
//	UserName=alice                    a scalar
//	Tags.member.1.Key=team            list element 1 (1-based), field Key
//	TagKeys.member.2=team             list element 2, a scalar
//	TagKeys=                          an empty list (botocore's encoding)
//	Context.entry.1.key=k             map entry 1 (key and value)
//	Context.entry.1.value=v
//
// Decoding is bounded and strict: more than MaxFields parameters, an invalid
// percent-escape or a parameter given twice is refused with an AWS error,
// never guessed at. Decoding knows nothing of any operation: checking values
// against an operation's input shape is package awsmodel's job, and the typed
// accessors (Int, Bool, List, Structs, Tags, Map) assume that check passed.
package query

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/awserr"
)

// MaxFields bounds the number of parameters in one request (URL query and
// body together). The largest legitimate IAM or STS request, a
// SimulateCustomPolicy with long action and resource lists, stays well below.
// Decode stops at the first field past the bound, so a hostile request costs
// at most MaxFields map insertions.
const MaxFields = 10000

// maxNameInMessage bounds how much of a client-sent name an error message
// repeats.
const maxNameInMessage = 128

// Values is the decoded set of parameters of one request: names as sent
// ("Tags.member.1.Key"), values decoded. Values are the bytes the client
// percent-encoded, not necessarily valid UTF-8: validation (awsmodel) refuses
// invalid UTF-8 where a member's pattern does not admit U+FFFD, as AWS's
// decoder turns each malformed byte into U+FFFD before matching.
type Values map[string]string

// Decode parses an application/x-www-form-urlencoded body or a raw URL query
// string. Fields are separated by '&'; a field without '=' has the empty
// value; empty fields and fields with an empty name are skipped; '+' decodes
// to a space in names and values, as in HTML forms and AWS's decoder.
//
// Errors, all *awserr.Error with a Sender fault:
//   - an invalid percent-escape ("%zz", a trailing "%"): MalformedQueryString
//     (HTTP 404, the status AWS lists for that code);
//   - a parameter given twice: InvalidQueryParameter (400). What AWS does
//     with a repeated name is not documented; Latchkey refuses it rather
//     than pick one value, so that the value validated, signed and acted on
//     can only be the one the client sent;
//   - more than MaxFields parameters: InvalidQueryParameter (400).
//
// Decode never panics, whatever raw holds.
func Decode(raw string) (Values, error) {
	hint := strings.Count(raw, "&") + 1
	if hint > 64 {
		hint = 64 // grow on demand: a hostile count must not size the map
	}
	v := make(Values, hint)
	fields := 0
	for raw != "" {
		var field string
		field, raw, _ = strings.Cut(raw, "&")
		if field == "" {
			continue
		}
		k, val, _ := strings.Cut(field, "=")
		if k == "" {
			continue
		}
		if fields++; fields > MaxFields {
			return nil, tooManyFields()
		}
		name, err := unescape(k)
		if err != nil {
			return nil, err
		}
		value, err := unescape(val)
		if err != nil {
			return nil, err
		}
		if _, dup := v[name]; dup {
			return nil, awserr.InvalidQueryParameter("The parameter %s is given more than once.", quoteName(name))
		}
		v[name] = value
	}
	return v, nil
}

// Merge combines the parameters of the URL query and of the form body of one
// request (a POST may carry Action and the rest in either). A parameter
// present in both is refused with InvalidQueryParameter, as Decode refuses a
// repeated one, and so are more than MaxFields parameters in all. The result
// may be one of the arguments when the other is empty; neither is modified.
func Merge(urlQuery, body Values) (Values, error) {
	if len(urlQuery) == 0 {
		return body, nil
	}
	if len(body) == 0 {
		return urlQuery, nil
	}
	if len(urlQuery)+len(body) > MaxFields {
		return nil, tooManyFields()
	}
	out := make(Values, len(urlQuery)+len(body))
	for k, v := range urlQuery {
		out[k] = v
	}
	for k, v := range body {
		if _, dup := out[k]; dup {
			return nil, awserr.InvalidQueryParameter("The parameter %s is given both in the URL and in the request body.", quoteName(k))
		}
		out[k] = v
	}
	return out, nil
}

func tooManyFields() error {
	return awserr.InvalidQueryParameter("The request has more than %d parameters.", MaxFields)
}

// quoteName renders a client-sent parameter name for an error message:
// bounded, valid UTF-8, non-printable characters escaped.
func quoteName(name string) string {
	if len(name) > maxNameInMessage {
		cut := maxNameInMessage
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut] + "..."
	}
	return strconv.Quote(name)
}

// unescape decodes one form-encoded name or value: "%XY" is the byte 0xXY and
// '+' is a space. It returns s itself when there is nothing to decode.
func unescape(s string) (string, error) {
	n := 0
	plus := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				end := min(i+3, len(s))
				return "", awserr.MalformedQueryString("The query string contains a syntax error: invalid percent-encoding %s.", strconv.Quote(strings.ToValidUTF8(s[i:end], "\uFFFD")))
			}
			n++
			i += 2
		case '+':
			plus = true
		}
	}
	if n == 0 && !plus {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s) - 2*n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}
