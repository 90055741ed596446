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
// shape of an ARN: "arn:" followed by at least five more colons outside
// policy variables. A pattern that does not have that shape (such as "*")
// is compiled to match the whole value.
func CompileARN(s string, variables bool) (a ARN, isARN bool) {
	var cuts []int
	if strings.HasPrefix(s, "arn:") {
		for i := 0; i < len(s) && len(cuts) < 5; i++ {
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
	}
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
