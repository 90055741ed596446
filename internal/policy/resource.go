package policy

import "github.com/latchkey/latchkey/internal/policy/internal/wildcard"

// A resource pattern is "*" or an ARN, arn:partition:service:region:account:resource,
// whose components may hold the wildcards '*' and '?' (a wildcard does not
// span the colons between the first five components). Resources match
// case-sensitively. In version 2012-10-17 documents, policy variables
// (${aws:username}, ${aws:userid}, ${*}, ${?}, ${$}, ${key, 'default'}) are
// substituted from the request context when evaluating: a variable the
// context does not hold makes the pattern match nothing, and a substituted
// value is always literal (a user named "a*" does not become a wildcard).

// compileResources validates resource patterns and compiles them.
func compileResources(resources []string, variables bool) ([]wildcard.ARN, error) {
	patterns := make([]wildcard.ARN, len(resources))
	for i, r := range resources {
		p, isARN := wildcard.CompileARN(r, variables)
		if !isARN && r != "*" {
			return nil, malformed(msgResource, r)
		}
		patterns[i] = p
	}
	return patterns, nil
}

// matchResource reports whether resource matches any of patterns.
func matchResource(patterns []wildcard.ARN, resource string, ctx map[string][]string) bool {
	for _, p := range patterns {
		if p.Match(resource, ctx) {
			return true
		}
	}
	return false
}
