package codegen

import (
	"fmt"
	"regexp"
	"strings"
)

// rewrite is a hand translation of a model pattern that RE2 cannot express
// directly: the value must match RE and must not match Reject.
type rewrite struct{ RE, Reject string }

// rewrites holds the model patterns that use constructs RE2 lacks
// (lookaround), each with an equivalent RE2 form. A new such pattern in a
// botocore update makes generation fail until it is added here.
var rewrites = map[string]rewrite{
	// OIDC provider and similar DNS-label names: 3 to 63 of [a-z0-9-],
	// starting and ending with a letter or digit, and "-(?!-)" forbids two
	// hyphens in a row.
	`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`: {RE: `[a-z0-9][a-z0-9-]{1,61}[a-z0-9]`, Reject: `--`},
}

// javaDot is what '.' matches in Java without DOTALL: any character but the
// line terminators \n, \r, U+0085, U+2028 and U+2029 (RE2's '.' only
// excludes \n).
const javaDot = `[^\n\r\x{85}\x{2028}\x{2029}]`

// ConvertPattern translates a model pattern, a java.util.regex expression
// that AWS matches against the whole value (String.matches), into an RE2
// expression with the same meaning, anchored as ^(?:...)$, and an optional
// RE2 expression the value must not match (see rewrites).
//
// Translated: \uXXXX (exactly four hex digits, as Java reads it; so the
// model's "\u10000" is U+1000 followed by '0') becomes \x{XXXX}; \s becomes
// Java's ASCII whitespace set (which, unlike RE2's, has \x0B); '.' excludes
// Java's line terminators. Refused, so that no pattern silently means
// something else: nested character classes and && (Java's class union and
// intersection), \S inside a class, and the escapes RE2 reads differently or
// not at all (\v, \h, \R, \X, \G, \Z, \k, octal \0). Anything else RE2 does
// not support (lookaround, possessive quantifiers) fails to compile and is
// refused too, unless rewrites has a hand translation.
func ConvertPattern(java string) (re2, reject string, err error) {
	if rw, ok := rewrites[java]; ok {
		re2 = anchor(rw.RE)
		if _, err := regexp.Compile(re2); err != nil {
			return "", "", fmt.Errorf("rewrite of pattern %q: %w", java, err)
		}
		if _, err := regexp.Compile(rw.Reject); err != nil {
			return "", "", fmt.Errorf("rewrite of pattern %q: %w", java, err)
		}
		return re2, rw.Reject, nil
	}
	var b strings.Builder
	inClass := false
	classStart := 0 // index just past "[" or "[^" of the open class
	for i := 0; i < len(java); {
		c := java[i]
		switch {
		case c == '\\':
			if i+1 >= len(java) {
				return "", "", fmt.Errorf("pattern %q: trailing backslash", java)
			}
			switch d := java[i+1]; d {
			case 'u':
				if i+6 > len(java) || !isHex4(java[i+2:i+6]) {
					return "", "", fmt.Errorf("pattern %q: \\u needs four hex digits", java)
				}
				b.WriteString(`\x{` + java[i+2:i+6] + `}`)
				i += 6
				continue
			case 's':
				if inClass {
					b.WriteString(`\t\n\x0B\f\r\x20`)
				} else {
					b.WriteString(`[\t\n\x0B\f\r\x20]`)
				}
			case 'S':
				if inClass {
					return "", "", fmt.Errorf("pattern %q: \\S inside a class has no RE2 form", java)
				}
				b.WriteString(`[^\t\n\x0B\f\r\x20]`)
			case 'v', 'h', 'H', 'V', 'R', 'X', 'G', 'Z', 'k', '0', 'c', 'N':
				return "", "", fmt.Errorf("pattern %q: escape \\%c means something else, or nothing, in RE2", java, d)
			default:
				b.WriteString(java[i : i+2])
			}
			i += 2
			continue
		case inClass && c == '[':
			return "", "", fmt.Errorf("pattern %q: nested character class (Java union) has no RE2 form", java)
		case inClass && c == '&' && i+1 < len(java) && java[i+1] == '&':
			return "", "", fmt.Errorf("pattern %q: class intersection && has no RE2 form", java)
		case inClass && c == ']' && i > classStart:
			inClass = false
		case !inClass && c == '[':
			inClass = true
			classStart = i + 1
			if classStart < len(java) && java[classStart] == '^' {
				classStart++
			}
		case !inClass && c == '.':
			b.WriteString(javaDot)
			i++
			continue
		}
		b.WriteByte(c)
		i++
	}
	if inClass {
		return "", "", fmt.Errorf("pattern %q: unterminated character class", java)
	}
	re2 = anchor(b.String())
	if _, err := regexp.Compile(re2); err != nil {
		return "", "", fmt.Errorf("pattern %q has no direct RE2 form (%v); add a hand translation to rewrites", java, err)
	}
	return re2, "", nil
}

// anchor gives re AWS's whole-value semantics.
func anchor(re string) string { return `^(?:` + re + `)$` }

func isHex4(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return len(s) == 4
}
