package wildcard

import "strings"

// ARN is a compiled ARN pattern, matched as AWS matches the Resource element
// and the ArnLike/ArnEquals operators: each of the six colon-separated
// components (arn, partition, service, region, account, resource) on its
// own, so a wildcard never spans a colon in the first five; the sixth
// component is the rest of the ARN, colons included. Matching is
// case-sensitive.
type ARN struct {
	segs []Pattern // six components, or one pattern for the whole value
}

// CompileARN compiles s as an ARN pattern and reports whether s has the
// shape of an ARN: six components, that is at least five colons outside
// policy variables. A pattern that does not have that shape (such as "*",
// or "arn:aws:service" with fewer components, which IAM also accepts) is
// compiled to match the whole value, its wildcards spanning colons.
func CompileARN(s string, variables bool) (a ARN, isARN bool) {
	cuts := Colons(s, variables, 5)
	if len(cuts) < 5 {
		return ARN{segs: []Pattern{Compile(s, true, variables)}}, false
	}
	segs := make([]Pattern, 0, 6)
	start := 0
	for _, c := range cuts {
		segs = append(segs, Compile(s[start:c], true, variables))
		start = c + 1
	}
	segs = append(segs, Compile(s[start:], true, variables))
	return ARN{segs: segs}, true
}

// Colons returns the byte offsets of the first max colons of s (all of
// them when max < 0), not counting those inside policy variables
// (${aws:username}) when variables is set.
func Colons(s string, variables bool, max int) []int {
	var cuts []int
	for i := 0; i < len(s) && (max < 0 || len(cuts) < max); i++ {
		if variables && strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i:], '}'); end >= 0 {
				i += end
				continue
			}
		}
		if s[i] == ':' {
			cuts = append(cuts, i)
		}
	}
	return cuts
}

// IsAny reports whether a matches every value ("*").
func (a ARN) IsAny() bool { return len(a.segs) == 1 && a.segs[0].IsAny() }

// Match reports whether value matches a; variables are looked up in ctx.
func (a ARN) Match(value string, ctx map[string][]string) bool {
	if len(a.segs) == 1 {
		return a.segs[0].Match(value, false, ctx)
	}
	rest := value
	for _, seg := range a.segs[:5] {
		component, after, ok := strings.Cut(rest, ":")
		if !ok || !seg.Match(component, false, ctx) {
			return false
		}
		rest = after
	}
	return a.segs[5].Match(rest, false, ctx)
}
