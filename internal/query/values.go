package query

import (
	"strconv"
	"strings"
)

// The accessors below read parameters for handlers, after awsmodel has
// validated them against the operation's input shape: they do not report
// malformed input again, they only tell absent from present.

// String returns the parameter name, "" when absent.
func (v Values) String(name string) string { return v[name] }

// Has reports whether the parameter name is present, even with an empty
// value. For a list, Has(name) alone tells an empty list (botocore sends
// "Name=") from an absent one; List and Structs return nil for both.
func (v Values) Has(name string) bool {
	_, ok := v[name]
	return ok
}

// Int returns an integer parameter; ok is false when it is absent or not a
// decimal integer (optional sign, digits) that fits an int.
func (v Values) Int(name string) (n int, ok bool) {
	s, present := v[name]
	if !present {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	return n, true
}

// Bool returns a boolean parameter; ok is false when it is absent or neither
// "true" nor "false". Case does not matter, as in AWS's Query decoder (Java's
// Boolean parsing).
func (v Values) Bool(name string) (b, ok bool) {
	s, present := v[name]
	if !present {
		return false, false
	}
	return ParseBool(s)
}

// ParseBool parses a Query boolean: "true" or "false", in any case. It is
// the one definition that validation and Bool share.
func ParseBool(s string) (b, ok bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// List returns name.member.1 .. name.member.N in index order. Indexes are
// 1-based and contiguous (validation rejects gaps); List stops at the first
// missing index.
func (v Values) List(name string) []string {
	prefix := name + ".member."
	var out []string
	for i := 1; ; i++ {
		s, ok := v[prefix+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, s)
	}
}

// Structs returns the list of structures name.member.N.Field as one Values
// per element, in index order, each holding the element's parameters with
// the "name.member.N." prefix removed ("Key", "Value", or deeper names such
// as "Values.member.1" that the accessors read in turn). Like List, it stops
// at the first missing index.
func (v Values) Structs(name string) []Values {
	prefix := name + ".member."
	var elems map[int]Values
	for k, val := range v {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		num, field, ok := strings.Cut(rest, ".")
		if !ok || field == "" {
			continue
		}
		i, ok := Index(num)
		if !ok {
			continue
		}
		if elems == nil {
			elems = make(map[int]Values)
		}
		e := elems[i]
		if e == nil {
			e = make(Values)
			elems[i] = e
		}
		e[field] = val
	}
	var out []Values
	for i := 1; elems[i] != nil; i++ {
		out = append(out, elems[i])
	}
	return out
}

// Tag is one element of an IAM or STS tag list (Tags.member.N.Key and
// Tags.member.N.Value).
type Tag struct{ Key, Value string }

// Tags returns the tag list parameter name, in index order.
func (v Values) Tags(name string) []Tag {
	structs := v.Structs(name)
	if structs == nil {
		return nil
	}
	out := make([]Tag, len(structs))
	for i, s := range structs {
		out[i] = Tag{Key: s["Key"], Value: s["Value"]}
	}
	return out
}

// Map returns the map parameter name in the Query map encoding,
// name.entry.N.key and name.entry.N.value, N from 1 and contiguous; it stops
// at the first entry without a key. It returns nil when there is no entry.
func (v Values) Map(name string) map[string]string {
	prefix := name + ".entry."
	var out map[string]string
	for i := 1; ; i++ {
		p := prefix + strconv.Itoa(i) + "."
		k, ok := v[p+"key"]
		if !ok {
			return out
		}
		if out == nil {
			out = make(map[string]string)
		}
		out[k] = v[p+"value"]
	}
}

// Index parses the N of a list or map index (name.member.N,
// name.entry.N): a decimal integer from 1, without sign or leading zero, as
// the AWS SDKs write it. Indexes above MaxFields cannot belong to a
// contiguous list and are refused too.
func Index(s string) (int, bool) {
	if s == "" || len(s) > len(strconv.Itoa(MaxFields)) || s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > MaxFields {
		return 0, false
	}
	return n, true
}
