package policy

import "strings"

// Decision is the outcome of evaluating policies for one request.
type Decision int

const (
	// NoDecision: nothing allowed the request (an implicit deny).
	NoDecision Decision = iota
	Allow
	Deny
)

// Request is what a policy is evaluated against.
type Request struct {
	Action   string // "iam:CreateUser"
	Resource string // an ARN
	// Context holds condition keys (aws:username, aws:userid,
	// aws:CurrentTime, …) and the values of policy variables.
	Context map[string][]string
}

// Evaluate applies AWS's rules: any matching Deny wins; else any matching
// Allow allows; else NoDecision.
func Evaluate(policies []*Policy, req Request) Decision {
	allowed := false
	for _, p := range policies {
		for i := range p.Statements {
			s := &p.Statements[i]
			if !s.applies(p.Version, req) {
				continue
			}
			if s.Effect == EffectDeny {
				return Deny
			}
			allowed = true
		}
	}
	if allowed {
		return Allow
	}
	return NoDecision
}

func (s *Statement) applies(version string, req Request) bool {
	if s.Actions != nil && !anyMatch(s.Actions, req.Action, true) {
		return false
	}
	if s.NotActions != nil && anyMatch(s.NotActions, req.Action, true) {
		return false
	}
	resources := s.Resources
	if resources == nil {
		resources = s.NotResources
	}
	if version == Version2012 {
		resources = substitute(resources, req.Context)
	}
	if s.Resources != nil && !anyMatch(resources, req.Resource, false) {
		return false
	}
	if s.NotResources != nil && anyMatch(resources, req.Resource, false) {
		return false
	}
	for i := range s.Conditions {
		if !s.Conditions[i].matches(req.Context) {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, value string, foldCase bool) bool {
	for _, p := range patterns {
		if wildcardMatch(p, value, foldCase) {
			return true
		}
	}
	return false
}

// substitute replaces policy variables (${aws:username}, ${*}, ${?}, ${$}).
// A variable with no value makes the resource match nothing.
func substitute(resources []string, ctx map[string][]string) []string {
	var out []string
	for _, r := range resources {
		if !strings.Contains(r, "${") {
			out = append(out, r)
			continue
		}
		var b strings.Builder
		ok := true
		rest := r
		for {
			i := strings.Index(rest, "${")
			if i < 0 {
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:i])
			j := strings.IndexByte(rest[i:], '}')
			if j < 0 {
				b.WriteString(rest[i:])
				break
			}
			name := rest[i+2 : i+j]
			switch name {
			case "*", "?", "$":
				b.WriteString("\x00" + name) // literal, not a wildcard
			default:
				vals, present := lookupKey(ctx, name)
				if !present {
					ok = false
				} else {
					b.WriteString(vals[0])
				}
			}
			rest = rest[i+j+1:]
		}
		if ok {
			out = append(out, b.String())
		}
	}
	return out
}

// wildcardMatch matches value against pattern where '*' is any run and '?'
// any one character; "\x00c" in pattern is the literal c.
func wildcardMatch(pattern, value string, foldCase bool) bool {
	if foldCase {
		pattern, value = strings.ToLower(pattern), strings.ToLower(value)
	}
	p, v := []rune(pattern), []rune(value)
	pi, vi := 0, 0
	star, mark := -1, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && p[pi] == 0 && pi+1 < len(p) && p[pi+1] == v[vi]:
			pi += 2
			vi++
		case pi < len(p) && p[pi] == '?':
			pi++
			vi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, vi
			pi++
		case pi < len(p) && p[pi] != 0 && p[pi] == v[vi]:
			pi++
			vi++
		case star >= 0:
			pi = star + 1
			mark++
			vi = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
