// Package query decodes AWS Query protocol parameters: the
// application/x-www-form-urlencoded body or URL query of an IAM or STS
// request, with lists as Name.member.N, structures as Name.Field and maps as
// Name.entry.N.key / Name.entry.N.value.
//
// Decoding is bounded (MaxFields) and strict: an invalid escape or a
// parameter given twice is refused, never guessed at.
package query

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/awserr"
)

// MaxFields bounds the number of parameters in one request. The largest
// legitimate IAM request (50 tags, a few scalars) has about 110.
const MaxFields = 1000

// Values is the decoded set of parameters of one request: names as sent
// ("Tags.member.1.Key"), values decoded.
type Values map[string]string

// Decode parses a form body or raw query string.
func Decode(raw string) (Values, error) {
	v := make(Values)
	if raw == "" {
		return v, nil
	}
	if n := strings.Count(raw, "&") + 1; n > MaxFields {
		return nil, tooMany()
	}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, val, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, malformed()
		}
		value, err := url.QueryUnescape(val)
		if err != nil {
			return nil, malformed()
		}
		if _, dup := v[key]; dup {
			return nil, duplicate(key)
		}
		v[key] = value
	}
	return v, nil
}

// Merge combines the URL query and the form body of one request; a
// parameter present in both is refused.
func Merge(a, b Values) (Values, error) {
	if len(a) == 0 {
		return b, nil
	}
	if len(a)+len(b) > MaxFields {
		return nil, tooMany()
	}
	out := make(Values, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if _, dup := out[k]; dup {
			return nil, duplicate(k)
		}
		out[k] = v
	}
	return out, nil
}

func malformed() error {
	return awserr.MalformedQueryString("The query string contains a syntax error.")
}

func tooMany() error {
	return &awserr.Error{Code: "MalformedQueryString", Message: "The request has more than " + strconv.Itoa(MaxFields) + " parameters.", Status: http.StatusBadRequest, Sender: true}
}

func duplicate(key string) error {
	if len(key) > 128 {
		key = key[:128] + "..."
	}
	return awserr.ValidationError("Parameter %s is given more than once.", strings.ToValidUTF8(key, "?"))
}

// String returns the parameter, "" when absent.
func (v Values) String(name string) string { return v[name] }

// Has reports whether the parameter is present.
func (v Values) Has(name string) bool {
	_, ok := v[name]
	return ok
}

// Int returns an integer parameter (validated beforehand).
func (v Values) Int(name string) (int, bool) {
	s, ok := v[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// Bool returns a boolean parameter (validated beforehand).
func (v Values) Bool(name string) (b, ok bool) {
	s, ok := v[name]
	if !ok {
		return false, false
	}
	b, err := strconv.ParseBool(s)
	return b, err == nil
}

// indexes returns the sorted N of every prefix.N.* or prefix.N parameter.
func (v Values) indexes(prefix string) []int {
	seen := map[int]bool{}
	for k := range v {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// List returns name.member.1 … name.member.N in order.
func (v Values) List(name string) []string {
	prefix := name + ".member."
	idx := v.indexes(prefix)
	out := make([]string, 0, len(idx))
	for _, n := range idx {
		out = append(out, v[prefix+strconv.Itoa(n)])
	}
	return out
}

// Structs returns name.member.N.Field as one Values per N, in order.
func (v Values) Structs(name string) []Values {
	prefix := name + ".member."
	idx := v.indexes(prefix)
	out := make([]Values, 0, len(idx))
	for _, n := range idx {
		p := prefix + strconv.Itoa(n) + "."
		s := Values{}
		for k, val := range v {
			if f, ok := strings.CutPrefix(k, p); ok {
				s[f] = val
			}
		}
		out = append(out, s)
	}
	return out
}

// Tag is a Key/Value pair of a tag list.
type Tag struct{ Key, Value string }

// Tags returns the tag list parameter name.
func (v Values) Tags(name string) []Tag {
	structs := v.Structs(name)
	out := make([]Tag, len(structs))
	for i, s := range structs {
		out[i] = Tag{Key: s["Key"], Value: s["Value"]}
	}
	return out
}

// Map returns name.entry.N.key / name.entry.N.value as a map.
func (v Values) Map(name string) map[string]string {
	prefix := name + ".entry."
	out := map[string]string{}
	for _, n := range v.indexes(prefix) {
		p := prefix + strconv.Itoa(n) + "."
		out[v[p+"key"]] = v[p+"value"]
	}
	return out
}
