// Package wildcard matches the value patterns of the IAM policy language:
// '*' (any run of characters) and '?' (exactly one character) as in Action,
// Resource, StringLike and ArnLike, and the policy variables (${aws:username},
// ${*}, ${?}, ${$}, ${key, 'default'}) that policy version 2012-10-17
// substitutes from the request context.
//
// A Pattern is compiled once, when its policy is parsed; matching never
// fails with an error and, for patterns without variables, never allocates.
package wildcard

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// esc makes the character that follows it literal in a compiled pattern.
// A literal NUL in the source is itself escaped, so it cannot be forged.
const esc = '\x00'

// Pattern is a compiled pattern.
type Pattern struct {
	static string // compiled form when there are no variables
	exact  bool   // static has no wildcard and no escape: compare directly
	parts  []part // compiled form when there are variables
}

// part is a run of compiled pattern text, or a variable to substitute.
type part struct {
	text       string // compiled text (when !isVariable)
	isVariable bool
	key        string // the context key, e.g. "aws:username"
	def        string // default value, ${key, 'default'}
	hasDef     bool
}

// Compile compiles s. With wildcards, '*' and '?' are wildcards, otherwise
// they are literal (for StringEquals and the like). With variables,
// ${...} sequences are policy variables; otherwise they are literal text, as
// AWS treats them in version 2008-10-17 documents.
func Compile(s string, wildcards, variables bool) Pattern {
	var p Pattern
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			p.parts = append(p.parts, part{text: b.String()})
			b.Reset()
		}
	}
	for len(s) > 0 {
		if variables && strings.HasPrefix(s, "${") {
			if end := strings.IndexByte(s, '}'); end >= 0 {
				name := s[2:end]
				s = s[end+1:]
				switch name {
				case "*", "?", "$":
					b.WriteByte(esc)
					b.WriteString(name)
				default:
					flush()
					p.parts = append(p.parts, variable(name))
				}
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == esc, (r == '*' || r == '?') && !wildcards:
			b.WriteByte(esc)
		}
		b.WriteString(s[:n])
		s = s[n:]
	}
	switch {
	case len(p.parts) == 0:
		p.static = b.String()
		p.exact = !strings.ContainsAny(p.static, "*?\x00")
	default:
		flush()
	}
	return p
}

// variable parses the inside of ${...}: a key, optionally followed by a
// comma and a default value in single quotes (${aws:PrincipalTag/team, 'none'}).
func variable(name string) part {
	v := part{isVariable: true, key: strings.TrimSpace(name)}
	if key, def, ok := strings.Cut(name, ","); ok {
		def = strings.TrimSpace(def)
		if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
			v.key, v.def, v.hasDef = strings.TrimSpace(key), def[1:len(def)-1], true
		}
	}
	return v
}

// Keys returns the context keys of the policy variables in s, in order,
// as Compile with variables reads them (${aws:username} is aws:username,
// ${aws:PrincipalTag/team, 'none'} is aws:PrincipalTag/team); the escapes
// ${*}, ${?} and ${$} are no keys.
func Keys(s string) []string {
	var keys []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return keys
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return keys
		}
		switch name := s[i+2 : i+end]; name {
		case "*", "?", "$":
		default:
			keys = append(keys, variable(name).key)
		}
		s = s[i+end+1:]
	}
}

// HasVariables reports whether p substitutes policy variables.
func (p Pattern) HasVariables() bool { return p.parts != nil }

// IsAny reports whether p matches every value ("*").
func (p Pattern) IsAny() bool { return p.parts == nil && p.static == "*" }

// Match reports whether value matches p, comparing case-insensitively when
// fold is set. Variables are looked up in ctx (see Lookup); a variable that
// has no single value in ctx and no default makes p match nothing, as AWS
// does.
func (p Pattern) Match(value string, fold bool, ctx map[string][]string) bool {
	switch {
	case p.exact && fold:
		return equalFoldString(p.static, value)
	case p.exact:
		return p.static == value
	case p.parts == nil:
		return match(p.static, value, fold)
	}
	var buf [256]byte
	b := buf[:0]
	for _, pt := range p.parts {
		if !pt.isVariable {
			b = append(b, pt.text...)
			continue
		}
		v, ok := Lookup(ctx, pt.key)
		switch {
		case ok && len(v) == 1:
			b = appendEscaped(b, v[0])
		case !ok && pt.hasDef:
			b = appendEscaped(b, pt.def)
		default: // missing, or multivalued (AWS refuses those as variables)
			return false
		}
	}
	return match(b, value, fold)
}

// appendEscaped appends s with every character literal.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '*' || c == '?' || c == esc {
			b = append(b, esc)
		}
		b = append(b, s[i])
	}
	return b
}

// Lookup returns the values of a context key. Keys compare ignoring case,
// as AWS compares condition keys; a key with no values is absent.
func Lookup(ctx map[string][]string, key string) ([]string, bool) {
	if v, ok := ctx[key]; ok {
		return v, len(v) > 0
	}
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v, len(v) > 0
		}
	}
	return nil, false
}

// match is the matcher over compiled text: '*' matches any run of
// characters, '?' one character, esc makes the next character literal.
// It backtracks only to the last '*', which is enough for globs, so it runs
// in O(len(pattern) * len(value)) at worst.
func match[P string | []byte](pattern P, value string, fold bool) bool {
	p, v := 0, 0
	starP, starV := -1, 0
	for v < len(value) {
		// Fast path: an ASCII literal against an ASCII character.
		if p < len(pattern) {
			if pc, vc := pattern[p], value[v]; pc < utf8.RuneSelf && vc < utf8.RuneSelf && pc != '*' && pc != '?' && pc != esc {
				if pc == vc || fold && lowerASCII(pc) == lowerASCII(vc) {
					p++
					v++
					continue
				}
				goto backtrack
			}
		}
		if p < len(pattern) {
			c, n := decode(pattern[p:])
			switch c {
			case '*':
				p += n
				starP, starV = p, v
				continue
			case '?':
				_, vn := decode(value[v:])
				p += n
				v += vn
				continue
			case esc:
				if p+n < len(pattern) {
					var m int
					c, m = decode(pattern[p+n:])
					n += m
				}
			}
			vc, vn := decode(value[v:])
			if c == vc || fold && equalFold(c, vc) {
				p += n
				v += vn
				continue
			}
		}
	backtrack:
		if starP < 0 {
			return false
		}
		// Let the last '*' absorb one more character and retry.
		_, vn := decode(value[starV:])
		starV += vn
		p, v = starP, starV
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// decode returns the first character of s and its length in bytes. A byte
// that is not valid UTF-8 decodes to a negative rune of its own, so that it
// equals only the same byte (not U+FFFD, nor another invalid byte).
func decode[S string | []byte](s S) (rune, int) {
	if s[0] < utf8.RuneSelf {
		return rune(s[0]), 1
	}
	var b [utf8.UTFMax]byte
	r, n := utf8.DecodeRune(b[:copy(b[:], s)])
	if r == utf8.RuneError && n == 1 {
		return -1 - rune(s[0]), 1
	}
	return r, n
}

// equalFoldString is strings.EqualFold, except that invalid UTF-8 bytes
// compare as bytes (see decode).
func equalFoldString(a, b string) bool {
	for len(a) > 0 && len(b) > 0 {
		if a[0] < utf8.RuneSelf && b[0] < utf8.RuneSelf {
			if lowerASCII(a[0]) != lowerASCII(b[0]) {
				return false
			}
			a, b = a[1:], b[1:]
			continue
		}
		ra, na := decode(a)
		rb, nb := decode(b)
		if ra != rb && !equalFold(ra, rb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) == len(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func equalFold(a, b rune) bool {
	if a < 0 || b < 0 {
		return a == b
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	return unicode.ToLower(a) == unicode.ToLower(b) || unicode.ToUpper(a) == unicode.ToUpper(b)
}
